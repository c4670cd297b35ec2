"""Reading .pdf files: layout analysis from characters, with pypdfium2.

A thesis PDF is read from its characters, each with its box, baseline and font
size, not from a flat text dump:

- **Lines** are built from characters in pdfium's order; a line breaks where
  the baseline moves by more than half a line or the text jumps back left.
- **Columns**: lines that sit wholly left or right of the page's gutter form
  two columns, read left then right, inside bands cut by full-width lines
  (a title and abstract above two columns, a table below them).
- **Page furniture** (running heads, page numbers, a journal line repeated on
  every page) is recognised by its place in the top or bottom band of the page
  and its repetition across pages, and left out of the text.
- **Footnote zone**: the lines at the foot of a column set in smaller type
  than the body, below its last body-size line.  A zone whose first line does
  not open with a number continues the last note of the page before.
- **Markers**: digits set smaller than their line and raised above its
  baseline are footnote markers; they are written as Unicode superscripts
  (¹²³) and their spans recorded as hints for the later stages.
- **Blocks**: a body line opens a new block after a vertical gap, a change of
  type size or weight, or a line that ended short of the margin; a line that
  returns to the margin after indented ones opens a new bibliography entry
  (hanging indent).  Each block is written as one line of text.
- **Hyphenation** at line ends is undone ("perda-" + "gangan" is
  "perdagangan"), except where Indonesian writes the hyphen: reduplication
  ("anak-" + "anak", "sayur-" + "mayur"), a capital or a digit after it, or a
  hyphenated form used elsewhere in the same document.

Each page's body blocks come first, then its notes ("¹ text", one block
each); pages are separated by a form feed, which the structure stage reads as
a page break.
"""

from __future__ import annotations

import ctypes
import itertools
import re
import statistics
from collections import Counter
from dataclasses import dataclass, field

from pipeline.ingest.common import InputError, TextWriter
from pipeline.lexicons import lexicon
from pipeline.markers import superscript
from pipeline.model import Span

LIGATURES = str.maketrans({"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl",
                           "\ufb05": "st", "\ufb06": "st", "\u00ad": "-", "\ufffe": "-", "\u2010": "-", "\u2011": "-"})
FURNITURE_BAND = 0.09  # running heads and page numbers sit in the top or bottom 9 % of a page
TERMINAL = re.compile(r"[.!?:][\"”’')\]]*$")
SECTION_ROLES = ("abstract", "introduction", "conclusion", "references", "notes")
SMALL_TYPE = 0.92  # notes are set in type at most this fraction of the body size


@dataclass(slots=True)
class Word:
    """A run of characters between spaces, split where raised digits begin or end."""

    text: str
    x0: float
    x1: float
    baseline: float
    size: float
    raised: bool = False  # small digits above the baseline: a footnote marker

    @property
    def top(self) -> float:  # the font's extent, not the glyph's ink
        return self.baseline - 0.8 * self.size

    @property
    def bottom(self) -> float:
        return self.baseline + 0.2 * self.size


@dataclass
class Line:
    pieces: list[Word]  # in reading order; ``glued`` pieces follow the one before without a space
    glued: list[bool] = field(default_factory=list)
    size: float = 0.0  # median size of the line's type, markers left out
    baseline: float = 0.0
    x0: float = 0.0
    x1: float = 0.0
    top: float = 0.0
    bottom: float = 0.0
    words: list[tuple[str, bool]] = field(default_factory=list)  # (text, is a raised marker)
    hangs: bool = False  # an indented first line of a column that goes on with the entry before it

    @property
    def text(self) -> str:
        return " ".join(word for word, _ in self.words)


@dataclass
class Page:
    width: float
    height: float
    lines: list[Line]


@dataclass
class Note:
    number: str
    pieces: list[str]


# ---------------------------------------------------------------- characters, words and lines

def read_pdf(data: bytes, warnings: list[str]) -> tuple[str, list[Span]]:
    """The text of a PDF and the spans of the footnote markers written into it."""
    if not data.lstrip().startswith(b"%PDF"):
        raise InputError("not a PDF file (no %PDF header)")
    if b"%%EOF" not in data[-2048:]:
        raise InputError("truncated PDF (no end-of-file marker)")
    import pypdfium2

    try:
        document = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError as error:
        raise InputError(f"corrupt PDF: {error}") from error
    try:
        pages = [_read_page(document[index]) for index in range(len(document))]
    finally:
        document.close()
    if not any(page.lines for page in pages):
        raise InputError("PDF has no text layer (scanned image?)")
    empty = sum(1 for page in pages if not page.lines)
    if empty:
        warnings.append(f"{empty} PDF page(s) without text")
    text, hints = _Layout(pages).write()
    if garbled(text):
        raise InputError("PDF fonts have no usable Unicode mapping: the text layer reads as garbage")
    return text, hints


