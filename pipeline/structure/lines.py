"""The lines of a text, with the section roles and their word lists."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pipeline.lexicons import lexicon

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


