"""Footnote markers of every kind, in one place.

Every stage that needs to know whether a number in the text is a footnote
marker asks here: superscript digits (¹²³, what ingest writes for raised PDF
characters and DOCX footnote references), ``^n`` and ``[^n]``, bracketed
``[n]``, and plain digits glued to punctuation or standing between words, as
pdftotext, copy-paste and cp1252 exports give them ("kuat.12", "tahun 2010.3").
:func:`find_marker_candidates` lists what looks like a marker;
:func:`select_markers` keeps the candidates that form a footnote sequence.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from pipeline.lexicons import lexicon, pairs

YEAR = r"(?:1[5-9]\d\d|20\d\d)"  # a year a text can cite or a bibliography entry carry
SUPERSCRIPT_DIGITS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
SUPERSCRIPT_TO_DIGIT = str.maketrans(SUPERSCRIPT_DIGITS, "0123456789")
DIGIT_TO_SUPERSCRIPT = str.maketrans("0123456789", SUPERSCRIPT_DIGITS)


def superscript(number: int | str) -> str:
    """``12`` → ``¹²``: how every reader writes a marker it knows is one."""
    return str(number).translate(DIGIT_TO_SUPERSCRIPT)


def marker_number(written: str) -> int | None:
    """The number a marker as written stands for ("¹²", "[12]", "^12", "12") or None."""
    digits = "".join(c for c in written.translate(SUPERSCRIPT_TO_DIGIT) if c.isdigit())
    return int(digits) if digits else None


@dataclass
class MarkerCandidate:
    """A footnote-marker-looking number in running text."""

    start: int
    end: int
    number: int
    kind: str  # superscript | caret | bracket | glued_punct | glued_word | spaced_stop | spaced | hint


SUPERSCRIPT_RUN = re.compile(f"[{SUPERSCRIPT_DIGITS}]+")
# an exponent, not a marker: "h⁽¹⁾", "W⁽²⁾" (raised parentheses), a one-letter variable, "h⁰", "x²"
# (not a Roman numeral: "Perang Dunia I³" carries note 3), or a power of ten, "1,013 × 10⁵"
LETTER = rf"[^\W\d_{SUPERSCRIPT_DIGITS}]"  # a letter: Python's \w counts "¹" as one
EXPONENT = re.compile(f"⁽[{SUPERSCRIPT_DIGITS}]+⁾|(?<!{LETTER})(?![IVX][{SUPERSCRIPT_DIGITS}]){LETTER}[{SUPERSCRIPT_DIGITS}]+"
                      f"|\\d\\s?[×x·*]\\s?10[⁻{SUPERSCRIPT_DIGITS}]+")
CARET = re.compile(r"\[\^(\d{1,3})\]|(?<!\})\^\{?(\d{1,3})\}?")  # not "p_{ref}^2", an exponent
# TeX mathematics kept by a LaTeX conversion ("$$\left(\frac{p}{p_{ref}}\right)^2 = 2 \log…$$"):
# its numbers and powers are never markers.  Inline "$…$" as pandoc reads it: the opening "$"
# neither escaped nor after a letter or digit, the closing one neither escaped nor before a
# digit, and a TeX sign inside, so that amounts in dollars ("US$1 = Rp14.000 … US$2",
# "\$5 juta … \$2 juta") are not mathematics; the sign is found by a look-ahead, so that a
# long line with an unclosed "$" costs linear time
TEX_MATH = re.compile(r"\$\$.+?\$\$|(?<![\\$\w])\$(?=\S)(?=[^$\n]*?[\\^_{}=])[^$\n]*(?<=[^\s\\])\$(?!\d)"
                      r"|\\\(.+?\\\)|\\\[.+?\\\]", re.DOTALL)
BRACKET = re.compile(r"\[(\d{1,3})\]")
GLUED_PUNCT = re.compile(r"(?<=[^\W\d_][.,;:!?]|%[.;:!?])(\d{1,3})(?=[\s)]|$)"
    r"|(?<=[)\"”’'])(\d{1,3})(?=\s|$)|(?<=[)\"”’'][.,;:])(\d{1,3})(?=\s|$)")
GLUED_YEAR = re.compile(r"(?<=\b(?:1[89]\d\d|20\d\d)[.;:])(\d{1,2})(?=\s+[A-Z]|$)|(?<=\b(?:1[89]\d\d|20\d\d),)(\d{1,2})(?=\s+[A-Za-z])")
GLUED_WORD = re.compile(r"(?<=[a-z]{3})(\d{1,3})(?=[\s.,;:]|$)")
SPACED_STOP = re.compile(r"(?<=[^\W\d_][.!?]\s)(\d{1,3})(?=\s+[A-Z][a-z])")
SPACED = re.compile(r"(?<=[^\W\d_][.,;:!?)\"”’]\s)(\d{1,3})(?=\s|$)|(?<=[^\W\d_]\s)(\d{1,3})(?=\s+[A-Z])"
                    r"|(?<=\)\s)(\d{1,3})(?=\s+[a-z])")
WORD_BEFORE = re.compile(r"([^\W\d_][\w\-]*)\W*$")


# a number right after a sentence's end ("kuat.1", "kekuasaan.”1", "Indonesia. [2]") and before
# the next sentence or the end of the paragraph
SENTENCE_END_BEFORE = re.compile(r"[.!?][”\"’)]?\s?$")
NEXT_SENTENCE = re.compile(r"\s+[A-Z“\"‘(\[]|\s*$")


def after_sentence_end(text: str, candidate: MarkerCandidate) -> bool:
    """Whether a plain or bracketed number stands where a footnote marker of a text without
    note text would: after a sentence's full stop ("kuat.1 Korban", "kekuasaan.”1 Selain",
    "Belanda.[1] Aktivis"), not after an abbreviation's ("Zhang dkk. [1]", "et al. [2]")."""
    before = text[max(candidate.start - 3, 0) : candidate.start]
    end_of_sentence = SENTENCE_END_BEFORE.search(before)
    if end_of_sentence is None or NEXT_SENTENCE.match(text[candidate.end : candidate.end + 3]) is None:
        return False
    stop = candidate.start - len(before) + end_of_sentence.start()
    words = text[max(stop - 12, 0) : stop + 1].lower().split()
    abbreviations = pairs("nlp/abbreviations")
    return not (words and (words[-1] in abbreviations or " ".join(words[-2:]) in abbreviations))


