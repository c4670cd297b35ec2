"""Stage 'nlp' (placeholder until its issue lands: passes the document through)."""

from pipeline.model import Document


def annotate(doc: Document) -> Document:
    return doc
