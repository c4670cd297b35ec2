"""Stage 'ingest' (minimal: UTF-8 .txt/.md only until issue 4 lands)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from pipeline.model import Document


class InputError(ValueError):
    """The file cannot be read as a document; the message says why."""


def read_document(path: Path, doc_id: str) -> Document:
    data = path.read_bytes()
    text = data.decode("utf-8")
    return Document(
        id=doc_id,
        source_path=str(path),
        text=text,
        text_path=str(path),
        sha256=hashlib.sha256(data).hexdigest(),
    )
