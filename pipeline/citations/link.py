"""Citations in the prose: footnote markers, numbered references and author–year mentions, linked to notes and sources; the stage class."""

from __future__ import annotations

import re
from functools import lru_cache

from pipeline.citations.parse import parse_source
from pipeline.citations.resolve import link_note_sources, resolve_notes
from pipeline.citations.text import (
    NAME_STOPWORDS,
    TEX_MATH,
    YEAR,
    content_words,
    fraction_found,
    name_fraction,
    name_tokens,
)
from pipeline.lexicons import lexicon, lines
from pipeline.markers import (
    SUPERSCRIPT_TO_DIGIT,
    MarkerCandidate,
    after_sentence_end,
    find_marker_candidates,
    select_markers,
)
from pipeline.model import Citation, Document, Note, Source, Unit

# a capital (Latin-1 or Latin Extended-A: "Žabokrtskỳ", "Řezníčková") and the rest of the name,
# combining accents included ("Řeznı́čková" as a PDF writes it)
AUTHOR_WORD = r"[A-ZÀ-ÖØ-ÞĀ-ž][\w'’\-\u0300-\u036f]+"
PARTICLE = r"(?:\b(?:de|van|der|von|du|al|bin|ten|ter)\s+)*"
PAGE_PART = r"(?:\s*[:,]\s*(?:hlm|hal|halaman|h|pp|p)?\.?\s*[\dvixlc]+(?:\s*[-–]\s*[\dvixlc]+)?)?"
# a year as cited: "2015", "2015a", and the undated "n.d." / "t.t." / "t.th." / "tanpa tahun"
CITED_YEAR = rf"(?:{YEAR}[a-z]?|[nt]\.\s?t?h?\.?\s?[dt]?\.|tanpa\s+tahun)"
MORE_YEARS = rf"(?:\s*[;,]\s*{YEAR}[a-z]?(?!\s*[-–]))*"
# "(Hadi, 2015; Putra, 2018)", "(Hadi, 2015 dalam Putra, 2018)", "(2015, dikutip dalam Putra, 2018)"
CITATION_SEPARATOR = re.compile(
    r"\s*;\s*|,?\s+(?:sebagaimana\s+)?(?:dalam|in|dikutip(?:\s+(?:dalam|oleh|dari))?|cited\s+in|quoted\s+in)\s+(?=[A-Z])"
)
NARRATIVE = re.compile(
    rf"((?:{AUTHOR_WORD},\s+){{0,4}}{PARTICLE}{AUTHOR_WORD}(?:,?\s+(?:dan|and|&)\s+{PARTICLE}{AUTHOR_WORD})?"
    rf"(?:,?\s+(?:et\s+al\.?|dkk\.?))?)\s*"
    rf"\(({CITED_YEAR})({MORE_YEARS}){PAGE_PART}(?:{CITATION_SEPARATOR.pattern}[^()]{{2,120}})?\)"
)
PARENTHETICAL = re.compile(r"\(([^()]{2,250}?)\)")
BARE_ETAL = re.compile(rf"({AUTHOR_WORD}\s+(?:et\s+al\.?|dkk\.?)),?\s+({YEAR}[a-z]?)\b()")
NAME_PART = rf"(?:{AUTHOR_WORD}|[A-Z]{{2,}}|\[[A-Z][\w\s]*\])"
LEAD_WORDS = (r"(?:(?:dalam|in|lihat|see|cf\.|bdk\.|bandingkan|misalnya|contohnya|e\.g\.|juga|also|"
              r"antara\s+lain|seperti|ed\.|eds\.)[,:]?\s+)*")
