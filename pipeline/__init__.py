"""Argument graphs from Indonesian International Relations writing.

Stages, in reading order: ingest -> structure -> nlp -> citations -> units ->
relations -> diagnostics -> graph (writer).  :class:`Pipeline` composes them from
one :class:`Config`.  What people and other tools read comes after:
:mod:`pipeline.export`, :mod:`pipeline.report`, :mod:`pipeline.corpus_view`::

    from pipeline import Pipeline
    doc = Pipeline().process_file("skripsi.pdf", "skripsi")
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["Config", "Pipeline", "__version__"]

if TYPE_CHECKING:
    from pipeline.config import Config
    from pipeline.language import Pipeline


def __getattr__(name: str) -> Any:
    # imported on first use, so `import pipeline.ingest` does not pull in every stage
    if name == "Pipeline":
        from pipeline.language import Pipeline

        return Pipeline
    if name == "Config":
        from pipeline.config import Config

        return Config
    raise AttributeError(f"module 'pipeline' has no attribute {name!r}")
