"""Stage 'units' (placeholder until its issue lands: passes the document through)."""

from pipeline.model import Document


def label_units(doc: Document) -> Document:
    return doc