# "(J. Gubby 2013)": initials before the surname; "(C and X 2020)": one-letter names, joined
INITIALS = r"(?:[A-Z]\.\s*){0,3}"
SINGLE_LETTER = r"[A-Z](?![\w.])"
ONE_PARENTHETICAL = re.compile(
    rf"^\s*{LEAD_WORDS}({INITIALS}{PARTICLE}(?:{AUTHOR_WORD}|[A-Z]{{2,}}"
    rf"|{SINGLE_LETTER}(?=,?\s+(?:and|dan|&)\s+[A-Z]|\s+[A-Z][a-z]+\s+[A-Z][a-z]))"
    rf"(?:[\s,]+(?:{NAME_PART}|{SINGLE_LETTER}|[A-Z]\.|dan|and|&|van|de|der|von|di|al|untuk|of|for|the|bagi))*"
    rf"(?:,?\s+(?:et\s+al\.?|dkk\.?))?)[,.]?\s+({CITED_YEAR})({MORE_YEARS}){PAGE_PART}\s*$"
)
# "[3]", "[2, 3]", "[4-6]", "[9, hlm. 2]", "[7, p. 12]" and the range "[4]–[6]"
NUMBERED_PAGE = r"(?:\s*[,:]\s*(?:hlm|hal|h|p|pp|page|halaman)\.?\s*\d+(?:\s*[-–]\s*\d+)?)?"
NUMBERED = re.compile(
    rf"\[(\d{{1,3}}(?:\s*(?:,|–|-)\s*\d{{1,3}})*){NUMBERED_PAGE}\](?:\s*[–-]\s*\[(\d{{1,3}}){NUMBERED_PAGE}\])?",
    re.IGNORECASE,
)
YEAR_ONLY_PART = re.compile(rf"^\s*({CITED_YEAR}){PAGE_PART}\s*$")
# a title standing for the author, pandoc's Chicago form of an undated web page:
# "(“About DigitalOcean” n.d.)" ↔ "“About DigitalOcean.” n.d. https://…"
TITLE_PARENTHETICAL = re.compile(
    rf"^\s*{LEAD_WORDS}([“\"](?=[^\s”\"])[^“”\"]{{2,200}}[”\"])[,.]?\s+({CITED_YEAR})({MORE_YEARS}){PAGE_PART}\s*$"
)
# "Suryadi dalam Jurnal Contoh Informatika Vol 6 No. 1 (2011)": the venue between name and year
VENUE_WORDS = (r"(?i:jurnal|journal|prosiding|proceedings?|seminar|konferensi|conference|majalah|buletin|bulletin"
               r"|skripsi|tesis|thesis|disertasi|dissertation|buku(?:nya)?|artikel(?:nya)?|makalah(?:nya)?"
               r"|paper(?:nya)?)")
VENUE_NARRATIVE = re.compile(
    rf"(?<![\w'’\-])((?:{AUTHOR_WORD}\s+){{0,3}}{AUTHOR_WORD}(?:,?\s+(?:et\s+al\.?|dkk\.?))?),?\s+"
    rf"(?:dalam|in|pada)\s+{VENUE_WORDS}\b[^()\n;]{{0,160}}?\(({CITED_YEAR})({MORE_YEARS}){PAGE_PART}\)"
)
SENTENCE_BREAK = re.compile(r"[.!?]\s+[A-Z][a-z]")


def _title_pattern(title: str) -> str:
    """"M.Kom" → "M\\.\\s?Kom\\.?": dots between the parts required, a final one optional."""
    parts = [re.escape(part) for part in title.strip(".").split(".") if part]
    return r"\.\s?".join(parts) + r"\.?(?![\w])"


@lru_cache(maxsize=1)
def _titled_narrative() -> re.Pattern[str]:
    """ "Ir. M. Farid Azis, M.Kom (2005)", "Dr. Budi Santoso, S.T., M.T. (2019)": academic titles
    (``citation_academic_titles``) around the name are not names; the citation runs from the
    first title to the year, and its names are the words between them."""
    titles = sorted(lines("citations/citation_academic_titles"), key=len, reverse=True)
    forms = {form for title in titles for form in (title, title.upper())}
    title = "(?:" + "|".join(_title_pattern(t) for t in sorted(forms, key=len, reverse=True)) + ")"
    return re.compile(
        rf"(?<![\w'’\-])(?:{title}\s*)*((?:[A-Z]\.\s*)*{AUTHOR_WORD}(?:\s+(?:[A-Z]\.\s*)*{AUTHOR_WORD}){{0,3}})"
        rf"(?:,?\s*{title})+\s*\(({CITED_YEAR})({MORE_YEARS}){PAGE_PART}\)"
    )