def garbled(text: str) -> bool:
    """Text from fonts without a Unicode map: few letters, many private-use, replacement or
    control characters, or almost no vowels (glyph ids read as Latin letters)."""
    sample = [c for c in text[:50000] if not c.isspace()]
    if len(sample) < 200:
        return False
    odd = sum(1 for c in sample if c == "\ufffd" or "\ue000" <= c <= "\uf8ff" or ord(c) < 32)
    letters = [c.lower() for c in sample if c.isalpha()]
    vowels = sum(1 for c in letters if c in "aeiou")
    return odd > 0.1 * len(sample) or len(letters) < 0.4 * len(sample) or vowels < 0.2 * max(len(letters), 1)


def _read_page(page: object) -> Page:
    """The page's lines.  Position and size are asked of pdfium once per word and
    once per digit (markers hide in digits), which keeps a 100-page thesis near a second."""
    import pypdfium2.raw as pdfium

    width, height = page.get_size()  # type: ignore[attr-defined]
    textpage = page.get_textpage()  # type: ignore[attr-defined]
    handle = textpage.raw
    count = pdfium.FPDFText_CountChars(handle)
    text = textpage.get_text_range(0, count) if count else ""
    left, right, bottom, top = (ctypes.c_double() for _ in range(4))
    x, y = ctypes.c_double(), ctypes.c_double()

    def origin(index: int) -> tuple[float, float, float]:
        pdfium.FPDFText_GetCharOrigin(handle, index, x, y)
        return x.value, height - y.value, pdfium.FPDFText_GetFontSize(handle, index)

    def right_edge(index: int) -> float:
        pdfium.FPDFText_GetCharBox(handle, index, left, right, bottom, top)
        return right.value

    words: list[tuple[Word, bool]] = []  # (word, glued to the one before)
    # pdfium writes a line-end hyphen as U+FFFE with no line break after it: it ends the word
    for match in re.finditer(r"[^\s\ufffe]+\ufffe?|\ufffe", text[:count]):
        first, last = match.start(), match.end() - 1
        x0, baseline, size = origin(first)
        written = match.group().translate(LIGATURES)
        if not any(c.isdigit() for c in written):
            words.append((Word(written, x0, right_edge(last), baseline, size), False))
            continue
        words.extend(_split_raised(written, first, origin, right_edge))
    textpage.close()
    page.close()  # type: ignore[attr-defined]
    return Page(width, height, _lines(words))


def _split_raised(written: str, first: int, origin, right_edge) -> list[tuple[Word, bool]]:
    """A word with digits in it, cut where small raised digits (a marker) begin and end."""
    places = [origin(first + k) for k in range(len(written))]
    letters = [place for c, place in zip(written, places, strict=True) if not c.isdigit()]
    reference = max(letters or places, key=lambda place: place[2])
    pieces: list[tuple[Word, bool]] = []
    start = 0
    spaced = tab = False
    for k in range(1, len(written) + 1):
        if k < len(written):
            same = _is_raised(written[k], places[k], reference) == _is_raised(written[k - 1], places[k - 1], reference)
            # a note number set off from its text by a tab, not a space: "11Clive"
            advance = places[k][0] - places[k - 1][0]  # a digit is half an em wide, a letter at most one
            tab = written[k - 1].isdigit() != written[k].isdigit() and advance > (
                0.75 if written[k - 1].isdigit() else 1.1) * reference[2]
            if same and not tab:
                continue
        raised = _is_raised(written[start], places[start], reference)
        x0, baseline, size = places[start]
        word = Word(written[start:k], x0, right_edge(first + k - 1), baseline, size, raised)
        pieces.append((word, bool(pieces) and not spaced))
        spaced = k < len(written) and tab
        start = k
    return pieces


def _is_raised(char: str, place: tuple[float, float, float], reference: tuple[float, float, float]) -> bool:
    _, baseline, size = place
    return char.isdigit() and size <= 0.82 * reference[2] and baseline < reference[1] - 0.18 * reference[2]


