"""Stage 'ingest': one file in, one :class:`Document` out.

Reads the file at ``path``.  Sets ``doc.text`` (the text every later offset
refers to), ``doc.sha256`` (of the input bytes), ``doc.media_type``,
``doc.marker_hints`` (spans of footnote markers the file marks as such) and
``doc.warnings``.

- ``.txt``/``.md``: UTF-8 (a BOM is kept as the first character, so offsets
  match the file decoded as UTF-8); otherwise cp1252, then latin-1, with a warning.
- ``.pdf`` (pdfplumber): lines are rebuilt from character positions; digits
  set smaller than the body text and raised above the baseline are footnote
  markers, written as Unicode superscripts (¹²³) and recorded in
  ``marker_hints``; small-type lines at the foot of a page that start with
  such a number become a note block ("¹ Text") after the page's prose; page
  numbers are dropped; pages are separated by a blank line.
- ``.docx`` (python-docx): paragraphs in body order, headings on their own
  line; each footnote or endnote reference becomes a superscript marker
  (hinted; endnotes continue the footnote numbers) and the note texts are
  appended under a "Catatan kaki" heading (footnotes), then a "Catatan akhir"
  heading (endnotes), one "¹ Text" line each.  Tables (rows of " | "-separated
  cells), text boxes (once, after their anchoring paragraph) and captions are
  written too and their spans recorded in ``doc.non_prose``.

For PDF and DOCX the writer saves ``doc.text`` beside the JSONL
(``doc.text_path`` is left for it to fill).  Unreadable input raises
:class:`InputError` with a one-line reason.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from pipeline.ingest.common import InputError
from pipeline.ingest.docx import read_docx
from pipeline.ingest.pdf import read_pdf
from pipeline.ingest.text import decode_text
from pipeline.model import Document, Span

__all__ = ["InputError", "decode_text", "read_document"]

TEXT_SUFFIXES = {".txt": "text/plain", ".md": "text/markdown"}
PDF_TYPE = "application/pdf"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def read_document(path: Path, doc_id: str) -> Document:
    """Read one .txt/.md/.pdf/.docx file into a Document."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in TEXT_SUFFIXES and suffix not in (".pdf", ".docx"):
        raise InputError(f"unsupported file type {suffix or '(none)'}: expected .txt, .md, .pdf or .docx")
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InputError(f"cannot read file: {error.strerror or error}") from error
    if not data.strip():
        raise InputError("empty file")
    warnings: list[str] = []
    hints: list[Span] = []
    non_prose: list[Span] = []
    if suffix in TEXT_SUFFIXES:
        text = decode_text(data, warnings)
        media_type = TEXT_SUFFIXES[suffix]
    elif suffix == ".pdf":
        text, hints = read_pdf(data, warnings)
        media_type = PDF_TYPE
    else:
        text, hints, non_prose = read_docx(data)
        media_type = DOCX_TYPE
    if not text.strip():
        raise InputError("no text in the file")
    return Document(
        id=doc_id,
        source_path=str(path),
        text=text,
        text_path=str(path) if suffix in TEXT_SUFFIXES else "",
        sha256=hashlib.sha256(data).hexdigest(),
        media_type=media_type,
        marker_hints=hints,
        non_prose=non_prose,
        warnings=warnings,
    )