class _Part:
    """One citation inside a parenthesis (a stand-in for a regex match)."""

    def __init__(self, text: str, start: int) -> None:
        self.text, self.begin = text, start

    def group(self) -> str:
        return self.text

    def start(self) -> int:
        return self.begin


def _split_parts(content: str) -> list[_Part]:
    parts: list[_Part] = []
    position = 0
    for separator in [*CITATION_SEPARATOR.finditer(content), None]:
        stop = separator.start() if separator else len(content)
        if content[position:stop].strip():
            parts.append(_Part(content[position:stop], position))
        position = separator.end() if separator else stop
    return parts


def _years(first: str, more: str) -> list[str]:
    return [first, *re.findall(rf"{YEAR}[a-z]?", more or "")]


def _author_year_mentions(text: str, start: int, end: int) -> list[tuple[int, int, str, list[str], str]]:
    """(start, end, marker, names, year) for each author–year citation in the span.

    One mention per year: "(Hadi, 2015, 2017)", "(Hadi, 2015; 2017)" and
    "Wendt (1992; 1999)" give two each.
    """
    chunk = text[start:end]
    not_names = lexicon("citations/citation_non_names")
    found: list[tuple[int, int, str, list[str], str]] = []
    taken: list[tuple[int, int]] = []

    events = lexicon("citations/citation_event_words")  # "Deklarasi Bangkok (1967)", "(Konvensi Hukum Laut 1982)"

    def names_ok(names: list[str]) -> bool:
        return bool(names) and all(n.lower() not in not_names for n in names)

    def names_an_event(names: list[str], before: str) -> bool:
        previous = re.search(r"([A-Z][\w\-]*)\s*$", before)
        return any(n.lower() in events for n in names) or bool(previous and previous.group(1).lower() in events)

    def name_words(written: str) -> list[str]:
        written = re.sub(r"\[[^\]]*\]", " ", written)  # "Badan Pusat Statistik [BPS]": the name, not its acronym
        names = [n for n in re.findall(rf"{AUTHOR_WORD}|[A-Z]{{2,}}", written) if n.lower() not in NAME_STOPWORDS]
        return names or re.findall(r"(?<![\w.])[A-Z](?![\w.])", written)  # "(C and X 2020)"

    for match in PARENTHETICAL.finditer(chunk):
        content = match.group(1)
        parts = _split_parts(content)
        several = len(parts) > 1
        previous_names: list[str] = []
        for part in parts:
            one = ONE_PARENTHETICAL.match(part.group())
            titled = None if one else TITLE_PARENTHETICAL.match(part.group())
            if titled:
                names = [titled.group(1)]  # the quoted title, quotes kept: linked by title
                years = _years(titled.group(2), titled.group(3))
            elif one:
                names = name_words(one.group(1))
                if not names_ok(names[:1]) or names_an_event(names, ""):
                    previous_names = []
                    continue
                years = _years(one.group(2), one.group(3))
            elif previous_names and (only := YEAR_ONLY_PART.match(part.group())):
                names, years = previous_names, [only.group(1)]  # "(Hadi, 2015; 2017)"
            else:
                previous_names = []
                continue
            previous_names = names
            marker = part.group().strip() if several else match.group()
            s = start + match.start(1) + part.start() + (len(part.group()) - len(part.group().lstrip())) \
                if several else start + match.start()
            for year in years:
                found.append((s, s + len(marker), marker, names, year))
            taken.append((s, s + len(marker)))
    for pattern in (_titled_narrative(), VENUE_NARRATIVE, NARRATIVE, BARE_ETAL):
        for match in pattern.finditer(chunk):
            s, e = start + match.start(), start + match.end()
            if any(a <= s < b or a < e <= b for a, b in taken):
                continue
            if pattern is VENUE_NARRATIVE and SENTENCE_BREAK.search(chunk[match.end(1) : match.start(2)]):
                continue  # the name and the year stand in different sentences
            names = name_words(match.group(1))
            # "Namun, Putra (2018)": drop capitalised words in front that are not names
            while len(names) > 1 and names[0].lower() in not_names | lexicon("citations/citation_non_authors"):
                names.pop(0)
            if names and names[0] != name_words(match.group(1))[0]:
                s = start + match.start(1) + match.group(1).index(names[0])
            if (not names_ok(names) or names[-1].lower() in lexicon("citations/citation_non_authors")
                    or names_an_event(names, text[start:s])):
                continue  # "Krisis Asia (1997)", "Perjanjian Westphalia (1648)": events, not authors
            marker = text[s:e]
            for year in _years(match.group(2), match.group(3)):
                found.append((s, e, marker, names, year))
            taken.append((s, e))
    return sorted(found)


