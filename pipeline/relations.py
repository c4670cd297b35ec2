"""Stage 'relations' (placeholder until its issue lands: passes the document through)."""

from pipeline.model import Document


def link_relations(doc: Document) -> Document:
    return doc
