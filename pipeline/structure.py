"""Stage 'structure': front matter, sections, paragraphs, raw notes and sources.

Reads ``doc.text`` (and ``doc.marker_hints`` and ``doc.non_prose`` from ingest;
lines inside a non-prose span are never prose).  Adds (and extends
``doc.marker_hints`` with footnote markers written as plain digits):

- ``doc.front``: title, authors, supervisors ("Pembimbing"), keywords with spans;
- ``doc.sections``: one per heading, with a role (abstract, introduction, body,
  conclusion, references, notes, other; in theses also research_question,
  objectives, hypothesis, theory, method, results, suggestions, and front / appendix
  for the pages outside the argument) from the word lists ``lexicon/structure/section_*.txt``
  and, in a numbered thesis, from the chapter a subsection stands in; a document
  without headings gets one body section;
- ``doc.paragraphs``: running prose only (no headings, keyword lines, note
  texts, bibliography, page furniture).  A paragraph that ends without
  sentence-final punctuation and continues after a note block, a page break or
  a blank line is ONE paragraph whose ``parts`` list the pieces (running
  heads, page numbers and form feeds between them are left out);
- ``doc.notes``: raw footnote texts (``n<number>``), unparsed;
- ``doc.sources``: raw bibliography entries (``b1``…), grouped by their
  sub-heading (BUKU, JURNAL, E-BOOK, INTERNET …), entries broken over lines joined.

Headings come in many shapes: markdown ``#``, "BAB I PENDAHULUAN", "1.1 Latar
Belakang", "A. Latar Belakang", ALL-CAPS lines, and, in text extracted from PDFs,
headings run into the first sentence ("BAB I PENDAHULUAN 1.1 LATAR BELAKANG Saat
ini, …"); all of them are recognised here.  Footnote texts are recognised by a
leading marker (¹, ``[1]``, ``^1``, or a plain number that a marker in the prose
announced) and, in PDF noise, where they were spilled into a running line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pipeline.lexicons import lexicon
from pipeline.markers import (
    SUPERSCRIPT_DIGITS,
    SUPERSCRIPT_TO_DIGIT,
    find_marker_candidates,
    select_markers,
)
from pipeline.model import Document, FrontMatter, Note, Paragraph, Section, Source

# section roles, each with its word list lexicon/structure/section_<role>.txt; the thesis parts
# (research_question … suggestions) sit inside the chapters, front and appendix outside the argument
ROLES = ("abstract", "introduction", "research_question", "objectives", "hypothesis", "theory", "method",
         "results", "conclusion", "suggestions", "references", "notes", "front", "appendix", "other")
BLANK = " \t\r\n\f\v\ufeff\u00a0"  # \f: the page break pdftotext writes


def section_terms() -> dict[str, str]:
    terms: dict[str, str] = {}
    for role in ROLES:
        for term in lexicon(f"structure/section_{role}"):
            terms.setdefault(term, role)
    return terms


# ---------------------------------------------------------------- lines

@dataclass
class Line:
    start: int  # first non-blank character
    end: int  # after the last non-blank character
    text: str
    blank_before: bool
    kind: str = "prose"
    role: str = ""
    level: int = 1
    number: int | None = None  # note number
    group: str = ""
    headings: list[tuple[int, int, str, int]] = field(default_factory=list)  # inline headings
    index: int = 0


def split_lines(text: str) -> list[Line]:
    lines: list[Line] = []
    blank = True
    for match in re.finditer(r"[^\n\f]*", text):
        raw = match.group()
        stripped = raw.strip(BLANK)
        if not stripped:
            if match.start() != match.end() or match.start() == 0 or text[match.start() - 1] in "\n\f":
                blank = True
            continue
        lead = len(raw) - len(raw.lstrip(BLANK))
        start = match.start() + lead
        blank = blank or text[match.start() - 1 : match.start()] == "\f"  # a new page starts a new block
        lines.append(Line(start, start + len(stripped), stripped, blank, index=len(lines)))
        blank = False
    return lines


# ---------------------------------------------------------------- headings

NUMBERING = r"(?:(?:BAB|Bab)\s+[IVXL]+\b\.?|(?:BAB|Bab)\s+\d+\.?|[IVX]+\.\d+(?:\.\d+)*\.?|\d+(?:\.\d+)*\.?|[A-Z]\.|[IVX]+\.|[a-z]\.|\([a-z0-9]\))"
HEADING_NUMBERING = r"(?:(?:BAB|Bab)\s+[IVXL]+\b\.?|(?:BAB|Bab)\s+\d+\.?|[IVX]+\.\d+(?:\.\d+)*\.?|\d+(?:\.\d+)*\.?|[A-Z]\.|[IVX]+\.)"
NUMBERING_ONLY = re.compile(rf"^{NUMBERING}$")
MARKDOWN_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
BAB = re.compile(r"^(?:BAB|Bab)\s+([IVXL]+|\d+)\b")
NUMBERED_HEADING = re.compile(rf"^({HEADING_NUMBERING})\s+\S")
FORMAT_MARKS = re.compile(r"[*_`]+")
TERMINAL = re.compile(r"[.!?][\"”’')\]]*$|[.!?][\"”’')\]]*(?:\^|\[)?[⁰¹²³⁴⁵⁶⁷⁸⁹\d]{1,3}\]?$")


def normalise_heading(text: str) -> str:
    text = FORMAT_MARKS.sub("", text)
    text = re.sub(r"^#{1,6}\s*", "", text)
    text = re.sub(rf"^(?:{NUMBERING}\s*)+", "", text.strip())
    text = re.sub(r"[\s:.\-–—]+$", "", text)
    return re.sub(r"\s+", " ", text).strip().lower()


def heading_role(text: str) -> str | None:
    """The role a heading names, from the section word lists, or None."""
    name = normalise_heading(text)
    terms = section_terms()
    if name in terms:
        return terms[name]
    # "BAB I PENDAHULUAN" leaves "pendahuluan"; "pendahuluan 1.1 latar belakang" starts with a term
    words = name.split()
    for size in range(min(len(words), 5), 0, -1):
        head = " ".join(words[:size])
        if head in terms and (size == len(words) or re.match(NUMBERING, " ".join(text.split()[size:]) or "x")):
            return terms[head]
    # "LAMPIRAN A", "Lampiran 3. Kuesioner"; "LEMBAR PENGESAHAN SKRIPSI", "HALAMAN PERNYATAAN PERSETUJUAN PUBLIKASI …"
    if words and words[0] in lexicon("structure/section_appendix") and len(words) <= 8:
        return "appendix"
    if any(" " in term and name.startswith(term + " ") for term in lexicon("structure/section_front")):
        return "front"
    return None


def _caps_ratio(text: str) -> float:
    letters = [c for c in text if c.isalpha()]
    if len(letters) < 3:
        return 0.0
    return sum(c.isupper() for c in letters) / len(letters)


def full_line_heading(line: Line, front_done: bool) -> tuple[str | None, int] | None:
    """(role, level) when the whole line is a heading, else None."""
    text = line.text
    markdown = MARKDOWN_HEADING.match(text)
    if markdown:
        return heading_role(markdown.group(2)), len(markdown.group(1))
    plain = FORMAT_MARKS.sub("", text).strip()
    words = plain.split()
    if not words or len(plain) > 110 or len(words) > 14:
        return None
    role = heading_role(plain)
    if role and not next((c for c in plain if c.isalpha()), "").islower() and (len(words) <= 8 or role == "front"):
        # a word list term starting in lower case is a word of wrapped prose ("Yang / memiliki / tujuan")
        return role, 2 if NUMBERED_HEADING.match(plain) and not BAB.match(plain) else 1
    if BAB.match(plain):
        return role, 1
    if re.search(r"[.,;]$", plain) and not NUMBERING_ONLY.match(plain):
        return None
    if NUMBERED_HEADING.match(plain) and len(words) <= 10 and re.match(rf"^{HEADING_NUMBERING}\s+[A-Z]", plain):
        return role, _numbering_level(plain.split()[0])
    if not front_done:
        return None
    if text.startswith("**") and text.rstrip(":").endswith("**") and len(words) <= 10:
        return role, 2
    letters = sum(c.isalpha() for c in plain)
    if (_caps_ratio(plain) > 0.9 and len(words) <= 10 and letters >= 4 and letters >= 0.6 * len(plain.replace(" ", ""))
            and not re.search(r"[=×%+<>]", plain)):
        return role, 1
    return None


def _numbering_level(number: str) -> int:
    return max(2, len(re.findall(r"\d+|[IVX]+", number)))


CAPS_WORD = r"[A-Z][A-Z0-9&\-’']+,?"


def inline_headings(line: Line, previous_was_numbering: bool) -> list[tuple[int, int, str, int]]:
    """Headings run into the first sentence of a line (PDF extraction).

    Returns (start, end, role, level) pieces; empty when the line does not start
    with one.  "BAB I PENDAHULUAN 1.1 LATAR BELAKANG Saat ini, …" gives two.
    """
    text = line.text
    position = 0
    pieces: list[tuple[int, int, str, int]] = []
    page_number = re.match(r"\d{1,3}\s+(?=BAB\b|[IVX]+\.\d)", text)
    if page_number:
        position = page_number.end()
    terms = section_terms()
    allow_title_case = previous_was_numbering
    while position < len(text):
        rest = text[position:]
        bab = re.match(rf"BAB\s+(?:[IVXL]+|\d+)\.?(?:\s+{CAPS_WORD})*\s+", rest)
        numbered = re.match(rf"({HEADING_NUMBERING})\s+", rest)
        if bab:
            end = bab.end()
            name = rest[:end]
            pieces.append((position, position + len(name.rstrip()), heading_role(name) or "", 1))
            position += end
            allow_title_case = True
            continue
        if numbered and not re.match(r"\d{4}", rest):
            after = rest[numbered.end():]
            caps = re.match(rf"(?:{CAPS_WORD}\s+)+", after)
            span_end = None
            if caps and len(caps.group().split()) >= 1 and re.match(r"[A-Z][a-z]", after[caps.end():]):
                span_end = numbered.end() + caps.end()
            else:
                span_end = _lexicon_prefix(after, terms)
                if span_end is not None:
                    span_end += numbered.end()
            if span_end is None:
                break
            name = rest[:span_end]
            level = _numbering_level(numbered.group(1))
            pieces.append((position, position + len(name.rstrip()), heading_role(name) or "", level))
            position += span_end
            allow_title_case = True
            continue
        caps = re.match(rf"(?:{CAPS_WORD}\s+)+", rest)
        if caps and heading_role(caps.group()) and re.match(r"[A-Z][a-z]|\d", rest[caps.end():]):
            pieces.append((position, position + len(caps.group().rstrip()), heading_role(caps.group()) or "", 1))
            position += caps.end()
            continue
        span_end = _lexicon_prefix(rest, terms, require_colon=not allow_title_case)
        if span_end is not None:
            name = rest[:span_end]
            pieces.append((position, position + len(name.rstrip(" :.—–-")), heading_role(name) or "", 2))
            position += span_end
            allow_title_case = False
            continue
        break
    if not pieces:
        return []
    remaining = text[position:].split()
    if len(remaining) < 3:
        return []
    if not any(role for _, _, role, _ in pieces) and not any(
        re.match(r"BAB\b|\d|[A-Z]\.", text[s:e]) for s, e, _, _ in pieces
    ):
        return []
    return [(line.start + s, line.start + e, role or "", level) for s, e, role, level in pieces]


def _lexicon_prefix(text: str, terms: dict[str, str], require_colon: bool = False) -> int | None:
    """Length of a section term at the start of ``text`` (plus its colon), if any."""
    words = list(re.finditer(r"\S+", text))
    for size in range(min(5, len(words)), 0, -1):
        phrase = " ".join(w.group() for w in words[:size])
        key = re.sub(r"[:.\-–—]+$", "", FORMAT_MARKS.sub("", phrase)).lower()
        if key in terms:
            end = words[size - 1].end()
            colon = re.match(r"\s*[:.\-–—]\s*", text[end:])
            if require_colon and not (colon or phrase.endswith((":", "."))):
                continue
            if colon:
                end += colon.end()
            else:
                while end < len(text) and text[end] == " ":
                    end += 1
            return end
    return None


# ---------------------------------------------------------------- classification

FURNITURE = re.compile(
    r"^(?:\(?\d{1,4}\)?|[-–—]\s*\d{1,4}\s*[-–—]|page \d+.*|upload:.*|post on .*|\d+ views?|category:?|documents?"
    r"|\d+ downloads?|transcript|<chapterid>.*|!\[.*|\|.*\||[-*_=]{3,}|halaman \d+( dari \d+)?"
    r"|(?:\*|_)?(?:gambar|tabel|grafik|figure|table|diagram|bagan)\s+[\dIVX.]+.{0,120}|sumber\s*:.{0,150}"
    r"|[•·▪●◦]\s*\S.{0,60}|[-*]\s+[^.!?]{0,60}|<?https?://\S+|.{0,120}?(?:\.\s?){4,}\s*[\divxlc]+"
    # the page counts under a thesis abstract: "xi + 52 halaman; 23 gambar", "Daftar acuan: 11 (1973-2013)"
    r"|[xvil]+\s*\+\s*\d+\s*(?:halaman|hlm\.?|pages?)\b.{0,80}|daftar\s+(?:acuan|pustaka|referensi)\s*:\s*\d+.{0,40})$",
    re.IGNORECASE,
)
# a table-of-contents entry without dotted leaders: "1.1 Latar Belakang 1", "KATA PENGANTAR iv"
TOC_ENTRY = re.compile(r"^\S.{1,150}?\s+(?:\d{1,3}|[ivxlc]{1,7})$")
KEYWORDS = re.compile(r"^[*_\s]*(key\s*-?\s*words?|kata[\s-]*kunci)[*_\s]*[:：.—–-]\s*[*_]*", re.IGNORECASE)
SUPERVISOR = re.compile(r"^[*_\s]*(?:dosen\s+)?pembimbing(?:\s+(?:I{1,3}|\d|utama|pendamping))?\s*[:：]\s*(.+)$", re.IGNORECASE)
AUTHOR_LABEL = re.compile(r"^[*_\s]*(?:(?:disusun|ditulis|diajukan)\s+oleh|oleh|by|nama(?:\s+mahasiswa)?|penulis|author)\s*[:：]?\s*(.*)$", re.IGNORECASE)
NOTE_SUPERSCRIPT = re.compile(rf"^([{SUPERSCRIPT_DIGITS}]+)\s*(?=\S)")
NOTE_BRACKET = re.compile(r"^(?:\[(\d{1,3})\]|\^(\d{1,3})|\[\^(\d{1,3})\]:?)\s*(?=\S)")
# "12 Angel Coalition, …", "12. Ibid.", and, as pdftotext writes a raised note number
# at the foot of a page, glued to its text: "12Angel Coalition, …", "3Ibid.", "24ibid."
NOTE_PLAIN = re.compile(
    r"^(\d{1,3})(?:[.)]?\s+(?=\S)|(?=[A-Z“\"‘]|[Ii]bid\b|[Ii]dem\b|[Oo]p[.\s]*[Cc]it\b|[Ll]oc[.\s]*[Cc]it\b))"
)
NOTE_GLUED = re.compile(r"^\d{1,3}(?=[^\W\d_“\"‘])")
NOTE_CONTINUATION = re.compile(
    r"^[\[(<]*\s*(?:diakses|accessed|akses|tersedia|available|retrieved|https?://|www\.)", re.IGNORECASE
)
REFERENCE_CUES = re.compile(
    r"\b(?:1[5-9]\d\d|20\d\d)\b|\b(?:hlm|hal|pp|vol|no)\.|\bibid(?:em)?\b|\bop[.\s\-]*cit\b|\bloc[.\s\-]*cit\b|^idem\b|diakses|https?://|www\."
    r"|\b(?:press|penerbit|pustaka|jurnal|journal|university|universitas)\b|\(\s*[A-Z][\w ]+\s*:\s*[A-Z]",
    re.IGNORECASE,
)
ENTRY_START = re.compile(
    r"^(?:[_\-–—]{3,}|[-•*▪]\s+|\[\d{1,3}\]\s*|\d{1,3}[.)]\s+|[A-Z][\w'’\-]+,\s|[A-Z][\w.'’\-]*(?:\s+[A-Z&][\w.'’\-]*){0,5}[.,]\s)"
)
# "Food and Agriculture Organization. 2020.", "Kementerian Luar Negeri [Kemlu RI]. (2021)": an
# author (no colon, no digits) then a year opens an entry, however many words the name has
AUTHOR_YEAR_START = re.compile(r"^[A-Z][^:;()\d]{1,150}?[.,]?\s+\(?(?:1[5-9]\d\d|20\d\d)[a-z]?\)?[.,:]")
# "baeldung. 2021. “Guide to …”": a lower-case author (a site's name) then the year opens an entry
LOWER_AUTHOR_YEAR_START = re.compile(
    r"^(?!(?:et\s+al|dkk|dan|and|in|dalam|vol|no|hal|hlm|pp|ed|eds)\b)[a-z][\w'’\-]*(?:\s+[a-z][\w'’\-]*){0,2}"
    r"\.\s+\(?(?:1[5-9]\d\d|20\d\d)[a-z]?\)?[.,]"
)
PARTICLE_NAME_START = re.compile(
    r"^(?:van|von|de|der|den|du|da|di|al|el|bin|ter|ten|le|la)(?:\s+(?:der|den|de|la))?(?:\s+|-)[A-Z][\w'’\-]+,"
)
BULLET = re.compile(r"^(?:[-•*▪]\s+|\[\d{1,3}\]\s*|\d{1,3}[.)]\s+)")


def looks_like_reference(text: str) -> bool:
    """A line that reads like a bibliographic reference rather than prose."""
    cues = len(REFERENCE_CUES.findall(text))
    if re.search(r"\bibid(?:em)?\b|\bop[.\s\-]*cit\b|\bloc[.\s\-]*cit\b|^idem\b", text, re.IGNORECASE):
        return True
    has_author = bool(re.match(r"^(?:lihat\s+|see\s+|cf\.\s*)?[A-Z“\"][^,]{1,80},", text, re.IGNORECASE))
    return cues >= 2 or (cues >= 1 and has_author)


def _group_heading(text: str) -> str | None:
    plain = FORMAT_MARKS.sub("", text).strip()
    key = re.sub(r"^[-•*\d.)\s]+", "", plain).rstrip(" :").lower()
    if key in lexicon("structure/bibliography_groups") and len(plain) <= 60:
        return FORMAT_MARKS.sub("", re.sub(r"^[-•*\d.)\s]+", "", plain)).rstrip(" :").strip()
    return None


def _prose_like(text: str) -> bool:
    words = text.split()
    if _caps_ratio(text) > 0.8:
        return False
    return len(text) >= 120 or (len(words) >= 12 and bool(re.search(r"[.!?][\"”’)]*\S*$", text)))


def _wrapped_prose_lines(lines: list[Line]) -> set[int]:
    """Indices of lines in hard-wrapped prose blocks (PDF text, ~80 characters a
    line): three or more lines without a blank between them, mostly long, in
    lower case, with a sentence end inside.  Such lines are prose even before the
    first heading, where short lines are taken for title and author lines."""
    found: set[int] = set()
    block: list[Line] = []
    for line in [*lines, None]:
        if line is not None and block and not line.blank_before:
            block.append(line)
            continue
        while block and len(block[0].text) < 55:
            block.pop(0)  # title or author lines run into the block
        if len(block) >= 3 and max(len(ln.text) for ln in block) <= 110:
            joined = " ".join(ln.text for ln in block)
            long_lines = sum(len(ln.text) >= 55 for ln in block)
            if (len(joined) >= 250 and long_lines >= 0.6 * len(block) and _caps_ratio(joined) < 0.3
                    and re.search(r"[a-z][.!?][\"”’)]*\s+[A-Z]|[a-z][.!?]$", joined)):
                found.update(ln.index for ln in block)
        block = [line] if line is not None else []
    return found


def _running_headers(lines: list[Line]) -> set[str]:
    """Short lines repeated on many pages (running heads and feet of a PDF dump)."""
    counts: dict[str, int] = {}
    for line in lines:
        if len(line.text) <= 90 and not re.match(rf"[{SUPERSCRIPT_DIGITS}\[^\d]", line.text):
            key = _furniture_key(line.text)
            counts[key] = counts.get(key, 0) + 1
    terms = section_terms()
    return {
        key for key, count in counts.items()
        if count >= 3 and normalise_heading(key.replace("#", "1")) not in terms and len(key.split()) >= 2
        and not KEYWORDS.match(key)
    }


def _furniture_key(text: str) -> str:
    return re.sub(r"\d+", "#", text.lower())


def _is_running_header(line: Line, repeated: set[str], references: bool, seen: set[str]) -> bool:
    """A line repeated on many pages.  Inside a bibliography (where one publisher
    line may recur) only a line already met as a running head before it counts."""
    key = _furniture_key(line.text)
    if key not in repeated or TERMINAL.search(line.text):
        return False
    return key in seen if references else True


def _indented(text: str, line: Line) -> bool:
    """The line starts a tab or four spaces in (a code block in pandoc's plain text)."""
    lead = text[text.rfind("\n", 0, line.start) + 1 : line.start]
    return "\t" in lead or len(lead) >= 4


def _chapter_name(previous: Line | None, line: Line) -> bool:
    """``line`` names the chapter that a bare "BAB III" line just before it opens."""
    if previous is None or previous.kind != "heading":
        return False
    if not re.fullmatch(r"(?:BAB|Bab)\s+(?:[IVXL]+|\d+)\.?", FORMAT_MARKS.sub("", previous.text).strip()):
        return False
    plain = FORMAT_MARKS.sub("", line.text).strip()
    return 1 <= len(plain.split()) <= 12 and plain[:1].isupper() and not re.search(r"[.,;:!?]$", plain)


def _toc_entry(plain: str) -> bool:
    """A table-of-contents line: "1.1 Latar Belakang ....... 1", "BAB II TINJAUAN PUSTAKA 7"."""
    if NUMBERING_ONLY.match(plain) or re.fullmatch(r"(?:BAB|Bab)\s+\S+", plain):
        return False
    return bool(re.search(r"(?:\.\s?){4,}\s*[\divxlc]+$", plain) or TOC_ENTRY.match(plain))


def _inside_matter(heading: tuple[str | None, int], plain: str, matter: str, lines: list[Line], line: Line) -> bool:
    """A heading line met in the front matter or the appendices that still belongs to
    them: a table-of-contents entry ("BAB I PENDAHULUAN" followed by its entries with
    page numbers), or a banner that opens no part of the thesis ("PROGRAM STUDI …")."""
    role = heading[0]
    if matter == "appendix":
        return role not in ("references", "notes", "appendix")
    following = FORMAT_MARKS.sub("", lines[line.index + 1].text).strip() if line.index + 1 < len(lines) else ""
    if _toc_entry(plain):
        return True
    if role in ("abstract", "front", "appendix"):
        return False  # "DAFTAR ISI" after "KATA PENGANTAR", followed by its entries
    if following and _toc_entry(following):
        return True
    opens = role in ("references", "introduction")
    return not (opens or BAB.match(plain) or re.match(r"\d{1,2}(?:\.\d{1,2})*\.?\s+[A-Z]", plain))


def classify(doc: Document, lines: list[Line]) -> None:
    """Give every line a kind: front, heading, keywords, note, source, group, furniture, prose."""
    repeated = _running_headers(lines)
    front_done = False
    references = False
    notes_section = False
    previous: Line | None = None
    pending: set[int] = set()
    pending_plain: set[int] = set()
    noted: set[int] = set()
    last_note = 0
    hints = {start for start, _ in doc.marker_hints}
    seen_headers: set[str] = set()
    wrapped_prose = _wrapped_prose_lines(lines)
    matter = ""  # "front" or "appendix" while inside those pages
    for line in lines:
        text = line.text
        plain = FORMAT_MARKS.sub("", text).strip()
        if any(start <= line.start < end for start, end in doc.non_prose):
            line.kind = "furniture"  # a table, text box or caption: ingest knows it is not prose
            previous = line
            continue
        if repeated and _is_running_header(line, repeated, references, seen_headers):
            line.kind = "furniture"
            seen_headers.add(_furniture_key(text))
            previous = line
            continue
        heading = full_line_heading(line, front_done) if not KEYWORDS.match(text) else None
        if heading and not MARKDOWN_HEADING.match(text) and FURNITURE.match(plain) and not NUMBERING_ONLY.match(plain):
            heading = None
        if heading and references and _group_heading(text) and heading[0] is None:
            heading = None
        if (heading and heading[0] is None and not front_done and not MARKDOWN_HEADING.match(text)
                and not BAB.match(plain) and not NUMBERED_HEADING.match(plain)):
            heading = None
        if heading and previous is not None and previous.kind == "note" and not line.blank_before:
            heading = None
        if heading and heading[0] is None and _sequence_note(lines, line, last_note, pending, noted):
            heading = None  # "1 Victor Malarek, Natasha: …" at the foot of a pdftotext page
        if heading and MARKDOWN_HEADING.match(text) and _indented(doc.text, line):
            heading = None  # "# comment" in an indented code listing
        if heading is None and _chapter_name(previous, line):
            heading = heading_role(plain), 1  # "BAB III" on one line, "Analisis dan Perancangan" on the next
        if matter and (heading is None or _inside_matter(heading, plain, matter, lines, line)):
            line.kind = f"{matter}_page"  # front matter and appendices: no sections, no prose
            previous = line
            continue
        matter = heading[0] if heading and heading[0] in ("front", "appendix") else ""
        if previous is not None and previous.kind == "keywords" and KEYWORDS.fullmatch(previous.text) and not heading:
            line.kind = "keywords"  # "Kata kunci:" alone, the keywords on the next line
            previous = line
            continue
        if heading and MARKDOWN_HEADING.match(text) and heading[0] is None and not front_done:
            line.kind = "front"
        elif heading:
            line.kind, line.role, line.level = "heading", heading[0] or "", heading[1]
            front_done = True
            references = heading[0] == "references"
            notes_section = heading[0] == "notes"
        elif KEYWORDS.match(text):
            line.kind = "keywords"
        elif references and _group_heading(text):
            line.kind, line.group = "group", _group_heading(text) or ""
        elif (match := NOTE_SUPERSCRIPT.match(text)) and not (line.start in hints and not line.blank_before):
            line.kind, line.number = "note", int(match.group(1).translate(SUPERSCRIPT_TO_DIGIT))
        elif (match := NOTE_BRACKET.match(text)) and (notes_section or not references):
            line.kind, line.number = "note", int(match.group(1) or match.group(2) or match.group(3))
        elif references and (number := _leading_number(text)) is not None and _note_in_references(
                lines, line, number, last_note, pending, noted):
            line.kind, line.number = "note", number
            if number == 1:
                references, notes_section = False, True  # endnotes after the bibliography
        elif references and re.fullmatch(r"[-–—(\s]*\d{1,4}[-–—)\s]*", plain):
            line.kind = "furniture"  # a page number inside the bibliography
        elif references:
            line.kind = "source"
        elif previous is not None and _note_goes_on(previous, line, last_note):
            line.kind, line.number = "note_continuation", previous.number
        elif (match := NOTE_PLAIN.match(text)) and _sequence_note(lines, line, last_note, pending, noted):
            line.kind, line.number = "note", int(match.group(1))
        elif (last_note and not NOTE_PLAIN.match(text) and looks_like_reference(text) and not _prose_like(text)
              and line.index + 1 < len(lines) and not lines[line.index + 1].blank_before
              and _sequence_note(lines, lines[line.index + 1], last_note, pending, noted)):
            line.kind = "note_tail"  # the end of the last note, carried over to the next page's note block
        elif (match := NOTE_PLAIN.match(text)) and (
            notes_section
            or looks_like_reference(text[match.end():]) and (
                int(match.group(1)) in pending or (last_note and int(match.group(1)) == last_note + 1)
                or _next_note_follows(lines, line, int(match.group(1))))
            or int(match.group(1)) in pending_plain - noted and len(text) < 600
            and re.match(r"\d{1,3}\s*[A-Z“\"]", text) and not line.headings
        ) and not re.match(r"BAB\b", text[match.end():]) and (notes_section or not inline_headings(line, False)):
            line.kind, line.number = "note", int(match.group(1))
        elif (re.fullmatch(r"\d{1,3}", text) and int(text) in pending and _next_is_reference(lines, line)
              and _furniture_key(lines[line.index + 1].text) not in repeated):
            line.kind, line.number = "note", int(text)
        elif previous is not None and previous.kind == "note" and re.fullmatch(r"\d{1,3}", text):
            line.kind = "furniture"
            if previous.text.isdigit():
                line.kind, line.number = "note_continuation", previous.number
        elif previous is not None and previous.kind == "note" and previous.text.isdigit():
            line.kind, line.number = "note_continuation", previous.number
        elif FURNITURE.match(plain) or NUMBERING_ONLY.match(plain) or not re.search(r"[^\W\d_]", plain):
            line.kind = "furniture"
            if re.fullmatch(HEADING_NUMBERING, plain) and not re.fullmatch(r"\d+", plain):
                line.kind = "numbering"
        elif not front_done and not _prose_like(text) and line.index not in wrapped_prose and not (
            previous is not None and previous.kind == "numbering"
        ) and not (TERMINAL.search(plain) and len(plain.split()) >= 4 and plain[:1].isupper()):
            line.kind = "front"
        elif _caps_ratio(plain) > 0.9 and sum(c.isalpha() for c in plain) >= 4:
            line.kind = "caps"  # a title or banner in capitals, not prose
        elif (len(plain.split()) <= 3 and plain[:1].isupper() and not TERMINAL.search(plain) and line.blank_before
              and _blank_after(lines, line) and (previous is None or previous.kind != "prose"
                                                  or TERMINAL.search(previous.text))):
            line.kind = "furniture"  # web page labels: "Authors", "Downloads"
        else:
            line.kind = "prose"
            front_done = True
            line.headings = inline_headings(line, previous is not None and previous.kind == "numbering")
            for candidate in find_marker_candidates(doc.text, line.start, line.end):
                pending.add(candidate.number)
                if candidate.kind not in ("bracket", "caret", "superscript"):
                    pending_plain.add(candidate.number)
            if (
                previous is not None and previous.kind == "prose" and not line.blank_before
                and not TERMINAL.search(previous.text) and looks_like_reference(text)
                and re.match(r"(?:[A-Z][\w.'’\-]*\s?){1,5},", text)
                and _next_is_cut_end(lines, line) and not line.headings
            ):
                trailing = re.search(r"\s(\d{1,3})$", text)
                number = int(trailing.group(1)) if trailing else min(pending - noted, default=0)
                if number:
                    line.kind, line.number = "note", number
        if line.kind == "note" and line.number:
            last_note = line.number
            noted.add(line.number)
        previous = line


def _blank_after(lines: list[Line], line: Line) -> bool:
    index = line.index
    return index + 1 >= len(lines) or lines[index + 1].blank_before


def _note_goes_on(previous: Line, line: Line, last_note: int) -> bool:
    """Whether ``line`` continues the note ``previous`` belongs to: a URL or
    "diakses" line, a short line that is no prose, a lower-case line, or, in a
    pdftotext note block, a line opening with a number out of the note sequence
    ("20 Januari 2013]" after note 18).  A bare number is the page number."""
    text = line.text
    if re.fullmatch(r"\d{1,3}", text) or line.blank_before and not NOTE_CONTINUATION.match(text):
        return previous.kind == "note" and previous.text.isdigit() and not re.fullmatch(r"\d{1,3}", text)
    if (previous.kind == "note_continuation" and TERMINAL.search(previous.text) and not NOTE_CONTINUATION.match(text)
            and previous.text.count("<") <= previous.text.count(">")):
        return False  # a wrapped note goes on only while its last line is open
    if previous.kind not in ("note", "note_continuation"):
        return False
    numbered = NOTE_PLAIN.match(text)
    if numbered and int(numbered.group(1)) != last_note + 1:
        return not re.match(r"\d{1,3}\s*(?:BAB|Bab)\b", text)
    return bool(NOTE_CONTINUATION.match(text) or (not numbered and not _prose_like(text))
                or text[:1].islower() and previous.text[-1:] not in ".")


def _sequence_note(lines: list[Line], line: Line, last_note: int, pending: set[int], noted: set[int]) -> bool:
    """A line opening with the next note number that the prose announced, whose
    text (with the hanging lines under it) reads like a reference: a footnote
    at the foot of a page of pdftotext output ("4 ECPAT Internasional, …" over
    "(Medan: Restu Printing Indonesia, 2010) hal. 43")."""
    match = NOTE_PLAIN.match(line.text)
    if match is None:
        return False
    number = int(match.group(1))
    if number != last_note + 1 or number not in pending or number in noted:
        return False
    pieces = [line.text[match.end():]]
    for following in lines[line.index + 1 : line.index + 3]:
        if following.blank_before or NOTE_PLAIN.match(following.text) or _prose_like(following.text):
            break
        pieces.append(following.text)
    rest = " ".join(pieces)
    return looks_like_reference(rest) and not re.match(r"(?:BAB|Bab)\b", rest)


def _leading_number(text: str) -> int | None:
    """The note number a line opens with ("[3] …", "^3 …", "3. …", "3Ibid."), or None."""
    bracket = NOTE_BRACKET.match(text)
    if bracket:
        return int(bracket.group(1) or bracket.group(2) or bracket.group(3))
    plain = NOTE_PLAIN.match(text)
    return int(plain.group(1)) if plain else None


def _note_in_references(lines: list[Line], line: Line, number: int, last_note: int, pending: set[int],
                        noted: set[int]) -> bool:
    """A numbered line inside a bibliography that is a note: the next footnote at
    the foot of a page ("27Angel Coalition., op.cit. hal. 5" under DAFTAR
    PUSTAKA), or the first of a run of endnotes after unnumbered entries
    ("[1] …" or "1. …" lines after the Daftar Pustaka) whose markers the prose
    announced."""
    rest = text = line.text
    match = NOTE_BRACKET.match(text) or NOTE_PLAIN.match(text)
    if match is not None:
        rest = text[match.end():]
    if number == last_note + 1 and number in pending and number not in noted and last_note:
        return looks_like_reference(rest) and not re.match(r"\d{1,3}[.)]", text)
    if number != 1 or 1 not in pending or 1 in noted and not last_note:
        return False
    entries = [ln for ln in lines[: line.index] if ln.kind == "source"]
    if not entries or BULLET.match(entries[-1].text) and not re.match(r"[-•*▪]", entries[-1].text):
        return False  # a numbered bibliography
    following = [_leading_number(ln.text) for ln in lines[line.index + 1 : line.index + 12]]
    return looks_like_reference(rest) and 2 in following


def _next_note_follows(lines: list[Line], line: Line, number: int) -> bool:
    """The next line is note ``number + 1`` reading like a reference: a block of
    notes whose first marker was not recognised in the prose ("80%.1")."""
    if line.index + 1 >= len(lines):
        return False
    following = NOTE_PLAIN.match(lines[line.index + 1].text)
    return bool(following and int(following.group(1)) == number + 1
                and looks_like_reference(lines[line.index + 1].text[following.end():]))


def _next_is_reference(lines: list[Line], line: Line) -> bool:
    index = line.index
    return index + 1 < len(lines) and looks_like_reference(lines[index + 1].text) and not lines[index + 1].blank_before


def _next_is_cut_end(lines: list[Line], line: Line) -> bool:
    """The line after ``line`` is a page number or a lowercase continuation."""
    index = line.index
    if index + 1 >= len(lines):
        return True
    following = lines[index + 1].text
    return bool(re.fullmatch(r"\d{1,3}", following)) or following[:1].islower()


# ---------------------------------------------------------------- inline notes

# where a spilled note ends: "… 1994) 28. 3 Next" (the next page's number), or
# "… Bandung 2005, Halm 35 16 berakhirnya Perang …" (a page number, then the cut
# sentence going on in lower case; "hlm. 35 dan 36", "Vol. 3 no. 2" are not that)
NOTE_STOP = re.compile(r"(?<=[.)])\s+\d{1,3}\s+(?=[A-Z])")
PAGE_THEN_CUT_SENTENCE = re.compile(
    r"(?<=[.)\d])\s+\d{1,3}\s+(?!(?:dan|and|no|hlm|hal|vol|pp|ed|cet|edisi|jilid|s\.?d)\b)(?=[a-z]{3,}\s+[A-Za-z]{2,}\s+[A-Za-z]{2,})"
)


def carve_inline_notes(doc: Document, lines: list[Line]) -> list[tuple[int, int, int]]:
    """Footnote texts spilled into a running line: (start, end, number) spans.

    PDF text dumps put a page's notes straight after its last words: "…pasca
    Perang 1 Mochtar Mas'oed, Ilmu Hubungan Internasional … 1994) 28."  A note
    is taken to start where a number whose marker appeared earlier reappears
    before a capitalised word, when what follows reads like a reference or the
    next number follows in sequence.
    """
    carved: list[tuple[int, int, int]] = []
    announced: dict[int, int] = {}
    noted = {line.number for line in lines if line.kind == "note" and line.number}
    text = doc.text
    for line in lines:
        if line.kind != "prose":
            continue
        candidates = select_markers(find_marker_candidates(text, line.start, line.end), set())
        for candidate in candidates:
            announced.setdefault(candidate.number, candidate.start)
        starts: list[tuple[int, int, int]] = []
        for match in re.finditer(r"(?<=[\s.,;:)\"”])(\d{1,3})\s+(?=[A-Z“\"‘'(])", text[line.start : line.end]):
            number = int(match.group(1))
            position = line.start + match.start(1)
            if number in noted or number not in announced or announced[number] >= position:
                continue
            if any(c.start == position for c in candidates):
                continue
            starts.append((position, line.start + match.end(), number))
        accepted: list[tuple[int, int, int]] = []
        for index, (position, body, number) in enumerate(starts):
            if accepted and number <= accepted[-1][2]:
                continue
            following = [s for s in starts[index + 1 :] if s[2] == number + 1]
            segment_end = following[0][0] if following else line.end
            segment = text[body:segment_end]
            if (looks_like_reference(segment) or following or re.match(r"(?:lihat|see|cf)\b", segment, re.IGNORECASE)
                    or (accepted and accepted[-1][2] == number - 1)):
                accepted.append((position, body, number))
        for index, (position, _body, number) in enumerate(accepted):
            end = accepted[index + 1][0] if index + 1 < len(accepted) else line.end
            if index + 1 == len(accepted):
                stops = [m for m in (NOTE_STOP.search(text, position, end), PAGE_THEN_CUT_SENTENCE.search(text, position, end))
                         if m]
                if stops:
                    end = min(m.start() for m in stops)
            end = position + len(text[position:end].rstrip(BLANK))
            carved.append((position, end, number))
            noted.add(number)
        carved.extend(_trailing_number_notes(text, line, announced, noted))
    return carved


def _trailing_number_notes(text: str, line: Line, announced: dict[int, int], noted: set[int]) -> list[tuple[int, int, int]]:
    """Notes whose number follows their text: "… dimana hal “Perserikatan
    Bangsa-Bangsa“, dalam https://…, diakses 28 januari 2016. 35 40 41 tersebut …"
    (the number, then page numbers, then the cut sentence going on in lower case)."""
    found: list[tuple[int, int, int]] = []
    for match in re.finditer(r"(?<=[.)])\s+(\d{1,3})(?:\s+\d{1,3})*\s+(?=[a-z])", text[line.start : line.end]):
        number = int(match.group(1))
        at = line.start + match.start()
        if number in noted or number not in announced or announced[number] >= at:
            continue
        window_start = max(announced[number], line.start)
        for start in re.finditer(r"[“\"]|(?<=\s)[A-Z][\w'’\-]+(?:\s+[A-Z][\w'’.\-]*){0,3},", text[window_start:at]):
            q = window_start + start.start()
            segment = text[q:at]
            before = text[window_start:q].rstrip()
            if len(segment) < 400 and looks_like_reference(segment) and before and not TERMINAL.search(before):
                found.append((q, at, number))
                noted.add(number)
                break
    return found


# ---------------------------------------------------------------- assembly

def _sentence_final(text: str) -> bool:
    stripped = text.rstrip(BLANK + "*_")
    stripped = re.sub(rf"[{SUPERSCRIPT_DIGITS}]+$", "", stripped)
    stripped = re.sub(r"(?<=[.!?\"”’)])(?:\d{1,3}|\^\d{1,3}|\[\d{1,3}\])$", "", stripped)
    return bool(re.search(r"[.!?:][\"”’')\]]*$", stripped)) or stripped.endswith(("”", '"'))


def segment(doc: Document) -> Document:
    """Fill front matter, sections, paragraphs, raw notes and raw sources."""
    text = doc.text
    lines = split_lines(text)
    classify(doc, lines)
    inline = carve_inline_notes(doc, lines)
    _front_matter(doc, lines)
    _sections(doc, lines)
    _notes(doc, lines, inline)
    _sources(doc, lines)
    _paragraphs(doc, lines, inline)
    _plain_marker_hints(doc)
    return doc


def _plain_marker_hints(doc: Document) -> None:
    """Record footnote markers written as plain digits ("negatif 1 Dari",
    "nasional.1 Namun") in ``doc.marker_hints``, so the nlp stage can mask them
    like superscripts; the note numbers found above confirm the sequence."""
    note_numbers = {int(n.number) for n in doc.notes if n.number.isdigit()}
    hints = {start for start, _ in doc.marker_hints}
    spans = sorted(span for paragraph in doc.paragraphs for span in paragraph.spans())
    candidates = [c for s, e in spans for c in find_marker_candidates(doc.text, s, e) if c.kind != "bracket"]
    for candidate in select_markers(candidates, note_numbers, hints):
        if candidate.kind in ("glued_punct", "glued_word", "spaced_stop", "spaced") and candidate.start not in hints:
            doc.marker_hints.append((candidate.start, candidate.end))
    # "[12]" pointing to an endnote 12 (Word-to-HTML exports) is a marker too
    for s, e in spans:
        for candidate in find_marker_candidates(doc.text, s, e):
            if candidate.kind == "bracket" and candidate.number in note_numbers and candidate.start not in hints:
                doc.marker_hints.append((candidate.start, candidate.end))
    doc.marker_hints.sort()


def _front_matter(doc: Document, lines: list[Line]) -> None:
    front = FrontMatter()
    skip = lexicon("structure/front_matter_skip")
    title_lines: list[Line] = []
    for index, line in enumerate(lines):
        if line.kind == "keywords":
            match = KEYWORDS.match(line.text)
            if match is None and front.keywords:
                continue  # keywords already read from the label's own line
            start = line.start + (match.end() if match else 0)  # no label: the line after "Kata kunci:"
            end = line.end
            body = doc.text[start:end]
            trailing = len(body) - len(body.rstrip(" .*_"))
            end -= trailing
            front.keywords_span = (start, end)
            front.keywords = [
                FORMAT_MARKS.sub("", k).strip(" .") for k in re.split(r"[,;]", doc.text[start:end]) if k.strip(" .*_")
            ]
            continue
        if line.kind not in ("front",):
            continue
        plain = FORMAT_MARKS.sub("", MARKDOWN_HEADING.sub(r"\2", line.text)).strip()
        supervisor = SUPERVISOR.match(plain)
        if supervisor:
            front.supervisors.extend(n.strip() for n in re.split(r"\s*[,;&]\s*|\s+dan\s+", supervisor.group(1)) if n.strip())
            continue
        author = AUTHOR_LABEL.match(plain)
        if author and author.group(1).strip() and not front.authors:
            front.authors.append(author.group(1).strip())
            continue
        if author and not author.group(1).strip():
            following = next((ln for ln in lines[index + 1 :] if ln.kind == "front"), None)
            if following is not None:
                following.kind = "front_author"
            continue
        lower = plain.lower()
        if any(re.search(rf"\b{re.escape(word)}", lower) for word in skip) or re.fullmatch(r"[\d\s.:/-]+", plain):
            continue
        if not front.title or (title_lines and not line.blank_before and title_lines[-1] is lines[index - 1]
                               and not front.authors):
            title_lines.append(line)
            front.title = " ".join(FORMAT_MARKS.sub("", MARKDOWN_HEADING.sub(r"\2", t.text)).strip()
                                   for t in title_lines)
            front.title = re.sub(r"\s+", " ", front.title)
            front.title_span = (title_lines[0].start, title_lines[-1].end)
            continue
        if _is_name(plain) and len(front.authors) < 6:
            front.authors.extend(n.strip() for n in re.split(r"\s*[,;&]\s*|\s+dan\s+", plain) if n.strip())
    for line in lines:
        if line.kind == "front_author":
            # "Muhammad Adhi (20180510069)": the student number is not part of the name
            front.authors.append(re.sub(r"\s*[(\[]?\d{6,}[)\]]?\s*$", "", FORMAT_MARKS.sub("", line.text)).strip())
            line.kind = "front"
    doc.front = front


def _is_name(text: str) -> bool:
    text = re.sub(r"[·*†‡\d,]+$", "", text).strip()
    words = re.split(r"\s+|\s*&\s*", text)
    return 1 <= len(words) <= 8 and not re.search(r"\d", text) and all(
        w[:1].isupper() or w.lower() in ("dan", "&", "bin", "binti", "van", "de") for w in words if w
    )


def _sections(doc: Document, lines: list[Line]) -> None:
    shaped, chapters = _fit_outline(doc, lines)
    headings: list[tuple[int, int, str, int]] = []  # start, end, role, level
    after_keywords = False
    for line in lines:
        if line.kind == "heading":
            headings.append((line.start, line.end, line.role, line.level))
        elif line.kind == "prose" and line.headings:
            headings.extend(line.headings)
        elif line.kind == "keywords" and after_keywords:
            headings[-1] = (line.end, line.end, "body", 1)  # the keywords went on on this line
        elif line.kind == "keywords" and headings and headings[-1][2] == "abstract":
            headings.append((line.end, line.end, "body", 1))  # prose after the keywords is the body
            after_keywords = True
            continue
        after_keywords = False
    first_content = next(
        (ln.headings[0][0] if ln.headings else ln.start for ln in lines if ln.kind in ("prose", "note", "source")),
        None,
    )
    if first_content is not None and (not headings or first_content < headings[0][0]):
        leading = "front" if headings and headings[0][2] == "front" else "body"  # a cover page before "LEMBAR PENGESAHAN"
        headings.insert(0, (first_content, first_content, leading, 1))
    if not headings:
        headings.append((0, 0, "body", 1))
    merged: list[tuple[int, int, str, int]] = []
    for start, end, role, level in headings:
        between = doc.text[merged[-1][1] : start] if merged else "x"
        if merged and not between.strip(BLANK) and re.fullmatch(
            r"(?:\d{1,3}\s+)?BAB\s+\S+", doc.text[merged[-1][0] : merged[-1][1]]
        ):
            previous = merged.pop()
            merged.append((previous[0], end, role or previous[2], previous[3]))
            continue
        merged.append((start, end, role, level))
    merged = [
        h for k, h in enumerate(merged)
        if h[0] != h[1] or k + 1 == len(merged) or doc.text[h[1] : merged[k + 1][0]].strip(BLANK)
        and any(h[1] <= ln.start < merged[k + 1][0] for ln in lines if ln.kind in ("prose", "note", "source"))
    ]
    sections: list[Section] = []
    enclosing: list[tuple[int, str, bool]] = []  # (level, role, is a chapter: "BAB …", markdown, "2 Landasan Teori")
    seen_end = False
    for index, (start, end, role, level) in enumerate(merged):
        written = doc.text[start:end]
        chapter = bool(re.match(r"(?:\d{1,3}\s+)?(?:BAB|Bab)\b|#", written)) or start in chapters
        while enclosing and enclosing[-1][0] >= level:
            enclosing.pop()
        role = _nested_role(role, enclosing, shaped)
        if not role:
            role = "other" if seen_end else "body"
        enclosing.append((level, role, chapter))
        if role in ("conclusion", "suggestions", "references"):
            seen_end = True
        section_end = merged[index + 1][0] if index + 1 < len(merged) else len(doc.text.rstrip(BLANK))
        sections.append(
            Section(
                id=f"s{index + 1}",
                start=start,
                end=max(section_end, end),
                heading=re.sub(r"\s+", " ", FORMAT_MARKS.sub("", doc.text[start:end])).strip(" #:"),
                heading_start=start,
                heading_end=end,
                role=role,
                level=level,
            )
        )
    doc.sections = sections


STRUCTURAL_ROLES = ("abstract", "references", "notes", "front", "appendix", "other")
INTRODUCTION_PARTS = ("research_question", "objectives", "hypothesis", "theory", "method")
BODY_PARTS = (*INTRODUCTION_PARTS, "results")
CLOSING_ROLES = ("conclusion", "suggestions")


def _nested_role(role: str, enclosing: list[tuple[int, str, bool]], shaped: bool) -> str:
    """The role of a section inside a chapter.  BAB I keeps its parts ("1.2 Rumusan
    Masalah" is research_question) and the rest is introduction; the closing chapter is
    conclusion or suggestions ("5.2 Kendala" under "BAB V PENUTUP" is conclusion); in
    the chapters between, "4.2 Pengujian Model" takes its chapter's role and a
    chapter's own "5.1 Pendahuluan" or "5.4 Kesimpulan" is not the thesis's."""
    chapter = next((entry for entry in reversed(enclosing) if entry[2]), None)
    if chapter is None and not role and enclosing and enclosing[-1][1] in ("theory", "method", "results"):
        return enclosing[-1][1]  # "1.6.1 Konsep Hubungan Bilateral" under "1.6. Landasan Konsep"
    if chapter is None or role in STRUCTURAL_ROLES:
        return role
    chapter_role, parent_role = chapter[1], enclosing[-1][1]
    if chapter_role == "introduction":
        return role if role in INTRODUCTION_PARTS else "introduction"
    if chapter_role in CLOSING_ROLES:
        return role if role in CLOSING_ROLES else chapter_role
    if chapter_role in BODY_PARTS or (shaped and chapter_role == "body"):
        if role in BODY_PARTS and not (role == "results" and chapter_role in ("theory", "method")):
            return role  # "3.4 Eksperimen" in a method chapter is the design of the experiment
        return parent_role if parent_role in ("theory", "method", "results") else chapter_role
    return role


def _roman(numeral: str) -> int:
    values = {"I": 1, "V": 5, "X": 10, "L": 50}
    total = 0
    for k, char in enumerate(numeral):
        value = values[char]
        total += -value if k + 1 < len(numeral) and values[numeral[k + 1]] > value else value
    return total


def _outline_number(text: str) -> tuple[tuple[int, ...], str] | None:
    """The chapter/subsection number a heading starts with and how it is written:
    "BAB IV" → ((4,), "bab"), "2.3.1 …" → ((2, 3, 1), "plain"), "2. …" → ((2,), "dotted")."""
    plain = re.sub(r"^#{1,6}\s+", "", FORMAT_MARKS.sub("", text).strip())
    bab = re.match(r"(?:\d{1,3}\s+)?(?:BAB|Bab)\s+([IVXL]+|\d{1,2})\b", plain)
    if bab:
        number = bab.group(1)
        return ((int(number) if number.isdigit() else _roman(number)),), "bab"
    roman = re.match(r"([IVX]+)\.(\d{1,2}(?:\.\d{1,2})*)\.?\s+\S", plain)
    if roman:
        return (_roman(roman.group(1)), *(int(n) for n in roman.group(2).split("."))), "roman"
    decimal = re.match(r"(\d{1,2}(?:\.\d{1,2})*)(\.?)\s+\S", plain)
    if decimal:
        return tuple(int(n) for n in decimal.group(1).split(".")), "dotted" if decimal.group(2) else "plain"
    return None


def _follows(previous: tuple[int, ...], number: tuple[int, ...]) -> float | None:
    """What it costs for ``number`` to come next after ``previous`` in a thesis
    outline, or None when it cannot: nothing for a first child (2.4 → 2.4.1), the next
    sibling (2.4 → 2.5) or the next of an ancestor (2.4.1 → 3), up to two headings
    missed on the way; a bigger jump forward (an excerpt going from BAB I to BAB V)
    costs more than half a heading, so that an outline line never wins over chapters."""
    common = next((k for k, (a, b) in enumerate(zip(previous, number, strict=False)) if a != b), None)
    if common is None:
        if len(number) <= len(previous):
            return None
        return 0.0 if 1 <= number[len(previous)] <= 2 and all(n <= 2 for n in number[len(previous) + 1 :]) else None
    if number[common] <= previous[common] or any(n > 2 for n in number[common + 1 :]):
        return None
    return 0.0 if number[common] - previous[common] <= 3 else 0.6


def _standalone_title(lines: list[Line], line: Line) -> bool:
    """A line standing alone between blank lines that reads like a long numbered
    title ("2.5 Energy-Based Model (EBM) Adalah Bentuk General dari …")."""
    plain = FORMAT_MARKS.sub("", line.text).strip()
    return (line.blank_before and _blank_after(lines, line) and not line.headings and len(plain) <= 250
            and len(plain.split()) <= 30 and not re.search(r"[.,;:!?]$", plain)
            and bool(re.match(r"\S+\s+[A-Z(“\"]", plain)))


def _fit_outline(doc: Document, lines: list[Line]) -> tuple[bool, set[int]]:
    """Keep the numbered headings of a thesis ("BAB I", "1.1 Latar Belakang", "2.3.1 …")
    that fit one numbering sequence and give them their levels (a chapter is level 1).

    The sequence is the longest chain of numbers each following the one before
    (``_follows``): a chapter outline inside "Sistematika Penulisan" ("BAB V Kesimpulan
    dan Saran" after "1.6") and numbered list items ("1. Laptop ASUS …" after "4.1.1")
    fall out of it and become prose again; long numbered titles that fit it become
    headings.  Only documents shaped like a thesis are touched: three or more
    subsection numbers, or two different BAB numbers.  Returns (shaped, where the
    chapters start)."""
    candidates: list[tuple[int, tuple[int, ...], str, float, Line, int]] = []  # start, number, style, weight, line, piece
    for line in lines:
        if line.kind == "heading" and (parsed := _outline_number(line.text)):
            candidates.append((line.start, *parsed, 1.0, line, -1))
        elif line.kind == "prose" and line.headings:
            for k, (s, e, _, _) in enumerate(line.headings):
                if parsed := _outline_number(doc.text[s:e]):
                    candidates.append((s, *parsed, 0.8, line, k))
        elif (line.kind in ("prose", "caps") and _standalone_title(lines, line)
              and (parsed := _outline_number(line.text)) and (parsed[1] != "dotted" or len(parsed[0]) > 1)):
            candidates.append((line.start, *parsed, 0.8, line, -2))
    written = [c for c in candidates if c[5] != -2]
    subsections = sum(len(c[1]) >= 2 and c[2] != "bab" for c in written)
    chapters_seen = {c[1] for c in written if c[2] == "bab"}
    if subsections < 3 and len(chapters_seen) < 2:
        return False, set()
    positions = {c[4].index: c for c in candidates if c[5] < 0}
    # ties (chapters without subsections) go to the heading that opens its first
    # subsection or the longer stretch of text: a chapter, not its line in the outline
    epsilon = 0.4 / (len(candidates) + 1)
    weights: list[float] = []
    for k, (start, number, _, weight, line, _) in enumerate(candidates):
        following = positions.get(line.index + 1)
        if following is not None and len(following[1]) <= len(number):
            weight -= 0.5  # a heading is followed by content, not by its next sibling
        extent = next((c[0] for c in candidates[k + 1 :] if len(c[1]) <= len(number)), len(doc.text)) - start
        opens = k + 1 < len(candidates) and candidates[k + 1][1] == (*number, 1)
        weight += epsilon * (min(1.0, extent / 5000) + opens) / 2
        weights.append(weight)
    best = list(weights)
    back = [-1] * len(candidates)
    for i, candidate in enumerate(candidates):
        for j in range(i):
            cost = _follows(candidates[j][1], candidate[1])
            if cost is not None and best[j] + weights[i] - cost > best[i]:
                best[i], back[i] = best[j] + weights[i] - cost, j
    chain: set[int] = set()
    k = max(range(len(candidates)), key=best.__getitem__) if candidates else -1
    while k >= 0:
        chain.add(k)
        k = back[k]
    chapters: set[int] = set()
    dropped: dict[int, set[int]] = {}
    for k, (start, number, _, _, line, piece) in enumerate(candidates):
        if k not in chain:
            if piece >= 0:
                dropped.setdefault(line.index, set()).add(piece)
            elif piece == -1:
                line.kind, line.role = ("caps" if _caps_ratio(line.text) > 0.9 else "prose"), ""
            continue
        if len(number) == 1:
            chapters.add(start)
        if piece >= 0:
            s, e, role, _ = line.headings[piece]
            line.headings[piece] = (s, e, role, len(number))
        else:
            if piece == -2:
                line.kind, line.role = "heading", heading_role(line.text) or ""
            line.level = len(number)
    for index, pieces in dropped.items():
        lines[index].headings = [h for k, h in enumerate(lines[index].headings) if k not in pieces]
    # in a numbered thesis an unnumbered heading names a part (Abstrak, Daftar Pustaka) or
    # a chapter after its bare "BAB III" line; other caps or bold lines are not headings
    first = min((candidates[k][0] for k in chain), default=len(doc.text))
    for line in lines:
        if (line.kind == "heading" and not line.role and line.start > first and not MARKDOWN_HEADING.match(line.text)
                and not NUMBERED_HEADING.match(FORMAT_MARKS.sub("", line.text).strip()) and not _outline_number(line.text)
                and not _chapter_name(lines[line.index - 1], line)):
            line.kind = "caps" if _caps_ratio(line.text) > 0.9 else "prose"
    return True, chapters


def _section_at(doc: Document, position: int) -> str:
    current = doc.sections[0].id if doc.sections else ""
    for section in doc.sections:
        if section.start <= position:
            current = section.id
    return current


def _notes(doc: Document, lines: list[Line], inline: list[tuple[int, int, int]]) -> None:
    spans: list[tuple[int, int, int]] = []
    tails: list[tuple[int, int]] = []  # ends of notes carried over to the next page's note block
    for line in lines:
        if line.kind == "note" and line.number is not None:
            spans.append((line.start, line.end, line.number))
        elif line.kind == "note_continuation" and spans:
            start, _, number = spans[-1]
            spans[-1] = (start, line.end, number)
        elif line.kind == "note_tail":
            tails.append((line.start, line.end))
    spans.extend(inline)
    spans.sort()
    notes: list[Note] = []
    used: dict[str, int] = {}
    for start, end, number in spans:
        body = doc.text[start:end]
        marker = re.match(rf"^\s*(?:[{SUPERSCRIPT_DIGITS}]+|\[\^?\d{{1,3}}\]:?|\^\d{{1,3}}|\d{{1,3}}[.)]?)\s*", body)
        content = body[marker.end():] if marker else body
        content = re.sub(r"\s*\n\s*(?:\d{1,3}\s*\n\s*)?", " ", content)
        content = re.sub(r"\s+\d{1,3}$", "", content) if re.fullmatch(r"\d{1,3}", body.split("\n")[0].strip()) else content
        note_id = f"n{number}"
        if note_id in used:
            used[note_id] += 1
            note_id = f"n{number}_{used[note_id]}"
        else:
            used[note_id] = 1
        notes.append(Note(id=note_id, number=str(number), start=start, end=end, text=content.strip()))
    for tail_start, tail_end in tails:
        # the tail belongs to the last note written before it (the previous page's last)
        owner = next((note for note in reversed(notes) if note.end <= tail_start), None)
        if owner is None:
            continue
        owner.parts = [*owner.spans(), (tail_start, tail_end)]
        owner.end = tail_end
        owner.text = f"{owner.text} {doc.text[tail_start:tail_end].strip()}"
    doc.notes = notes


def _sources(doc: Document, lines: list[Line]) -> None:
    entries: list[list[Line]] = []
    groups: list[str] = []
    group = ""
    closed = False
    for line in lines:
        if line.kind == "group":
            group = line.group
            closed = True  # a sub-heading ends the entry above it
            continue
        if line.kind != "source":
            continue
        previous = entries[-1][-1] if entries and not closed else None
        closed = False
        if previous is not None and _continues_entry(previous, line, entries[-1]):
            entries[-1].append(line)
            continue
        entries.append([line])
        groups.append(group)
    sources: list[Source] = []
    for index, (entry, group_name) in enumerate(zip(entries, groups, strict=True)):
        bullet = re.match(r"^[-•*▪]\s+", entry[0].text)
        start = entry[0].start + (bullet.end() if bullet else 0)
        pieces: list[str] = []
        for k, line in enumerate(entry):
            piece = line.text if k else line.text[bullet.end() if bullet else 0 :]
            if pieces and (pieces[-1].count("<") > pieces[-1].count(">") or pieces[-1].endswith(("-", "/"))):
                pieces[-1] += piece
            else:
                pieces.append(piece)
        sources.append(
            Source(id=f"b{index + 1}", start=start, end=entry[-1].end, text=" ".join(pieces), group=group_name)
        )
    doc.sources = sources


def _continues_entry(previous: Line, line: Line, entry: list[Line]) -> bool:
    joined = " ".join(ln.text for ln in entry)
    if joined.count("<") > joined.count(">") or joined.count("(") > joined.count(")"):
        return True
    text = line.text
    particle_name = PARTICLE_NAME_START.match(text)  # "van der Pijl, K. (2012)." opens an entry
    if (LOWER_AUTHOR_YEAR_START.match(text) and re.search(r"[.)>\]]$|https?://\S+$", previous.text)
            and (_entry_year(joined) or re.search(r"\bn\.\s?d\.", joined))):
        return False  # "baeldung. 2021. …" after an entry that ended: a new entry
    if re.match(r"^\[(?!\d{1,3}\])", text) or NOTE_CONTINUATION.match(text) or (text[:1].islower() and not particle_name):
        return True
    if line.blank_before:
        return False
    if BULLET.match(text):
        return False
    if BULLET.match(entry[0].text):
        return True  # hanging lines of a bulleted entry
    if (AUTHOR_YEAR_START.match(text) and _entry_year(joined) and len(joined) >= 40
            and not re.search(r"[,:&]$|\b(?:dan|and)$", previous.text)):
        return False  # "Bennet, A. Leroy., 1995." after an entry whose last line has no full stop
    if not re.search(r"[.)>\]]$|https?://\S+$", previous.text):
        return True
    if ENTRY_START.match(text) or AUTHOR_YEAR_START.match(text) or particle_name:
        return False
    # a line with a year of its own after an entry that has one opens the next entry
    # ("Undang-Undang … Nomor 37 Tahun 1999 tentang …"); "Boston: Little, Brown, 1977." goes on
    return not (text[:1].isupper() and _entry_year(joined) and _entry_year(text)
                and not re.match(r"^[A-Z][\w\s.&'’\-]{0,40}:\s", text))


def _entry_year(text: str) -> bool:
    return bool(re.search(r"\b(?:1[5-9]\d\d|20\d\d)[a-z]?\b", re.sub(r"https?://\S+|www\.\S+", " ", text)))


# repository metadata exports: "dc.description.abstract | Terorisme, … Tenggara. | en_US |"
REPOSITORY_FIELD = re.compile(r"[a-z]{2,12}(?:\.[a-z]+)+\s*\|\s*")
REPOSITORY_LANGUAGE = re.compile(r"\s*\|\s*[a-z]{2}(?:_[A-Z]{2})?\s*\|?\s*$")


def _paragraphs(doc: Document, lines: list[Line], inline: list[tuple[int, int, int]]) -> None:
    """Running prose into paragraphs; pieces cut by notes or page breaks rejoined."""
    text = doc.text
    pieces: list[tuple[int, int, bool, bool]] = []  # start, end, blank_before, interrupted
    interrupted = False
    inline_sorted = sorted(inline)
    for line in lines:
        if line.kind != "prose":
            if line.kind in ("note", "note_continuation", "note_tail", "furniture", "numbering"):
                interrupted = True
            else:
                interrupted = False
                pieces.append((-1, -1, True, False))  # hard boundary (heading, keywords, …)
            continue
        start = line.headings[-1][1] if line.headings else line.start
        for heading in line.headings:
            pieces.append((-1, -1, True, False))
            del heading
        segments = [(start, line.end)]
        for note_start, note_end, _ in inline_sorted:
            if line.start <= note_start < line.end:
                head_start, head_end = segments.pop()
                segments.append((head_start, note_start))
                if note_end < head_end:
                    segments.append((note_end, head_end))
        for k, (s, e) in enumerate(segments):
            chunk = text[s:e]
            lead = len(chunk) - len(chunk.lstrip(BLANK))
            s += lead
            page = re.match(r"(?:\d{1,3}\s+)+(?=[A-Za-z])", text[s:e]) if k else None
            if page:
                s += page.end()
            field = REPOSITORY_FIELD.match(text, s, e)
            if field:
                s = field.end()
            e = s + len(text[s:e].rstrip(BLANK))
            language = REPOSITORY_LANGUAGE.search(text, s, e)
            if language:
                e = language.start()
            if e <= s:
                continue
            pieces.append((s, e, line.blank_before if k == 0 else True, interrupted or k > 0))
            interrupted = False
    paragraphs: list[list[tuple[int, int]]] = []
    joinable = False
    boundary = True
    for start, end, blank_before, cut in pieces:
        if start < 0:
            joinable = False
            boundary = True
            continue
        piece_text = text[start:end]
        continues = joinable or (not boundary and not blank_before and not cut and _wrapped(paragraphs[-1], text))
        if paragraphs and continues and not BULLET.match(piece_text):
            paragraphs[-1].append((start, end))
        else:
            paragraphs.append([(start, end)])
        boundary = False
        first = paragraphs[-1][0][0]
        joinable = not _sentence_final(piece_text) and not BULLET.match(text[first:end])
    result: list[Paragraph] = []
    for spans in paragraphs:
        merged: list[tuple[int, int]] = []
        for s, e in spans:
            gap = text[merged[-1][1] : s] if merged else "x"
            # lines of one paragraph run together; a blank line inside it (text that
            # puts a blank line after every line) stays a cut, which the tokenizer
            # would otherwise take for a paragraph break
            if not gap.strip(BLANK) and gap.count("\n") < 2 and "\f" not in gap:
                merged[-1] = (merged[-1][0], e)
            else:
                merged.append((s, e))
        result.append(
            Paragraph(
                id=f"p{len(result) + 1}",
                start=merged[0][0],
                end=merged[-1][1],
                section=_section_at(doc, merged[0][0]),
                parts=merged if len(merged) > 1 else [],
            )
        )
    doc.paragraphs = result


def _wrapped(spans: list[tuple[int, int]], text: str) -> bool:
    """A line that follows the previous one without a blank line continues its
    paragraph when the previous physical line was hard-wrapped (not a whole
    one-line paragraph)."""
    previous_end = spans[-1][1]
    line_start = text.rfind("\n", 0, previous_end) + 1
    return previous_end - line_start < 150


class Structure:
    """The stage: front matter, sections with roles, paragraphs, raw notes and sources."""

    name = "structure"
    requires = ("text", "marker_hints", "non_prose")
    assigns = ("front", "sections", "paragraphs", "notes", "sources")

    def __init__(self, config: object = None) -> None:
        del config  # word lists only: nothing to configure

    def __call__(self, doc: Document) -> Document:
        return segment(doc)
