"""Stage 'citations' (placeholder until its issue lands: passes the document through)."""

from pipeline.model import Document


def link_citations(doc: Document) -> Document:
    return doc
