"""Every line gets a kind: front, heading, keywords, note, source, group, furniture, prose."""

from __future__ import annotations

import re

from pipeline.lexicons import lexicon
from pipeline.markers import (
    SUPERSCRIPT_DIGITS,
    SUPERSCRIPT_TO_DIGIT,
    find_marker_candidates,
)
from pipeline.model import Document
from pipeline.structure.headings import (
    BAB,
    FORMAT_MARKS,
    HEADING_NUMBERING,
    MARKDOWN_HEADING,
    NUMBERED_HEADING,
    NUMBERING_ONLY,
    TERMINAL,
    caps_ratio,
    full_line_heading,
    heading_role,
    inline_headings,
    normalise_heading,
)
from pipeline.structure.lines import Line, section_terms

# a figure's caption as pandoc writes it from LaTeX or Markdown: the whole line in brackets,
# balanced ("[Logo Docker[34]]"); a wrapped line "[2, 3] oleh … [4]" or "[…] tersebut [2]" is prose
CAPTION_LINE = r"\[(?![\d…]|\.\.\.)(?:[^\[\]\n]|\[[^\[\]\n]*\])*\]"
CAPTION = re.compile(rf"{CAPTION_LINE}$")
FURNITURE = re.compile(
    r"^(?:\(?\d{1,4}\)?|[-–—]\s*\d{1,4}\s*[-–—]|page \d+.*|upload:.*|post on .*|\d+ views?|category:?|documents?"
    r"|\d+ downloads?|transcript|<chapterid>.*|!\[.*|\|.*\||[-*_=]{3,}|halaman \d+( dari \d+)?"
    r"|(?:\*|_)?(?:gambar|tabel|grafik|figure|table|diagram|bagan)\s+[\dIVX.]+.{0,120}|sumber\s*:.{0,150}"
    r"|[•·▪●◦]\s*\S.{0,60}|[-*]\s+[^.!?]{0,60}|<?https?://\S+|.{0,120}?(?:\.\s?){4,}\s*[\divxlc]+"
    # the page counts under a thesis abstract: "xi + 52 halaman; 23 gambar", "Daftar acuan: 11 (1973-2013)"
    r"|[xvil]+\s*\+\s*\d+\s*(?:halaman|hlm\.?|pages?)\b.{0,80}|daftar\s+(?:acuan|pustaka|referensi)\s*:\s*\d+.{0,40}"
    rf"|{CAPTION_LINE})$",
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
    if caps_ratio(text) > 0.8:
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
            if (len(joined) >= 250 and long_lines >= 0.6 * len(block) and caps_ratio(joined) < 0.3
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


def chapter_name(previous: Line | None, line: Line) -> bool:
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
        if heading is None and chapter_name(previous, line):
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
        elif caps_ratio(plain) > 0.9 and sum(c.isalpha() for c in plain) >= 4:
            line.kind = "caps"  # a title or banner in capitals, not prose
        elif (len(plain.split()) <= 3 and plain[:1].isupper() and not TERMINAL.search(plain) and line.blank_before
              and blank_after(lines, line) and (previous is None or previous.kind != "prose"
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


def blank_after(lines: list[Line], line: Line) -> bool:
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
    at the foot of a page of pdftotext output ("4 Nama Penulis, Judul Buku, …" over
    "(Kota: Penerbit, 2010) hal. 43")."""
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
    announced, or that are bracketed ("[1] …", "[2] …") after entries that are not."""
    rest = text = line.text
    match = NOTE_BRACKET.match(text) or NOTE_PLAIN.match(text)
    if match is not None:
        rest = text[match.end():]
    if number == last_note + 1 and number in pending and number not in noted and last_note:
        return looks_like_reference(rest) and not re.match(r"\d{1,3}[.)]", text)
    if number != 1:
        return False
    entries = [ln for ln in lines[: line.index] if ln.kind == "source"]  # only for a "1"
    if (text.startswith("[1]") and entries and not any(ln.text.startswith("[") for ln in entries)
            and any(ln.text.startswith("[2]") for ln in lines[line.index + 1 : line.index + 12])):
        return True  # pandoc's endnotes "[1] …", "[2] …" after an author–year bibliography, of any content
    if 1 not in pending or 1 in noted and not last_note:
        return False
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


