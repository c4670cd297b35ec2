"""Footnote texts spilled into running lines (PDF text dumps)."""

from __future__ import annotations

import re

from pipeline.lexicons import lexicon
from pipeline.markers import (
    find_marker_candidates,
    select_markers,
)
from pipeline.model import Document
from pipeline.structure.classify import looks_like_reference
from pipeline.structure.headings import TERMINAL
from pipeline.structure.lines import BLANK, Line

# where a spilled note ends: "… 1994) 28. 3 Next" (the next page's number), or
# "… Bandung 2005, Halm 35 16 berakhirnya Perang …" (a page number, then the cut
# sentence going on in lower case; "hlm. 35 dan 36", "Vol. 3 no. 2" are not that)
NOTE_STOP = re.compile(r"(?<=[.)])\s+\d{1,3}\s+(?=[A-Z])")
PAGE_THEN_CUT_SENTENCE = re.compile(
    r"(?<=[.)\d])\s+\d{1,3}\s+(?!(?:dan|and|no|hlm|hal|vol|pp|ed|cet|edisi|jilid|s\.?d)\b)(?=[a-z]{3,}\s+[A-Za-z]{2,}\s+[A-Za-z]{2,})"
)
MONTH_THEN_NUMBER = re.compile(r"\s*(\w+)\.?,?\s+\d")  # "Desember 2021", "Des. 2021": a date's rest


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
    months = lexicon("units/months")
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
            date = MONTH_THEN_NUMBER.match(text, line.start + match.end())
            if date and date.group(1).lower() in months:
                continue  # a date: "pada Kamis, 2 Desember 2021. Wawancara …" (not "May, Rollo")
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