def _lines(words: list[tuple[Word, bool]]) -> list[Line]:
    """Words into lines, in the order pdfium gives them."""
    lines: list[Line] = []
    current = Line(pieces=[])
    for word, glued in words:
        if current.pieces and not glued and _starts_new_line(current.pieces[-1], word):
            lines.append(_finish_line(current))
            current = Line(pieces=[])
            glued = False
        current.pieces.append(word)
        current.glued.append(glued and bool(current.glued))
    if current.pieces:
        lines.append(_finish_line(current))
    return lines


def _starts_new_line(last: Word, word: Word) -> bool:
    size = max(last.size, word.size, 1.0)
    if word.x0 < last.x0 - 2 * size:  # back to the left: a new line or column
        return True
    # a raised marker shares the line's vertical extent; a new line does not
    overlap = min(last.bottom, word.bottom) - max(last.top, word.top)
    return overlap < 0.2 * min(last.size, word.size, size)


def _finish_line(line: Line) -> Line:
    # a lone number is judged against the line, so it does not set the line's size
    normal = [word for word in line.pieces if not word.raised and not word.text.isdigit()] or [
        word for word in line.pieces if not word.raised] or line.pieces
    line.size = _weighted_median([(word.size, len(word.text)) for word in normal])
    line.baseline = _weighted_median([(word.baseline, len(word.text)) for word in normal])
    line.x0 = min(word.x0 for word in line.pieces)
    line.x1 = max(word.x1 for word in line.pieces)
    line.top = min(word.top for word in normal)
    line.bottom = max(word.bottom for word in normal)
    for word in line.pieces:
        if not word.raised and word.text.isdigit() and len(word.text) <= 3:
            # a number standing alone ("³ Ibid."): raised against the line it sits in
            word.raised = word.size <= 0.82 * line.size and word.baseline < line.baseline - 0.18 * line.size
    words: list[tuple[str, bool]] = []
    for word, glued in zip(line.pieces, line.glued, strict=True):
        marker = word.raised and len(word.text) <= 3 and word.size <= 0.82 * line.size
        if glued and words and not marker and not words[-1][1]:
            words[-1] = (words[-1][0] + word.text, False)
        else:
            words.append((word.text, marker))
    line.words = words
    return line


# ---------------------------------------------------------------- the layout of the whole document

