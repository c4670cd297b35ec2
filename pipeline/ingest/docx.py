"""Reading .docx files (python-docx opens the package; the XML is walked here).

Body blocks in order, each followed by a blank line:

- paragraphs (headings on their own line);
- tables (``w:tbl``): one line per row, cells separated by " | " (a cell's
  paragraphs joined by a space), then the text boxes anchored in the table;
- text boxes (``w:txbxContent``, DrawingML or VML): each written once, as its
  own block after the paragraph that anchors it.  Word stores a text box twice
  (a DrawingML choice and a VML fallback) and both sit inside the anchoring
  paragraph's runs, so runs inside drawings are never read as paragraph text.

Tables, text boxes and caption paragraphs (style "Caption") are written to the
text, so offsets stay faithful and they remain searchable, and their spans are
returned as non-prose (``doc.non_prose``): the structure stage makes no
paragraphs of them.

Note references become superscript markers (recorded as hints).  Footnotes
are numbered 1, 2, … in the order they are first referenced, in the order the
text is written (table cells and text boxes included); endnotes continue that
sequence, so no number names two notes: a document with three footnotes
numbers its first endnote 4.  The note texts are appended under a
"Catatan kaki" heading (footnotes), then a "Catatan akhir" heading (endnotes),
one "¹ Text" line each.
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
MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"
RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
FOOTNOTES_REL = f"{RELATIONSHIPS}/footnotes"
ENDNOTES_REL = f"{RELATIONSHIPS}/endnotes"
NOTE_HEADINGS = {"footnote": "Catatan kaki", "endnote": "Catatan akhir"}
CAPTION_STYLE = re.compile(r"(?i)caption|keterangan")


def _w(name: str) -> str:
    return f"{{{W_NS}}}{name}"


P, R, TBL, TR, TC, TXBX = _w("p"), _w("r"), _w("tbl"), _w("tr"), _w("tc"), _w("txbxContent")
ALTERNATE_CONTENT = f"{{{MC_NS}}}AlternateContent"
# revisions the author removed: their text is not part of the document
REMOVED = {_w("del"), _w("moveFrom")}


def read_docx(data: bytes) -> tuple[str, list[Span], list[Span]]:
    """The text of a .docx, the spans of its note markers and its non-prose spans."""
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
    body = document.element.body
    # endnotes continue the footnote numbers, so count the footnotes in a first pass
    counting = _BodyWriter(endnote_base=0)
    counting.blocks(body)
    writer = _BodyWriter(endnote_base=len(counting.numbers["footnote"]))
    writer.blocks(body)
    out = writer.out
    for kind, relationship in (("footnote", FOOTNOTES_REL), ("endnote", ENDNOTES_REL)):
        numbers = writer.numbers[kind]
        if not numbers:
            continue
        texts = _note_texts(document, relationship, kind)
        out.blank()
        out.write(NOTE_HEADINGS[kind])
        for note_id, number in numbers.items():
            out.blank()
            out.write(superscript(str(number)))
            out.write(" " + texts.get(note_id, ""))
    return out.text(), out.hints, sorted(writer.non_prose)


class _BodyWriter:
    """Writes body blocks to a :class:`TextWriter`, numbering note references
    and collecting the spans of tables, text boxes and captions."""

    def __init__(self, endnote_base: int) -> None:
        self.out = TextWriter()
        self.non_prose: list[Span] = []
        # note id -> number, in order of first reference
        self.numbers: dict[str, dict[str, int]] = {"footnote": {}, "endnote": {}}
        self.endnote_base = endnote_base
        self.depth = 0  # > 0 inside a table or text box: only the outermost span is recorded
        self.separator = ""  # written before the next text (between paragraphs of a cell)

    def blocks(self, container: Any) -> None:
        for block in container.iterchildren():
            if block.tag == P:
                self.paragraph(block)
            elif block.tag == TBL:
                self.table(block)
            elif block.tag in (_w("sdt"), _w("sdtContent"), _w("customXml")):
                self.blocks(block)  # content controls wrap ordinary blocks

    def paragraph(self, paragraph: Any) -> None:
        start = self.out.length
        self.runs(paragraph)
        if self.out.length > start:
            style = paragraph.find(f"{_w('pPr')}/{_w('pStyle')}")
            if style is not None and CAPTION_STYLE.search(style.get(_w("val"), "")):
                self._record(start, self.out.length)
            self.out.blank()
        self.text_boxes(_text_boxes(paragraph))

    def table(self, table: Any) -> None:
        self.out.newline()
        start = self.out.length
        boxes: list[Any] = []
        self.depth += 1
        for index, row in enumerate(table.iterchildren(TR)):
            if index:
                self.out.write("\n")
            self.cells(row, boxes)
        self.depth -= 1
        self._record(start, _content_end(self.out))
        self.out.blank()
        self.text_boxes(boxes)

    def cells(self, row: Any, boxes: list[Any]) -> None:
        for index, cell in enumerate(row.iterchildren(TC)):
            if index:
                self.out.write(" | ")
            self.cell_content(cell, boxes, self.out.length)
            self.separator = ""

    def cell_content(self, container: Any, boxes: list[Any], cell_start: int) -> None:
        """A cell on one line: paragraphs joined by a space; the cells of a
        nested table continue the row."""
        for block in container.iterchildren():
            if block.tag == P:
                start = self.out.length
                self.runs(block)
                if self.out.length > start:
                    self.separator = " "
                boxes.extend(_text_boxes(block))
            elif block.tag == TBL:
                for cell in (cell for row in block.iterchildren(TR) for cell in row.iterchildren(TC)):
                    self.separator = " | " if self.out.length > cell_start else ""
                    self.cell_content(cell, boxes, cell_start)
            elif block.tag in (_w("sdt"), _w("sdtContent"), _w("customXml")):
                self.cell_content(block, boxes, cell_start)

    def text_boxes(self, boxes: list[Any]) -> None:
        for box in boxes:
            start = self.out.length
            self.depth += 1
            self.blocks(box)
            self.depth -= 1
            end = _content_end(self.out)
            if end > start:
                self._record(start, end)
                self.out.blank()

    def runs(self, element: Any) -> None:
        """The text of the runs under ``element``; runs inside drawings (text
        boxes) are left for :meth:`text_boxes`, deleted runs are skipped."""
        for child in element.iterchildren():
            if child.tag == R:
                self.run(child)
            elif child.tag == ALTERNATE_CONTENT:
                branch = next(child.iterchildren(), None)  # the branches say the same thing
                if branch is not None:
                    self.runs(branch)
            elif child.tag not in REMOVED:
                self.runs(child)  # hyperlinks, insertions, fields, inline content controls

    def run(self, run: Any) -> None:
        vertical_align = run.find(f"{_w('rPr')}/{_w('vertAlign')}")
        raised = vertical_align is not None and vertical_align.get(_w("val")) == "superscript"
        for child in run.iterchildren():
            tag = child.tag.split("}")[-1]
            if tag == "t" and child.text:
                if raised and re.fullmatch(r"\d{1,3}", child.text.strip()):
                    self.write(superscript(child.text.strip()), marker=True)
                else:
                    self.write(child.text)
            elif tag == "tab":
                self.write("\t")
            elif tag in ("br", "cr"):
                self.write(" ")
            elif tag == "noBreakHyphen":
                self.write("-")
            elif tag in ("footnoteReference", "endnoteReference"):
                self.write(superscript(str(self.note_number(tag[: -len("Reference")], child))), marker=True)

    def note_number(self, kind: str, reference: Any) -> int:
        numbers = self.numbers[kind]
        note_id = reference.get(_w("id"), "")
        if note_id not in numbers:
            base = self.endnote_base if kind == "endnote" else 0
            numbers[note_id] = base + len(numbers) + 1
        return numbers[note_id]

    def write(self, piece: str, marker: bool = False) -> None:
        if self.separator:
            self.out.write(self.separator)
            self.separator = ""
        self.out.write(piece, marker=marker)

    def _record(self, start: int, end: int) -> None:
        if self.depth == 0 and end > start:
            self.non_prose.append((start, end))


def _text_boxes(element: Any) -> list[Any]:
    """The text boxes anchored in ``element`` (not those nested in a text box),
    each once: of a DrawingML choice and its VML fallback only the first branch
    that holds text boxes is taken."""
    boxes: list[Any] = []
    for child in element.iterchildren():
        if child.tag == TXBX:
            boxes.append(child)
        elif child.tag == ALTERNATE_CONTENT:
            for branch in child.iterchildren():
                found = _text_boxes(branch)
                if found:
                    boxes.extend(found)
                    break
        elif child.tag not in REMOVED:
            boxes.extend(_text_boxes(child))
    return boxes


def _content_end(out: TextWriter) -> int:
    """The length of the written text without its trailing blank lines."""
    end = out.length
    for piece in reversed(out.parts):
        stripped = piece.rstrip()
        end -= len(piece) - len(stripped)
        if stripped:
            break
    return end


def _note_texts(document: Any, relationship_type: str, kind: str) -> dict[str, str]:
    """Note id -> text, from the footnotes or endnotes part (separators skipped);
    a note's paragraphs are joined by a space."""
    from lxml import etree

    for relationship in document.part.rels.values():
        if relationship.reltype != relationship_type or relationship.is_external:
            continue
        root = etree.fromstring(relationship.target_part.blob)
        texts: dict[str, str] = {}
        for note in root.iter(_w(kind)):
            if note.get(_w("type")) in ("separator", "continuationSeparator", "continuationNotice"):
                continue
            pieces: list[str] = []
            for element in note.iter(_w("t"), _w("tab"), _w("br"), _w("p")):
                pieces.append((element.text or "") if element.tag == _w("t") else " ")
            texts[note.get(_w("id"), "")] = re.sub(r"\s+", " ", "".join(pieces)).strip()
        return texts
    return {}