def _unit_spans(doc: Document) -> list[tuple[int, int, Unit]]:
    spans = [(s, e, unit) for unit in doc.units for s, e in unit.spans()]
    return sorted(spans, key=lambda item: item[0])


def _owner(spans: list[tuple[int, int, Unit]], start: int, end: int, text: str, marker: bool) -> Unit | None:
    """The unit a citation at [start, end) belongs to; a marker standing right after
    a sentence's full stop belongs to that sentence."""
    previous: tuple[int, int, Unit] | None = None
    for span in spans:
        s, e, unit = span
        if s <= start < e:
            if marker and previous is not None and not text[s:start].strip(" \t\n\"”’)") and previous[2] is not unit:
                return previous[2]
            if (not marker and previous is not None and previous[2] is not unit and text[start] == "("
                    and not text[s:start].strip() and not text[end:e].strip(" \t\n.,;:")):
                return previous[2]  # "… negara lain. (Herawati, 2015)." closes the sentence before
            return unit
        if e <= start:
            previous = span
        else:
            break
    if previous is not None and not text[previous[1] : start].strip(" \t\n.,;:\"”’)"):
        return previous[2]
    return None


def link_citations(doc: Document) -> Document:
    """Parse notes and sources, resolve references, detect and link citations."""
    previous: Source | None = None
    for source in doc.sources:
        source.fields = parse_source(source.text)
        if previous is not None and re.match(r"^\s*[_\-–—]{3,}", source.text):
            # "_______. 2011. The Future of Power.": the same author as the entry above
            for key in ("author", "authors"):
                if key in previous.fields:
                    source.fields[key] = previous.fields[key]
        previous = source
    resolve_notes(doc.notes)
    link_note_sources(doc.notes, doc.sources)
    text = doc.text
    note_numbers = {int(n.number) for n in doc.notes if n.number.isdigit()}
    numbered_sources = {s.fields["number"]: s for s in doc.sources if "number" in s.fields}
    hints = {start for start, _ in doc.marker_hints}
    spans = _unit_spans(doc)
    found: list[Citation] = []

    prose = sorted({span for para in doc.paragraphs for span in para.spans()})
    if not prose:
        prose = sorted({(s, e) for s, e, _ in spans})
    candidates = [c for s, e in prose for c in find_marker_candidates(text, s, e)]
    for hint_start, hint_end in doc.marker_hints:
        if not any(c.start == hint_start for c in candidates) and any(s <= hint_start < e for s, e in prose):
            digits = re.sub(r"\D", "", text[hint_start:hint_end].translate(SUPERSCRIPT_TO_DIGIT))
            if digits:
                candidates.append(MarkerCandidate(hint_start, hint_end, int(digits), "hint"))
    candidates.sort(key=lambda c: c.start)
    # TeX mathematics ("$0^2 + x^2$") holds no markers; a document without notes has
    # footnote markers only where ingest saw them ("256³", "Autodock4" are not) and, without a
    # numbered reference list either, as "[1]" after a sentence's full stop (an excerpt whose
    # notes were cut off: "dari penjajahan Belanda.[1] Aktivis", "dari Indonesia. [2]")
    math = [match.span() for match in TEX_MATH.finditer(text) if re.search(r"[\\^_{}=]", match.group())]
    candidates = [c for c in candidates if not any(a <= c.start < b for a, b in math)
                  and (note_numbers or c.start in hints
                       or (c.kind == "bracket" and not numbered_sources and after_sentence_end(text, c)))]
    # "[3]" is a note marker when a note 3 exists or no numbered reference list does
    footnote_candidates = []
    for candidate in candidates:
        if candidate.kind == "bracket":
            if candidate.number in note_numbers or not numbered_sources:
                candidate.kind = "bracket_note"
            else:
                continue
        footnote_candidates.append(candidate)
    for marker in select_markers(footnote_candidates, note_numbers, hints):
        unit = _owner(spans, marker.start, marker.end, text, marker=True)
        note = _note_for(doc.notes, marker.number, marker.start)
        citation = Citation(id="", unit=unit.id if unit else None, start=marker.start, end=marker.end,
                            marker=str(marker.number), style="footnote", note=note.id if note else None)
        if note is None or note.resolves_to is None:
            citation.resolution = "unresolved"
            citation.source = note.source if note is not None else None
            if note is not None and note.source is None and note.reference != "full":
                citation.resolution = "missing_source"
        else:
            citation.source = note.source
            if note.source is None and _is_bibliographic(doc.notes, note):
                citation.resolution = "missing_source"
        found.append(citation)
    footnote_positions = {c.start for c in found}
    # figure captions cite too ("[Logo Docker[34]]"): their citations belong to no unit
    for s, e in _join_blank_gaps(prose, text) + list(doc.captions):
        for match in NUMBERED.finditer(text, s, e):
            numbers = _expand_numbers(match.group(1) + (f"-{match.group(2)}" if match.group(2) else ""))
            if len(numbers) == 1 and match.start() in footnote_positions:
                continue
            if len(numbers) == 1 and (numbers[0] in note_numbers or not numbered_sources):
                continue
            unit = _owner(spans, match.start(), match.end(), text, marker=True)
            for number in numbers:
                source = numbered_sources.get(number)
                found.append(Citation(id="", unit=unit.id if unit else None, start=match.start(), end=match.end(),
                                      marker=str(number), style="numbered", source=source.id if source else None,
                                      resolution="resolved" if source else "missing_source"))
        for start, end, marker, names, year in _author_year_mentions(text, s, e):
            unit = _owner(spans, start, end, text, marker=False)
            if names[0][:1] in "“\"":
                source = _source_for_title(doc.sources, names[0], year)
                if source is None and re.fullmatch(rf"{YEAR}[a-z]?", year):
                    continue  # "(“Sumpah Pemuda” 1928)": a quoted phrase and a year, no entry of that title
            else:
                source = _source_for_author_year(doc.sources, names, year)
                if source is None:
                    source = _source_for_venue(doc.sources, text, end)
            found.append(Citation(id="", unit=unit.id if unit else None, start=start, end=end, marker=marker,
                                  style="author_year", source=source.id if source else None,
                                  resolution="resolved" if source else "missing_source"))
    found.sort(key=lambda c: (c.start, c.marker))
    for index, citation in enumerate(found, 1):
        citation.id = f"c{index}"
    doc.citations = found
    return doc