class _Layout:
    def __init__(self, pages: list[Page]) -> None:
        self.pages = pages
        sizes: Counter[float] = Counter()
        for page in pages:
            for line in page.lines:
                sizes[round(line.size, 1)] += sum(len(word.text) for word in line.pieces)
        self.body_size = sizes.most_common(1)[0][0] if sizes else 10.0
        self.furniture = _repeated_furniture(pages)
        self.in_references = False
        self.hanging = False
        self.last_note = 0
        self.hyphenated: set[str] = set()
        self.joined: set[str] = set()
        for page in pages:
            for line in page.lines:
                for word, _ in line.words:
                    lowered = word.lower().strip(".,;:()\"”“'’")
                    if "-" in lowered.strip("-"):
                        self.hyphenated.add(lowered)
                    elif lowered.isalpha():
                        self.joined.add(lowered)

    def write(self) -> tuple[str, list[Span]]:
        writer = TextWriter()
        notes_before: list[Note] = []
        pages: list[tuple[list[list[Line]], list[Note]]] = []
        for page in self.pages:
            blocks, notes, continuation = self._read_page(page)
            if continuation and notes_before:
                notes_before[-1].pieces.extend(continuation)
            elif continuation:
                blocks.append(continuation_as_lines(continuation, page))
            # a paragraph or an entry that goes on over the page is kept whole, before the notes
            if pages and pages[-1][0] and blocks and _goes_on(pages[-1][0][-1], blocks[0], self.body_size):
                pages[-1][0][-1].extend(blocks.pop(0))
            pages.append((blocks, notes))
            notes_before = notes or notes_before
        for index, (blocks, notes) in enumerate(pages):
            if index:
                writer.newline()
                writer.write("\f")
            for block in blocks:
                self._write_block(writer, block)
            for note in notes:
                writer.blank()
                writer.write(superscript(note.number))
                writer.write(" " + self._join_pieces(note.pieces))
            writer.newline()
        return writer.text(), writer.hints

    def _read_page(self, page: Page) -> tuple[list[list[Line]], list[Note], list[str]]:
        lines = [line for line in page.lines if not self._is_furniture(line, page)]
        blocks: list[list[Line]] = []
        notes: list[Note] = []
        continuation: list[str] = []
        for column in _columns(lines, page):
            body, zone = self._split_note_zone(column, page.height)
            column_blocks = self._blocks(body)
            if blocks and column_blocks and _goes_on(blocks[-1], column_blocks[0], self.body_size):
                blocks[-1].extend(column_blocks.pop(0))
            blocks.extend(column_blocks)
            for line in zone:
                number = _note_number(line)
                # "20 Januari 2013]" continues note 18; a note opens with the next number
                # (or 1, where notes restart by chapter) or with a raised one
                if number is not None and not (line.words[0][1] or int(number) in (1, self.last_note + 1)):
                    number = None
                if number is not None:
                    self.last_note = int(number)
                    notes.append(Note(number, [_line_text(line, skip_first=True)]))
                elif notes:
                    notes[-1].pieces.append(_line_text(line))
                else:
                    continuation.append(_line_text(line))
        return blocks, notes, continuation

    # -------------------------------------------------------------- furniture

    def _is_furniture(self, line: Line, page: Page) -> bool:
        in_band = line.top < FURNITURE_BAND * page.height or line.bottom > (1 - FURNITURE_BAND) * page.height
        if not in_band:
            return False
        text = line.text.strip()
        if re.fullmatch(r"[-–—(\s]*(?:\d{1,4}|[ivxlcdm]{1,7})[-–—)\s]*", text, re.IGNORECASE):
            return True
        if line.words[0][1]:
            return False  # a raised number opens a note ("³ Ibid." may recur in place)
        key, place = _furniture_key(text), round(line.top / 6)
        return any((key, near) in self.furniture for near in (place - 1, place, place + 1))

    # -------------------------------------------------------------- notes

    def _split_note_zone(self, column: list[Line], height: float) -> tuple[list[Line], list[Line]]:
        """The column's body lines and the small-type lines at its foot."""
        limit = SMALL_TYPE * self.body_size
        start = len(column)
        while start > 0 and column[start - 1].size <= limit:
            start -= 1
        zone = column[start:]
        if not zone:
            return column, []
        # the zone sits in the lower part of the page and opens with a numbered note, or
        # continues one from the page before below a gap; small type above that (an
        # abstract, a caption, a block quote) is body
        first = zone[0]
        numbered = _note_number(first) is not None
        if first.top < 0.4 * height and not (numbered and start > 0):
            return column, []
        if not numbered and (start == 0 or first.top - column[start - 1].bottom < 0.5 * limit):
            return column, []
        return column[:start], zone

    # -------------------------------------------------------------- blocks

    def _blocks(self, lines: list[Line]) -> list[list[Line]]:
        if not lines:
            return []
        left = _margin([line.x0 for line in lines])
        right = max(line.x1 for line in lines)
        gaps = [b.baseline - a.baseline for a, b in itertools.pairwise(lines) if b.baseline > a.baseline]
        spacing = statistics.median(gaps) if gaps else 1.2 * self.body_size
        # entries hang when some line of the bibliography is indented
        self.hanging = any(line.x0 > left + 0.8 * max(line.size, 1.0) for line in lines)
        lines[0].hangs = self.in_references and self.hanging and lines[0].x0 > left + 0.8 * lines[0].size
        blocks: list[list[Line]] = [[lines[0]]]
        self._note_heading(lines[0])
        for previous, line in itertools.pairwise(lines):
            self._note_heading(line)
            if not self._continues(previous, line, left, right, spacing):
                blocks.append([])
            blocks[-1].append(line)
        return blocks

    def _continues(self, previous: Line, line: Line, left: float, right: float, spacing: float) -> bool:
        em = max(line.size, 1.0)
        gap = line.baseline - previous.baseline
        if gap <= 0 or gap > 1.45 * spacing:
            return False
        if abs(line.size - previous.size) > 0.6 or _is_heading_like(previous, self.body_size) != _is_heading_like(
                line, self.body_size):
            return False
        if _is_label(previous) or _is_label(line):
            return False
        first_word = line.words[0][0] if line.words else ""
        room = right - previous.x1
        ends_sentence = bool(TERMINAL.search(previous.text))
        if room > (len(first_word) + 2) * 0.6 * em and room > 1.5 * em and (
                ends_sentence or previous.x1 - previous.x0 < 0.6 * (right - left) and _opens_paragraph(line)):
            return False  # the previous line ended short though the next word would have fitted
        indented = line.x0 > left + 0.8 * em
        previous_indented = previous.x0 > left + 0.8 * em
        if self.in_references:
            # hanging indent: an entry opens at the margin, its other lines are indented;
            # entries without one open at the margin after a full stop
            if self.hanging:
                return indented
            return not re.search(r"\.[\"”’')\]]*$", previous.text)
        if indented and not previous_indented:
            # a first-line indent opens the next paragraph after a full last line
            return not ends_sentence
        return True

    def _note_heading(self, line: Line) -> None:
        """Follow whether the lines read now are a bibliography (entries hang)."""
        if len(line.words) > 6:
            return
        name = re.sub(r"[^a-z ]", "", line.text.lower()).strip()
        if name in lexicon("structure/section_references"):
            self.in_references = True
        elif name and (name in lexicon("structure/section_notes") or name in lexicon("structure/section_introduction")
                       or name in lexicon("structure/section_conclusion")):
            self.in_references = False

    def _write_block(self, writer: TextWriter, block: list[Line]) -> None:
        writer.blank()
        for index, line in enumerate(block):
            words = line.words
            for position, (word, marker) in enumerate(words):
                if marker and (position or index):
                    writer.write(superscript(word), marker=True)
                    continue
                if position == 0 and index:
                    if writer.parts[-1].endswith("-") and writer.parts[-1][:-1][-1:].isalpha():
                        self._rejoin(writer, word)  # "perda-" "gangan"; "anak-" "anak" keeps its hyphen
                        writer.write(word)
                        continue
                    writer.write(" ")
                elif position:
                    writer.write(" ")
                writer.write(word)

    def _rejoin(self, writer: TextWriter, following: str) -> bool:
        """Undo a line-end hyphen when the word was split by typesetting (True: the
        hyphen was removed); keep it where the language writes one."""
        piece = writer.parts[-1]
        head = re.search(r"([^\W\d_]+)-$", piece)
        tail = re.match(r"[^\W\d_]+", following)
        if not head or not tail:
            return False
        if _keeps_hyphen(head.group(1), tail.group(), self.hyphenated, self.joined):
            return False
        writer.parts[-1] = piece[:-1]
        writer.length -= 1
        return True

    def _join_pieces(self, pieces: list[str]) -> str:
        text = ""
        for piece in pieces:
            head = re.search(r"([^\W\d_]+)-$", text)
            tail = re.match(r"[^\W\d_]+", piece)
            if head and tail:
                keep = _keeps_hyphen(head.group(1), tail.group(), self.hyphenated, self.joined)
                text = (text if keep else text[:-1]) + piece
            else:
                text = f"{text} {piece}" if text else piece
        return text


