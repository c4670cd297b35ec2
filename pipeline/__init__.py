"""Argument graphs from Indonesian International Relations writing.

Stages, in reading order: ingest -> structure -> nlp -> citations -> units ->
relations -> graph (writer).  :func:`pipeline.run.process_file` composes them.
"""

__version__ = "0.1.0"