def _join_blank_gaps(spans: list[tuple[int, int]], text: str) -> list[tuple[int, int]]:
    """Prose spans separated only by white space read as one ("(Suryokusumo,⏎⏎2004:1)")."""
    joined: list[tuple[int, int]] = []
    for start, end in spans:
        if joined and not text[joined[-1][1] : start].strip():
            joined[-1] = (joined[-1][0], max(end, joined[-1][1]))
        else:
            joined.append((start, end))
    return joined


def _is_bibliographic(notes: list[Note], note: Note) -> bool:
    target = next((n for n in notes if n.id == note.resolves_to), note)
    fields = target.fields
    return bool(fields.get("year") or fields.get("url") or fields.get("publisher"))


def _note_for(notes: list[Note], number: int, position: int) -> Note | None:
    same = [n for n in notes if n.number == str(number)]
    after = [n for n in same if n.start >= position]
    if after:
        return after[0]
    return same[-1] if same else None


def _expand_numbers(text: str) -> list[int]:
    numbers: list[int] = []
    for part in re.split(r"\s*,\s*", text):
        bounds = re.split(r"\s*[–-]\s*", part)
        if len(bounds) == 2 and int(bounds[0]) <= int(bounds[1]) <= int(bounds[0]) + 20:
            numbers.extend(range(int(bounds[0]), int(bounds[1]) + 1))
        else:
            numbers.extend(int(b) for b in bounds)
    return numbers