def continuation_as_lines(pieces: list[str], page: Page) -> list[Line]:
    """Small-type lines at the head of a note zone with no note before them: kept as text."""
    del page
    return [Line(pieces=[], words=[(piece, False)]) for piece in pieces]


def _goes_on(block: list[Line], following: list[Line], body_size: float) -> bool:
    """The block after a column or page break continues ``block``: an entry's hanging
    line, or prose that ran on without ending its sentence."""
    first, last = following[0], block[-1]
    if first.hangs:
        return True
    if not first.words or _is_label(first) or _is_label(last) or _is_heading_like(last, body_size):
        return False
    if abs(first.size - last.size) > 0.6:
        return False
    opening = first.words[0][0]
    return opening[:1].islower() and (last.text.endswith("-") or not TERMINAL.search(last.text))


def _keeps_hyphen(first: str, second: str, hyphenated: set[str], joined: set[str]) -> bool:
    a, b = first.lower(), second.lower()
    if second[:1].isupper() or second[:1].isdigit():
        return True
    if f"{a}-{b}" in hyphenated and f"{a}{b}" not in joined:
        return True
    if f"{a}{b}" in joined:
        return False
    if a == b or (len(a) >= 3 and len(b) >= 3 and (a[-3:] == b[-3:] or a[:2] == b[:2] and len(a) == len(b))):
        return True  # reduplication: anak-anak, sayur-mayur, bolak-balik
    return a in ("non", "pasca", "pra", "anti", "multi", "inter", "semi", "neo", "post", "pro", "self")


def _is_heading_like(line: Line, body_size: float) -> bool:
    return line.size > 1.12 * body_size