def _previous_word(text: str, position: int) -> str:
    match = WORD_BEFORE.search(text[max(0, position - 40) : position])
    return match.group(1).lower() if match else ""


def _next_word(text: str, position: int) -> str:
    match = re.match(r"\s*([%\w\-]+)", text[position : position + 40])
    return match.group(1).lower() if match else ""


def find_marker_candidates(text: str, start: int, end: int) -> list[MarkerCandidate]:
    """Every number in ``text[start:end]`` shaped like a footnote marker.

    Superscripts and ``^n`` are certain; plain digits glued to punctuation
    ("nasional.1 Namun") or standing alone between words ("negatif 1 Dari") are
    candidates that :func:`select_markers` keeps only when the note sequence
    agrees; numbers after a counting word ("tahun 2008", "Bab 3") or before a
    unit ("26 persen") are never markers.
    """
    chunk = text[start:end]
    found: dict[int, MarkerCandidate] = {}
    context = lexicon("citations/citation_number_context")
    units = lexicon("citations/citation_quantity_units")

    def add(s: int, e: int, number: int, kind: str) -> None:
        inside = bisect_right(math_starts, s) - 1  # the last formula starting at or before s
        if inside >= 0 and s < mathematics[inside][1]:
            return
        if s + start not in found:
            found[s + start] = MarkerCandidate(s + start, e + start, number, kind)

    exponents = [(match.start(), match.end()) for match in EXPONENT.finditer(chunk)]
    mathematics = [(match.start(), match.end()) for match in TEX_MATH.finditer(chunk)]
    math_starts = [m_start for m_start, _ in mathematics]
    for match in SUPERSCRIPT_RUN.finditer(chunk):
        if any(s <= match.start() and match.end() <= e for s, e in exponents):
            continue
        unit = re.search(r"(?<![^\W\d_])[^\W\d_]+$", chunk[max(match.start() - 6, 0) : match.start()])
        if match.group() in ("²", "³") and unit and unit.group().lower() in units:
            continue  # "1.904.569 km²", "12 m³": a unit's power
        add(match.start(), match.end(), int(match.group().translate(SUPERSCRIPT_TO_DIGIT)), "superscript")
    for match in CARET.finditer(chunk):
        add(match.start(), match.end(), int(match.group(1) or match.group(2)), "caret")
    for match in BRACKET.finditer(chunk):
        add(match.start(), match.end(), int(match.group(1)), "bracket")
    patterns = ((GLUED_PUNCT, "glued_punct"), (GLUED_YEAR, "glued_punct"), (GLUED_WORD, "glued_word"), (SPACED_STOP, "spaced_stop"), (SPACED, "spaced"))
    for pattern, kind in patterns:
        for match in pattern.finditer(chunk):
            group = next(g for g in range(1, (match.lastindex or 1) + 1) if match.group(g))
            s, e = match.start(group), match.end(group)
            absolute = s + start
            previous = _previous_word(text, absolute)
            # "tahun 2008", "hal.5" are numbers after a counting word; "tahun.2" ends a sentence
            if previous.rstrip(".") in context and not (
                    kind == "glued_punct" and chunk[s - 1 : s] in ".!?" and len(previous) > 4 and "." not in previous):
                continue
            following = _next_word(text, e + start)
            if kind.startswith("spaced") and (following in units or following.isdigit() and len(following) > 3):
                continue
            # "26 persen" counts; "kuat.1 Korban …" ends a sentence, and a new one begins
            sentence_end = kind == "glued_punct" and chunk[s - 1 : s] in ".!?" and re.match(r"\s+[A-Z]", chunk[e:])
            if kind != "spaced" and following in units and not sentence_end:
                continue
            # "G20", "COVID19", "Su27" are names; "Morgenthau8," is a name with its marker
            if kind == "glued_word" and re.search(r"[A-Z]\w*$", chunk[:s]) and not re.search(
                    r"(?<![\w\-])[A-Z][a-z]{3,}$", chunk[:s]):
                continue
            number = int(match.group(group))
            if number == 0:
                continue
            add(s, e, number, kind)
    return [found[key] for key in sorted(found)]


