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
  line; each footnote reference becomes a superscript marker (hinted) and the
  footnote texts (from the footnotes part) are appended under a
  "Catatan kaki" heading, one "¹ Text" line each.

For PDF and DOCX the writer saves ``doc.text`` beside the JSONL
(``doc.text_path`` is left for it to fill).  Unreadable input raises
:class:`InputError` with a one-line reason.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import re
import statistics
import zipfile
from collections import Counter
from pathlib import Path
from typing import Any

from pipeline.model import Document, Span

SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
TEXT_SUFFIXES = {".txt": "text/plain", ".md": "text/markdown"}
PDF_TYPE = "application/pdf"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
FOOTNOTES_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footnotes"


class InputError(ValueError):
    """The file cannot be read as a document; the message says why."""


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
    if suffix in TEXT_SUFFIXES:
        text = decode_text(data, warnings)
        media_type = TEXT_SUFFIXES[suffix]
    elif suffix == ".pdf":
        text, hints = _read_pdf(data, warnings)
        media_type = PDF_TYPE
    else:
        text, hints = _read_docx(data)
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
        warnings=warnings,
    )


# ---------------------------------------------------------------- plain text

def decode_text(data: bytes, warnings: list[str]) -> str:
    """The text of a .txt/.md file: UTF-8, else cp1252, else latin-1 (noted in ``warnings``)."""
    if b"\x00" in data[:4096] or data[:4] in (b"%PDF", b"PK\x03\x04"):
        raise InputError("binary content, not a text file")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
            warnings.append("not valid UTF-8: decoded as cp1252")
        except UnicodeDecodeError:
            text = data.decode("latin-1")
            warnings.append("not valid UTF-8: decoded as latin-1")
    controls = sum(1 for c in text[:20000] if ord(c) < 32 and c not in "\n\r\t\f")
    if controls > max(8, len(text[:20000]) // 50):
        raise InputError("binary content, not a text file")
    return text


# ---------------------------------------------------------------- PDF

def _read_pdf(data: bytes, warnings: list[str]) -> tuple[str, list[Span]]:
    if not data.lstrip().startswith(b"%PDF"):
        raise InputError("not a PDF file (no %PDF header)")
    if b"%%EOF" not in data[-2048:]:
        raise InputError("truncated PDF (no end-of-file marker)")
    import pdfplumber

    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            pages = [_page_lines(page) for page in pdf.pages]
    except Exception as error:
        raise InputError(f"corrupt PDF: {type(error).__name__}") from error
    if not any(lines for lines, _ in pages):
        raise InputError("PDF has no text layer (scanned image?)")
    sizes = Counter()
    for lines, _ in pages:
        for line in lines:
            sizes[round(line["size"], 1)] += len(line["words"])
    body_size = sizes.most_common(1)[0][0]
    writer = _TextWriter()
    for index, (lines, height) in enumerate(pages):
        if index:
            writer.blank()
        _write_pdf_page(writer, lines, height, body_size)
    if not any(pages[i][0] for i in range(len(pages))):
        warnings.append("PDF pages without text")
    return writer.text(), writer.hints


class _TextWriter:
    """Accumulates text and the spans of the markers written into it."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.hints: list[Span] = []

    def write(self, piece: str, marker: bool = False) -> None:
        if marker:
            self.hints.append((self.length, self.length + len(piece)))
        self.parts.append(piece)
        self.length += len(piece)

    def blank(self) -> None:
        text = "".join(self.parts[-2:])
        if not text:
            return
        if text.endswith("\n\n"):
            return
        self.write("\n" if text.endswith("\n") else "\n\n")

    def newline(self) -> None:
        if self.parts and not self.parts[-1].endswith("\n"):
            self.write("\n")

    def text(self) -> str:
        return "".join(self.parts).rstrip() + "\n"


def _page_lines(page: Any) -> tuple[list[dict[str, Any]], float]:
    """Words grouped into lines; each word keeps its size and baseline."""
    words = page.extract_words(extra_attrs=["size"], keep_blank_chars=False, use_text_flow=True,
                               split_at_punctuation=False)
    lines: list[dict[str, Any]] = []
    for word in sorted(words, key=lambda w: (round(w["bottom"]), w["x0"])):
        height = word["bottom"] - word["top"]
        placed = False
        for line in lines:
            overlap = min(line["bottom"], word["bottom"]) - max(line["top"], word["top"])
            if overlap >= 0.3 * min(height, line["bottom"] - line["top"]):
                line["words"].append(word)
                line["top"] = min(line["top"], word["top"])
                line["bottom"] = max(line["bottom"], word["bottom"])
                placed = True
                break
        if not placed:
            lines.append({"top": word["top"], "bottom": word["bottom"], "words": [word]})
    for line in lines:
        line["words"].sort(key=lambda w: w["x0"])
        normal = [w for w in line["words"] if not _superscript_shaped(w, line)]
        line["size"] = statistics.median(w["size"] for w in (normal or line["words"]))
        line["baseline"] = max(w["bottom"] for w in (normal or line["words"]))
        line["x0"] = line["words"][0]["x0"]
    lines.sort(key=lambda line: line["top"])
    return lines, float(page.height)


def _superscript_shaped(word: dict[str, Any], line: dict[str, Any]) -> bool:
    sizes = [w["size"] for w in line["words"]]
    return bool(re.fullmatch(r"\d{1,3}", word["text"])) and word["size"] < 0.8 * max(sizes)


def _is_marker(word: dict[str, Any], line: dict[str, Any]) -> bool:
    return (
        bool(re.fullmatch(r"\d{1,3}", word["text"]))
        and word["size"] <= 0.8 * line["size"]
        and word["bottom"] < line["baseline"] - 0.15 * line["size"]
    )


def _write_pdf_page(writer: _TextWriter, lines: list[dict[str, Any]], height: float, body_size: float) -> None:
    body: list[dict[str, Any]] = []
    notes: list[dict[str, Any]] = []
    for line in lines:
        text = " ".join(w["text"] for w in line["words"]).strip()
        if re.fullmatch(r"[-–—\s]*\d{1,4}[-–—\s]*", text) and (line["top"] < 0.12 * height or line["top"] > 0.85 * height):
            continue  # page number
        small = line["size"] <= 0.88 * body_size
        first = line["words"][0]["text"]
        if small and line["top"] > 0.5 * height and (notes or re.fullmatch(r"\d{1,3}", first)):
            notes.append(line)
        else:
            body.append(line)
    gaps = [b["top"] - a["top"] for a, b in itertools.pairwise(body) if b["top"] > a["top"]]
    spacing = statistics.median(gaps) if gaps else body_size * 1.2
    left = min((line["x0"] for line in body), default=0.0)
    right = max((line["words"][-1]["x1"] for line in body), default=0.0)
    previous: dict[str, Any] | None = None
    for line in body:
        if previous is not None:
            gap = line["top"] - previous["top"]
            indented = line["x0"] > left + 0.8 * body_size
            heading_change = abs(line["size"] - previous["size"]) > 0.5
            last_word = previous["words"][-1]
            ending = "".join(w["text"] for w in previous["words"][-2:])
            short_final = last_word["x1"] < right - 3 * body_size and re.search(r"[.!?:\"”]\d{0,3}$", ending)
            if gap > 1.45 * spacing or indented or heading_change or short_final:
                writer.blank()
            else:
                writer.newline()
        _write_words(writer, line)
        previous = line
    if notes:
        writer.blank()
        for index, line in enumerate(notes):
            first = line["words"][0]
            starts_note = bool(re.fullmatch(r"\d{1,3}", first["text"]))
            if index:
                if starts_note:
                    writer.blank()
                else:
                    writer.newline()
            if starts_note:
                writer.write(first["text"].translate(SUPERSCRIPT))
                writer.write(" ")
                _write_words(writer, line, skip_first=True)
            else:
                _write_words(writer, line)
    writer.newline()


def _write_words(writer: _TextWriter, line: dict[str, Any], skip_first: bool = False) -> None:
    words = line["words"][1:] if skip_first else line["words"]
    for index, word in enumerate(words):
        if _is_marker(word, line) and index:
            writer.write(word["text"].translate(SUPERSCRIPT), marker=True)
            continue
        if index:
            writer.write(" ")
        writer.write(word["text"])


# ---------------------------------------------------------------- DOCX

def _read_docx(data: bytes) -> tuple[str, list[Span]]:
    if not data.startswith(b"PK"):
        raise InputError("not a DOCX file (not a zip archive)")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if "word/document.xml" not in archive.namelist():
                raise InputError("not a DOCX file (no word/document.xml)")
    except zipfile.BadZipFile as error:
        raise InputError("corrupt or truncated DOCX (bad zip archive)") from error
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as error:
        raise InputError(f"corrupt DOCX: {type(error).__name__}") from error
    footnote_texts = _docx_footnotes(document)
    writer = _TextWriter()
    numbers: dict[str, int] = {}
    order: list[str] = []
    body = document.element.body
    for block in body.iterchildren():
        if block.tag != f"{{{W_NS}}}p":
            continue
        style = block.find(f"{{{W_NS}}}pPr/{{{W_NS}}}pStyle")
        style_name = style.get(f"{{{W_NS}}}val", "") if style is not None else ""
        heading = bool(re.match(r"(?i)heading|judul|title", style_name))
        start = writer.length
        _write_docx_runs(writer, block, numbers, order)
        if writer.length == start:
            continue
        if heading:
            writer.blank()
        else:
            writer.blank()
    if order:
        writer.blank()
        writer.write("Catatan kaki")
        for footnote_id in order:
            writer.blank()
            writer.write(str(numbers[footnote_id]).translate(SUPERSCRIPT))
            writer.write(" " + re.sub(r"\s+", " ", footnote_texts.get(footnote_id, "")).strip())
    return writer.text(), writer.hints


def _write_docx_runs(writer: _TextWriter, paragraph: Any, numbers: dict[str, int], order: list[str]) -> None:
    for run in paragraph.iter(f"{{{W_NS}}}r"):
        superscript = run.find(f"{{{W_NS}}}rPr/{{{W_NS}}}vertAlign")
        raised = superscript is not None and superscript.get(f"{{{W_NS}}}val") == "superscript"
        for child in run:
            tag = child.tag.split("}")[-1]
            if tag == "t" and child.text:
                if raised and re.fullmatch(r"\d{1,3}", child.text.strip()):
                    writer.write(child.text.strip().translate(SUPERSCRIPT), marker=True)
                else:
                    writer.write(child.text)
            elif tag == "tab":
                writer.write("\t")
            elif tag in ("br", "cr"):
                writer.write(" ")
            elif tag == "footnoteReference":
                footnote_id = child.get(f"{{{W_NS}}}id", "")
                if footnote_id not in numbers:
                    numbers[footnote_id] = len(numbers) + 1
                    order.append(footnote_id)
                writer.write(str(numbers[footnote_id]).translate(SUPERSCRIPT), marker=True)


def _docx_footnotes(document: Any) -> dict[str, str]:
    """Footnote id -> text, from the footnotes part (separators skipped)."""
    from lxml import etree

    for relationship in document.part.rels.values():
        if relationship.reltype != FOOTNOTES_REL:
            continue
        root = etree.fromstring(relationship.target_part.blob)
        texts: dict[str, str] = {}
        for footnote in root.iter(f"{{{W_NS}}}footnote"):
            if footnote.get(f"{{{W_NS}}}type") in ("separator", "continuationSeparator", "continuationNotice"):
                continue
            pieces = [t.text or "" for t in footnote.iter(f"{{{W_NS}}}t")]
            texts[footnote.get(f"{{{W_NS}}}id", "")] = "".join(pieces)
        return texts
    return {}
