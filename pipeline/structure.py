"""Stage 'structure' (placeholder until its issue lands: passes the document through)."""

from pipeline.model import Document


def segment(doc: Document) -> Document:
    return doc