def select_markers(
    candidates: list[MarkerCandidate], note_numbers: set[int], hints: set[int] | None = None
) -> list[MarkerCandidate]:
    """Keep the candidates that form a plausible footnote sequence.

    Certain markers (superscripts, ``^n``, ingest hints) always count.  A glued
    number counts when a note with that number exists or it continues the
    sequence; a free-standing number only when it is the next number expected.
    """
    hints = hints or set()
    kept: list[MarkerCandidate] = []
    last: int | None = None
    for candidate in candidates:
        number = candidate.number
        if candidate.kind in ("superscript", "caret", "bracket_note", "hint") or candidate.start in hints:
            ok = True
        elif candidate.kind == "bracket":
            ok = number in note_numbers
        elif candidate.kind == "glued_punct":
            if note_numbers:
                ok = number in note_numbers or (last is not None and number == last + 1)
            else:
                ok = last is None or last < number <= last + 2
        else:
            expected = 1 if last is None else last + 1
            if last is None and not note_numbers and number != 1 and candidate.kind == "spaced_stop":
                expected = number
            elif last is None and not note_numbers and number != 1:
                expected = number if any(
                    c.number == number + 1 and c.start > candidate.start for c in candidates
                ) else 1
            if note_numbers:
                ok = number in note_numbers and (last is None or last < number <= last + 2 or number == 1)
            else:
                ok = number == expected
        if ok:
            kept.append(candidate)
            last = number
    return kept
