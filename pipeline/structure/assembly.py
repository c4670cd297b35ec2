"""From classified lines to the document: front matter, sections, notes, sources, paragraphs."""

from __future__ import annotations

import re

from pipeline.lexicons import lexicon
from pipeline.markers import (
    SUPERSCRIPT_DIGITS,
    YEAR,
    after_sentence_end,
    find_marker_candidates,
    select_markers,
)
from pipeline.model import Document, FrontMatter, Note, Paragraph, Section, Source
from pipeline.structure.classify import (
    AUTHOR_LABEL,
    AUTHOR_YEAR_START,
    BULLET,
    CAPTION,
    ENTRY_START,
    KEYWORDS,
    LOWER_AUTHOR_YEAR_START,
    NOTE_CONTINUATION,
    PARTICLE_NAME_START,
    SUPERVISOR,
    blank_after,
    chapter_name,
    classify,
)
from pipeline.structure.headings import (
    FORMAT_MARKS,
    MARKDOWN_HEADING,
    NUMBERED_HEADING,
    caps_ratio,
    heading_role,
)
from pipeline.structure.lines import BLANK, Line, split_lines
from pipeline.structure.notes import carve_inline_notes

# a reference manager's "et al." turned inside out: "al., A. A. Supianto et. 2021."
MANGLED_ET_AL_START = re.compile(rf"(?:al|dkk)\.,\s+(?:[A-Z]\.\s*)+[A-Z][\w'’\-]+\s+(?:et\.?\s+)?{YEAR}[a-z]?\.\s")


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
    doc.captions = [(line.start, line.end) for line in lines
                    if line.kind == "furniture" and CAPTION.match(FORMAT_MARKS.sub("", line.text).strip())]
    return doc


def _plain_marker_hints(doc: Document) -> None:
    """Record footnote markers written as plain digits ("negatif 1 Dari",
    "nasional.1 Namun") in ``doc.marker_hints``, so the nlp stage can mask them
    like superscripts; the note numbers found above confirm the sequence."""
    note_numbers = {int(n.number) for n in doc.notes if n.number.isdigit()}
    hints = {start for start, _ in doc.marker_hints}
    spans = sorted(span for paragraph in doc.paragraphs for span in paragraph.spans())
    # without notes only a digit glued to a sentence's end before the next sentence
    # ("dibandingkan.1 Mini") is taken for a marker: "Percobaan 2 Sampai", "vga 2 GB", "Bear:1 dan"
    # are numbers
    kinds = ("glued_punct", "glued_word", "spaced_stop", "spaced") if note_numbers else ("glued_punct",)
    candidates = [c for s, e in spans for c in find_marker_candidates(doc.text, s, e)
                  if c.kind in kinds and (note_numbers or after_sentence_end(doc.text, c))]
    for candidate in select_markers(candidates, note_numbers, hints):
        if candidate.kind in kinds and candidate.start not in hints:
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
    return (line.blank_before and blank_after(lines, line) and not line.headings and len(plain) <= 250
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
                line.kind, line.role = ("caps" if caps_ratio(line.text) > 0.9 else "prose"), ""
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
                and not chapter_name(lines[line.index - 1], line)):
            line.kind = "caps" if caps_ratio(line.text) > 0.9 else "prose"
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
    if (line.blank_before and MANGLED_ET_AL_START.match(text) and re.search(r"[.)>\]]$|https?://\S+$", previous.text)
            and _entry_year(joined)):
        return False  # "al., A. A. Supianto et. 2021. …" (a mangled author) on a line of its own: an entry
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
    return bool(re.search(rf"\b{YEAR}[a-z]?\b", re.sub(r"https?://\S+|www\.\S+", " ", text)))


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
    assigns = ("front", "sections", "paragraphs", "notes", "sources", "captions")

    def __init__(self, config: object = None) -> None:
        del config  # word lists only: nothing to configure

    def __call__(self, doc: Document) -> Document:
        return segment(doc)
