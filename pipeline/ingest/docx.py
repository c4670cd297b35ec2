"""Reading .docx files (python-docx).

Paragraphs in body order, headings on their own line; each footnote reference
becomes a superscript marker (recorded as a hint) and the footnote texts (from
the footnotes part) are appended under a "Catatan kaki" heading, one
"¹ Text" line each.
"""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any

from pipeline.ingest.common import InputError, TextWriter
from pipeline.markers import superscript
from pipeline.model import Span

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
FOOTNOTES_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footnotes"


def read_docx(data: bytes) -> tuple[str, list[Span]]:
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
    writer = TextWriter()
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
            writer.write(superscript(str(numbers[footnote_id])))
            writer.write(" " + re.sub(r"\s+", " ", footnote_texts.get(footnote_id, "")).strip())
    return writer.text(), writer.hints


def _write_docx_runs(writer: TextWriter, paragraph: Any, numbers: dict[str, int], order: list[str]) -> None:
    for run in paragraph.iter(f"{{{W_NS}}}r"):
        vertical_align = run.find(f"{{{W_NS}}}rPr/{{{W_NS}}}vertAlign")
        raised = vertical_align is not None and vertical_align.get(f"{{{W_NS}}}val") == "superscript"
        for child in run:
            tag = child.tag.split("}")[-1]
            if tag == "t" and child.text:
                if raised and re.fullmatch(r"\d{1,3}", child.text.strip()):
                    writer.write(superscript(child.text.strip()), marker=True)
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
                writer.write(superscript(str(numbers[footnote_id])), marker=True)


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
