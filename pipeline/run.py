"""Compose the stages: one file in, one Document out."""

from __future__ import annotations

from pathlib import Path

from pipeline.citations import link_citations
from pipeline.ingest import read_document
from pipeline.model import Document
from pipeline.nlp import annotate
from pipeline.relations import link_relations
from pipeline.structure import segment
from pipeline.units import label_units

STAGES = (
    ("structure", segment),
    ("nlp", annotate),
    ("citations", link_citations),
    ("units", label_units),
    ("relations", link_relations),
)


class StageError(RuntimeError):
    """A stage failed on one document; carries the stage name for errors.jsonl."""

    def __init__(self, stage: str, reason: str) -> None:
        super().__init__(reason)
        self.stage = stage
        self.reason = reason


def process_document(doc: Document) -> Document:
    for name, stage in STAGES:
        try:
            doc = stage(doc)
        except Exception as error:  # noqa: BLE001 - one bad document must not stop a batch
            raise StageError(name, f"{type(error).__name__}: {error}") from error
    return doc


def process_file(path: Path, doc_id: str) -> Document:
    try:
        doc = read_document(path, doc_id)
    except Exception as error:  # noqa: BLE001
        raise StageError("ingest", str(error)) from error
    return process_document(doc)