UNDATED = re.compile(r"\b(?:n\.\s?d|t\.\s?t|t\.\s?th)\.|\btanpa\s+tahun\b", re.IGNORECASE)


def _source_for_title(sources: list[Source], title: str, year: str) -> Source | None:
    """The entry a title citation ("(“About DigitalOcean” n.d.)") names: the one whose
    title has the same words (most overlap, an entry opening with it first) and the
    same year, or none for "n.d."."""
    wanted = set(name_tokens(title))
    undated = not re.fullmatch(rf"{YEAR}[a-z]?", year)
    best, best_score = None, 0.0
    for source in sources:
        words = set(name_tokens(source.fields.get("title", "")))
        if not wanted or not words:
            continue
        common = len(wanted & words)
        score = 2 * common / (len(wanted) + len(words))
        if score < 0.6:
            continue
        source_year = str(source.fields.get("year", ""))
        if undated and source_year and not UNDATED.search(source.text):
            continue
        if not undated and source_year[:4] != year[:4]:
            continue
        score += 0.5 * bool(re.match(r"^\W{0,3}[“\"]", source.text))
        if score > best_score:
            best, best_score = source, score
    return best


SECONDARY_VENUE = re.compile(rf",?\s+(?:dalam|in)\s+({VENUE_WORDS}\b[^\n]{{0,250}}?)\b({YEAR})\b")


def _source_for_venue(sources: list[Source], text: str, end: int) -> Source | None:
    """A secondary citation read in a named venue: "Soemantri (2010) dalam Jurnal Electronics,
    Informatics, and Vocational Education (ELINVO), Volume 1, Nomor 1, November 2015" links
    to the work in hand, the entry of that year that holds most of the venue's words."""
    after = SECONDARY_VENUE.match(text, end)
    if after is None or SENTENCE_BREAK.search(after.group(1)):
        return None
    wanted = content_words(after.group(1))
    best, best_score = None, 0.6
    for source in sources:
        if str(source.fields.get("year", ""))[:4] != after.group(2) or not wanted:
            continue
        score = fraction_found(wanted, content_words(source.text), 0.85)
        if score >= best_score:
            best, best_score = source, score + 1e-9
    return best


def _source_for_author_year(sources: list[Source], names: list[str], year: str) -> Source | None:
    wanted = name_tokens(names)
    letters = [] if wanted else [n for n in names if len(n) == 1]  # "(C and X 2020)" ↔ "C, Kavitha, and Anita X."
    best, best_score = None, 0.0
    for source in sources:
        # the year first: a cheap test that leaves few entries for the name comparison
        source_year = str(source.fields.get("year", ""))
        if source_year and source_year[:4] != year[:4]:
            continue
        authors = name_tokens(source.fields.get("author", "")) or name_tokens(" ".join(source.text.split()[:6]))
        if letters:
            standing = re.findall(r"(?<![\w.])[A-Z](?![\w.])", source.fields.get("author", ""))
            name = sum(letter in standing for letter in letters) / len(letters)
        else:
            name = name_fraction(wanted, authors)
        if name < 0.5:
            continue
        score = name + (0.5 if source_year else 0.0)
        if year[4:] and re.search(rf"\b{re.escape(year)}\b", source.text):
            score += 0.25  # "(Nye, 2004b)" ↔ "Nye, J. S. (2004b)."
        if score > best_score:
            best, best_score = source, score
    return best


