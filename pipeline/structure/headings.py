"""Headings of every shape: markdown, BAB chapters, numbered, lettered, ALL-CAPS, and headings run into the first sentence of a line."""

from __future__ import annotations

import re

from pipeline.lexicons import lexicon
from pipeline.structure.lines import Line, section_terms

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


def caps_ratio(text: str) -> float:
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
    if (caps_ratio(plain) > 0.9 and len(words) <= 10 and letters >= 4 and letters >= 0.6 * len(plain.replace(" ", ""))
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