def _is_label(line: Line) -> bool:
    """A line that is a heading or a bibliography group name by its words alone."""
    if len(line.words) > 6:
        return False
    name = re.sub(r"[^a-z ]", "", line.text.lower()).strip()
    return name in lexicon("structure/bibliography_groups") or any(
        name in lexicon(f"structure/section_{role}") for role in SECTION_ROLES)


def _opens_paragraph(line: Line) -> bool:
    return bool(line.words) and line.words[0][0][:1].isupper()


def _margin(values: list[float]) -> float:
    """The left margin: the most common line start (rounded), not the smallest."""
    counts = Counter(round(value) for value in values)
    common = max(counts.items(), key=lambda item: (item[1], -item[0]))[0]
    return min(common, min(values) + 0.5) if counts[common] > 1 else min(values)


def _line_text(line: Line, skip_first: bool = False) -> str:
    words = line.words[1:] if skip_first else line.words
    return " ".join(word for word, _ in words).strip()


def _note_number(line: Line) -> str | None:
    """The number a note line opens with ("¹ Text" raised, or "1 Text" / "1. Text")."""
    if not line.words:
        return None
    first, _marker = line.words[0]
    if re.fullmatch(r"\d{1,3}", first) and len(line.words) > 1:
        return first
    return None


def _furniture_key(text: str) -> str:
    return re.sub(r"\d+", "#", text.lower()).strip()


def _repeated_furniture(pages: list[Page]) -> set[tuple[str, int]]:
    """Lines in the top or bottom band that recur at the same height on several pages:
    running heads and feet (a short note such as "³ Ibid." recurs too, but not in place)."""
    counts: Counter[tuple[str, int]] = Counter()
    for page in pages:
        seen: set[tuple[str, int]] = set()
        for line in page.lines:
            if line.top < FURNITURE_BAND * page.height or line.bottom > (1 - FURNITURE_BAND) * page.height:
                key = (_furniture_key(line.text), round(line.top / 6))
                if key not in seen:
                    seen.add(key)
                    counts[key] += 1
    needed = 2 if len(pages) <= 4 else max(2, len(pages) // 5)
    return {key for key, count in counts.items() if count >= needed and len(key[0]) > 3}


def _columns(lines: list[Line], page: Page) -> list[list[Line]]:
    """The page's lines in reading order, as columns: bands of full-width lines
    and of two columns, each column read top to bottom."""
    middle = page.width / 2
    left_lines = [line for line in lines if line.x1 < middle + 0.01 * page.width]
    right_lines = [line for line in lines if line.x0 > middle - 0.01 * page.width]
    two_columns = len(left_lines) >= 5 and len(right_lines) >= 5
    if not two_columns:
        return [sorted(lines, key=lambda line: (line.baseline, line.x0))] if lines else []
    # a producer that writes both columns' lines in one run leaves the gutter inside a "line"
    lines = [piece for line in lines for piece in _split_at_gutter(line, middle)]
    ordered = sorted(lines, key=lambda line: line.baseline)
    columns: list[list[Line]] = []
    band_left: list[Line] = []
    band_right: list[Line] = []
    for line in ordered:
        if line.x1 < middle + 0.01 * page.width:
            band_left.append(line)
        elif line.x0 > middle - 0.01 * page.width:
            band_right.append(line)
        else:  # a full-width line closes the band above it
            columns.extend(column for column in (band_left, band_right) if column)
            band_left, band_right = [], []
            if columns and columns[-1] and columns[-1][-1].x0 < middle and columns[-1][-1].x1 > middle:
                columns[-1].append(line)
            else:
                columns.append([line])
    columns.extend(column for column in (band_left, band_right) if column)
    return columns


def _weighted_median(values: list[tuple[float, int]]) -> float:
    half = sum(weight for _, weight in values) / 2
    for value, weight in sorted(values):
        half -= weight
        if half <= 0:
            return value
    return values[-1][0]


def _split_at_gutter(line: Line, middle: float) -> list[Line]:
    """A line of a two-column page that runs across the gutter, cut into its two halves."""
    for index, (before, after) in enumerate(itertools.pairwise(line.pieces), 1):
        if before.x1 < middle < after.x0 and after.x0 - before.x1 > 2 * max(before.size, after.size):
            halves = (Line(pieces=line.pieces[:index], glued=line.glued[:index]),
                      Line(pieces=line.pieces[index:], glued=[False, *line.glued[index + 1:]]))
            return [_finish_line(half) for half in halves]
    return [line]
