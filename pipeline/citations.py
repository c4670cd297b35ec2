"""Stage 'citations': parse notes and sources, resolve Ibid./op.cit., find citations.

Reads ``doc.notes`` and ``doc.sources`` (raw, from the structure stage),
``doc.paragraphs``, ``doc.units`` (from the nlp stage) and ``doc.marker_hints``.
Adds:

- ``Note.fields`` (authors, title, place, publisher, year, pages, url,
  accessed), ``Note.reference`` (full | ibid | opcit | loccit),
  ``Note.resolves_to`` / ``Note.resolution`` and ``Note.source``;
- ``Source.fields`` (authors, title, place, publisher, year, url, accessed, number);
- ``doc.citations``: one per footnote marker, numbered reference ``[3]`` or
  author–year mention in a unit, linked to its note and bibliography entry.

Resolution follows ANNOTATION.md §3.  ``Ibid.`` takes the note immediately
before it (following chains: ¹⁵ → ¹⁴ → ¹³).  ``op.cit.``/``loc.cit.`` take the
most recent earlier note whose author names contain every name the op.cit.
note gives (so "ECPAT., op.cit." after ⁸ "ECPAT Internasional, op.cit." → ⁴,
the note ⁸ itself points to); where no earlier note matches, the note is
``unresolved``, never guessed.  A bare "Loc. cit." that names no author takes
the note before it; a bare "Op. cit." stays unresolved.  A citation whose
resolved reference matches no bibliography entry has
``resolution="missing_source"``.

Links tolerate re-ordered names, small typos ("Wijaya" ~ "Wijaja"), acronyms
in either direction ("Kemlu RI" ~ "Kementerian Luar Negeri Republik
Indonesia", "BSSN" ~ "Badan Siber dan Sandi Negara") and an entry that repeats
the author above it as "_______."; a note also links by its URL, or by nearly
all of its words when the years agree (statutes, untitled web pages).
Author–year mentions give one citation per year ("(Hadi, 2015, 2017)",
"Wendt (1992; 1999)") and per cited work ("(Wendt, 1999 dalam Hadi, 2015)").

:func:`score_citations` (beside the stage, for ``make eval``) scores a
document against its gold file as in ANNOTATION.md §6.
"""

from __future__ import annotations

import re
import unicodedata
from difflib import SequenceMatcher
from functools import lru_cache
from typing import Any

from pipeline.lexicons import lexicon, lines
from pipeline.markers import (
    SUPERSCRIPT_TO_DIGIT,
    MarkerCandidate,
    find_marker_candidates,
    select_markers,
)
from pipeline.model import Citation, Document, Note, Source, Unit

YEAR = r"(?:1[5-9]\d\d|20\d\d)"
EMPHASIS = re.compile(r"(?<![\w*])[*_]{1,3}|[*_]{1,3}(?![\w*])")
# "Ibid.", "ibid", "Ibidem", "Idem"; "op. cit.", "Op.Cit", "Opcit", "op-cit"; "loc. cit.", "Loc.Cit"
IBID = re.compile(r"\b(?:ibid(?:em)?|idem)\b\.?", re.IGNORECASE)
OPCIT = re.compile(r"\bop[.\s\-]*cit\b\.?", re.IGNORECASE)
LOCCIT = re.compile(r"\bloc[.\s\-]*cit\b\.?", re.IGNORECASE)
LEAD_IN = re.compile(
    r"^(?:(?:lihat|see|cf|bandingkan|bdk|dikutip|sebagaimana dikutip|dalam|in)\b\.?(?:\s+(?:juga|also|dari|dalam|"
    r"dengan))?[,:]?\s+)+(?:(?:misalnya|for example|e\.g\.)[,:]?\s+)?",
    re.IGNORECASE,
)
URL = re.compile(r"(?:https?://|www\.)[^\s<>\]\)\"”]+", re.IGNORECASE)
ACCESSED = re.compile(
    r"(?:diakses|accessed|diunduh|retrieved|akses)(?:\s+(?:pada|tanggal|tgl\.?|on))?\s*[:,]?\s*"
    r"(\d{1,2}\s+[A-Za-z]+\.?\s+\d{4}|[A-Za-z]+\.?\s+\d{1,2},?\s+\d{4}|\d{1,2}[/-]\d{1,2}[/-]\d{2,4})",
    re.IGNORECASE,
)
PAGES = re.compile(
    r"\b(?:hal|hlm|halaman|h|pp?|page|pages)\.?\s*:?\s*(\d+(?:\s*[-–]\s*\d+)?)", re.IGNORECASE
)
PLACE_PUBLISHER = re.compile(rf"\(\s*([^():]{{2,50}}?)\s*:\s*([^()]*?)[,\s]\s*({YEAR})[a-z]?\s*\)")
PLACE_ONLY = re.compile(
    rf"\b([A-Z][a-z]+(?:\s+[A-Z][a-z]+){{0,2}})\s*:\s*([A-Z][^.,:\[\]()]{{1,80}}?)(?:[.,]|\s*$|\s+\(?{YEAR})"
)
TEX_MATH = re.compile(r"\$\$.+?\$\$|(?<![\\$])\$[^$\n]{1,400}?\$", re.DOTALL)
NAME_STOPWORDS = {"dan", "and", "the", "et", "al", "dkk", "eds", "ed", "editor", "editors", "penyunting", "of", "for"}


# ---------------------------------------------------------------- text helpers

def _plain(text: str) -> str:
    return re.sub(r"\s+", " ", EMPHASIS.sub("", text)).strip()


def _fold(text: str) -> str:
    text = text.replace("’", "'").replace("‘", "'").replace("`", "'")
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).lower()


def name_tokens(names: str | list[str]) -> list[str]:
    """Lower-case name words (initials and joiners dropped), for order-free matching."""
    text = " ".join(names) if isinstance(names, list) else names
    tokens = re.findall(r"[a-z][a-z']+", _fold(text).replace("-", " "))
    tokens = [t.strip("'") for t in tokens]
    return [t for t in tokens if t not in NAME_STOPWORDS and len(t) > 1]


@lru_cache(maxsize=65536)
def _similar(a: str, b: str, threshold: float = 0.8) -> bool:
    if a == b:
        return True
    if min(len(a), len(b)) < 4 or abs(len(a) - len(b)) > 3 or a[0] != b[0] and a[-1] != b[-1]:
        return False
    return SequenceMatcher(None, a, b).ratio() >= threshold


def _fraction_found(needles: list[str], haystack: list[str], threshold: float = 0.8) -> float:
    """Share of ``needles`` found in ``haystack``, tolerating small typos ("Bennet" ~ "Bennett")."""
    if not needles:
        return 0.0
    exact = set(haystack)
    found = sum(1 for n in needles if n in exact or any(_similar(n, h, threshold) for h in exact))
    return found / len(needles)


def _abbreviates(short: str, words: list[str]) -> bool:
    """Whether ``short`` is formed from the starts of two or more consecutive
    ``words``: "bssn" ← badan siber sandi negara, "kemlu" ← kementerian luar,
    "kemenkes" ← kementerian kesehatan, "ri" ← republik indonesia."""
    if not 2 <= len(short) <= 10:
        return False

    def rest(position: int, index: int, used: int) -> bool:
        if position == len(short):
            return used >= 2
        if index >= len(words):
            return False
        word = words[index]
        for size in range(min(len(word), len(short) - position), 0, -1):
            if word[:size] == short[position : position + size] and rest(position + size, index + 1, used + 1):
                return True
        return False

    return any(words[i][:1] == short[:1] and rest(0, i, 0) for i in range(len(words)))


def _name_fraction(wanted: list[str], names: list[str]) -> float:
    """Share of the wanted name words found among ``names``, tolerating typos and
    acronyms in either direction ("Kemlu RI" ~ "Kementerian Luar Negeri Republik
    Indonesia", "Badan Siber dan Sandi Negara" ~ "BSSN")."""
    if not wanted:
        return 0.0
    found = 0
    for index, word in enumerate(wanted):
        if _fraction_found([word], names) or _abbreviates(word, names) or any(
            _abbreviates(name, wanted[start:])
            for name in names for start in range(max(0, index - 5), index + 1) if name[:1] == wanted[start][:1]
        ):
            found += 1
    return found / len(wanted)


@lru_cache(maxsize=16384)
def _content_words_cached(text: str) -> tuple[str, ...]:
    stop = lexicon("citations/citation_non_names")
    return tuple(w for w in re.findall(r"[a-z][a-z\-]{3,}", _fold(text)) if w not in stop)


def _content_words(text: str) -> list[str]:
    return list(_content_words_cached(text))


# ---------------------------------------------------------------- parsing

def parse_note(text: str) -> tuple[str, dict[str, Any]]:
    """(reference kind, fields) of one footnote text."""
    plain = _plain(text)
    fields: dict[str, Any] = {}
    body = LEAD_IN.sub("", plain)
    kind = "full"
    keyword = None
    for name, pattern in (("ibid", IBID), ("opcit", OPCIT), ("loccit", LOCCIT)):
        match = pattern.search(body)
        if match and match.start() <= 80:
            kind, keyword = name, match
            break
    pages = list(PAGES.finditer(plain))
    if pages:
        fields["pages"] = re.sub(r"\s+", "", pages[-1].group(1))
    if keyword is not None:
        # "Nye, Soft Power, op.cit." names the author first and may add a short title
        author, _, title = body[: keyword.start()].strip(" ,.;:").partition(",")
        author, title = author.strip(" ,.;:"), title.strip(" ,.;:")
        if author:
            fields["author"] = author
            fields["authors"] = _split_names(author)
        if title:
            fields["title"] = title
        return kind, fields
    _common_fields(plain, fields)
    title = _title(text, plain)
    author = _author_before(body, title)
    if author:
        fields["author"] = author
        fields["authors"] = _split_names(author)
    if not title and author and body.startswith(author):
        rest = body[len(author):].lstrip(" ,.")
        title = re.split(r"\s\(|,|\.\s", rest, maxsplit=1)[0].strip(" .")
    if title:
        fields["title"] = title
    if "pages" not in fields:
        trailing = re.search(r"\)\s*(\d{1,4}(?:[-–]\d{1,4})?)\.?\s*$", plain)
        if trailing:
            fields["pages"] = trailing.group(1)
    return kind, fields


def parse_source(text: str) -> dict[str, Any]:
    """Fields of one bibliography entry."""
    text = re.sub(r"^\s*[-•*▪]\s+", "", text)
    plain = _plain(text)
    fields: dict[str, Any] = {}
    number = re.match(r"^\[(\d{1,3})\]\s*|^(\d{1,3})[.)]\s+", plain)
    if number:
        fields["number"] = int(number.group(1) or number.group(2))
        plain = plain[number.end():]
        text = re.sub(r"^\s*(?:\[\d{1,3}\]|\d{1,3}[.)])\s*", "", text)
    _common_fields(plain, fields)
    cut = len(plain)
    year = _year_outside_urls(plain)
    if year:
        cut = min(cut, year.start())
    for mark in ("“", '"', "‘"):
        if mark in plain:
            cut = min(cut, plain.index(mark))
    emphasis = re.search(r"(?<![\w*])[*_]", text)
    if emphasis:
        before = _plain(text[: emphasis.start()])
        cut = min(cut, len(before))
    author = plain[:cut].strip(" ,.;:(")
    if len(author.split()) > 10:
        author = re.split(r"(?<=\w{3})\.\s", author)[0]
    if author:
        fields["author"] = author
        fields["authors"] = _split_names(author, surname_first=True)
    title = _title(text, plain)
    if not title and year:
        rest = plain[year.end():].strip(" .,)")
        title = re.split(r"\.\s", rest)[0].strip() if rest else ""
    if title:
        fields["title"] = title
    return fields


def _common_fields(plain: str, fields: dict[str, Any]) -> None:
    url = URL.search(plain)
    if url:
        fields["url"] = url.group().rstrip(".,;>")
    accessed = ACCESSED.search(plain)
    if accessed:
        fields["accessed"] = accessed.group(1)
    place = PLACE_PUBLISHER.search(plain)
    if place:
        fields["place"], fields["publisher"] = place.group(1).strip(" ,"), place.group(2).strip(" ,")
        fields["year"] = place.group(3)
    else:
        place_only = PLACE_ONLY.search(URL.sub(" ", plain))
        if place_only and not re.search(r"\b(?:tersedia|available|diakses)\b", place_only.group(1), re.IGNORECASE):
            fields["place"] = place_only.group(1).strip(" ,")
            fields["publisher"] = place_only.group(2).strip(" ,")
    if "year" not in fields:
        year = _year_outside_urls(plain)
        if year:
            fields["year"] = year.group()


def _year_outside_urls(plain: str) -> re.Match[str] | None:
    blocked = [m.span() for m in URL.finditer(plain)] + [m.span() for m in ACCESSED.finditer(plain)]
    for match in re.finditer(rf"\b{YEAR}(?=[a-z]?\b)", plain):  # "2004a" is the year 2004
        if not any(s <= match.start() < e for s, e in blocked):
            return match
    return None


def _title(raw: str, plain: str) -> str:
    """The first emphasised or quoted stretch: a quoted article title comes before
    the emphasised journal name that follows it."""
    emphasised = re.search(r"(?<![\w*])[*_]{1,2}([^*_]{3,}?)[*_]{1,2}(?![\w*])", raw)
    quoted = re.search(r"[“\"‘]([^”\"’]{3,})[”\"’“]", plain)
    if quoted and (not emphasised or plain.index(quoted.group()) < plain.find(_plain(emphasised.group(1)))):
        return quoted.group(1).strip(" .,")
    return emphasised.group(1).strip(" .,") if emphasised else ""


def _author_before(body: str, title: str) -> str:
    if title and title in body:
        head = body[: body.index(title)]
    else:
        head = re.split(r",|\s\(", body, maxsplit=1)[0]
    head = re.split(r"\b(?:lihat|see|cf\.?|dalam)\s+(?:misalnya,?\s+)?", head, flags=re.IGNORECASE)[-1]
    head = re.sub(rf"\(?\b{YEAR}\b\)?", "", head).strip(" ,.;:“\"")
    if not head or len(head.split()) > 8 or not head[:1].isupper():
        first = re.split(r"(?<=[a-z]{3})\.\s|,", body, maxsplit=1)[0].strip(" ,.;:")
        head = first if first and len(first.split()) <= 8 and first[:1].isupper() else ""
    return head


def _split_names(author: str, surname_first: bool = False) -> list[str]:
    if surname_first and re.match(r"^[^,]+,\s*[A-Z][\w.\s]*$", author) and " dan " not in author:
        surname, given = author.split(",", 1)
        return [f"{given.strip(' .')} {surname.strip()}".strip()]
    parts = re.split(r"\s*(?:;|&|\bdan\b|\band\b)\s*", author)
    return [p.strip(" ,.") for p in parts if p.strip(" ,.")]


# ---------------------------------------------------------------- resolution

WORK_BREAK = re.compile(
    r";\s*(?:(?:lihat\s+)?juga|see\s+also|also|bandingkan(?:\s+dengan)?|bdk\.?|cf\.?|dan|and)?[,:]?\s+(?=[A-Z“\"])"
    r"|\.\s+(?:lihat|see|bandingkan|bdk\.?|cf\.?)(?:\s+(?:juga|also|dengan))?[,:]?\s+(?=[A-Z“\"])",
    re.IGNORECASE,
)


def _is_work(fields: dict[str, Any]) -> bool:
    return bool(fields.get("author") and (fields.get("year") or fields.get("publisher") or fields.get("url")))


def note_works(text: str) -> list[tuple[str, dict[str, Any]]]:
    """(text, fields) of each work a discursive note cites, when it cites two or
    more: "Lihat A, Judul (Kota: Penerbit, 2001); juga B, Judul2 (…, 2005)."
    Breaks inside parentheses do not count."""
    pieces: list[str] = []
    position = 0
    for match in WORK_BREAK.finditer(text):
        if text.count("(", 0, match.start()) != text.count(")", 0, match.start()):
            continue
        pieces.append(text[position : match.start()])
        position = match.end()
    pieces.append(text[position:])
    works = []
    for piece in pieces:
        kind, fields = parse_note(piece.strip(" ;."))
        if kind != "full" or not _is_work(fields):
            return []
        works.append((piece.strip(" ;"), fields))
    return works if len(works) > 1 else []


def resolve_notes(notes: list[Note]) -> None:
    """Fill ``reference``, ``resolves_to`` and ``resolution`` on every note.

    Beyond Ibid./op.cit./loc.cit.: a note naming only an author and a short
    title ("Mas'oed, Ilmu Hubungan Internasional…, hlm. 20") is ``reference``
    ``short`` and resolves to the earlier full note of that work
    (``short_title``); a full reference given again resolves to its first
    occurrence (``repeat``); a note citing several works keeps each in
    ``fields["works"]``, and a later note pointing at one of them says which
    in ``fields["work"]`` (its index)."""
    for index, note in enumerate(notes):
        note.reference, note.fields = parse_note(note.text)
        if note.reference == "full":
            works = note_works(note.text)
            if works:
                note.fields = {**works[0][1], "works": [{"text": t, **f} for t, f in works]}
            note.resolves_to, note.resolution = note.id, "self"
            earlier = _earlier_full_note(note, notes[:index])
            if earlier is not None:
                target, work, short = earlier
                note.resolves_to = target
                note.reference, note.resolution = ("short", "short_title") if short else ("full", "repeat")
                if work is not None:
                    note.fields["work"] = work
            continue
        if note.reference == "ibid":
            previous = notes[index - 1] if index else None
            note.resolves_to = previous.resolves_to if previous is not None else None
            note.resolution = "ibid" if note.resolves_to else "unresolved"
            if previous is not None and note.resolves_to and "work" in previous.fields:
                note.fields["work"] = previous.fields["work"]
            continue
        note.resolves_to, note.resolution = None, "unresolved"
        if note.reference == "loccit" and not note.fields.get("author") and index:
            # a bare "Loc. cit." names no author: the same place as the note before
            note.resolves_to = notes[index - 1].resolves_to
            note.resolution = "loccit" if note.resolves_to else "unresolved"
            continue
        found = _opcit_target(note, notes[:index])
        if found is not None:
            note.resolves_to, note.resolution = found[0], note.reference
            if found[1] is not None:
                note.fields["work"] = found[1]


def _work_fields(note: Note) -> list[dict[str, Any]]:
    """The works a note holds: its ``works``, or its own fields as one work."""
    return note.fields.get("works") or [note.fields]


def _earlier_full_note(note: Note, earlier_notes: list[Note]) -> tuple[str, int | None, bool] | None:
    """(note id, work index or None, short) of the earlier full note that ``note``
    repeats: the same author and title words, and either a short form (no year,
    place, publisher or URL of its own) or the same year."""
    fields = note.fields
    if "works" in fields:
        return None
    wanted = name_tokens(fields.get("author", ""))
    title = _content_words(fields.get("title", ""))
    short = not any(fields.get(key) for key in ("year", "publisher", "place", "url"))
    if not wanted or not title or len(wanted) > 6:
        return None
    for earlier in reversed(earlier_notes):
        if earlier.reference != "full" or earlier.resolution != "self":
            continue
        works = _work_fields(earlier)
        for position, work in enumerate(works):
            if _name_fraction(wanted, name_tokens(work.get("author", ""))) < 1.0:
                continue
            titles = _content_words(work.get("title", ""))
            if _fraction_found(title, titles, 0.85) < (0.6 if short else 0.9):
                continue
            if not short and (str(work.get("year", "")) != str(fields.get("year", ""))
                              or _fraction_found(titles, title, 0.85) < 0.9):
                continue
            return earlier.id, (position if len(works) > 1 else None), short
    return None


def _opcit_target(note: Note, earlier_notes: list[Note]) -> tuple[str, int | None] | None:
    """The full note an op.cit./loc.cit. note points to: the most recent earlier
    note by the same author (the one whose title matches, when the note gives a
    title); failing any author match, an earlier note whose title it names.
    With it, the index of the work meant when that note cites several."""
    wanted = name_tokens(note.fields.get("author", ""))
    title_hint = _content_words(note.fields.get("title", ""))
    if not wanted:
        return None
    by_id = {n.id: n for n in earlier_notes}
    by_author: list[tuple[str, int | None]] = []
    by_title: list[tuple[str, int | None]] = []
    for earlier in reversed(earlier_notes):
        if earlier.resolves_to is None:
            continue
        target = by_id.get(earlier.resolves_to, earlier)
        works = _work_fields(target)
        for position, work in enumerate(works):
            if len(works) > 1 and "work" in earlier.fields and earlier.fields["work"] != position:
                continue
            work_index = position if len(works) > 1 else None
            names = name_tokens(work.get("author", ""))
            if len(works) == 1:
                names += name_tokens(earlier.fields.get("author", ""))
            titles = _content_words(work.get("title", ""))
            if _name_fraction(wanted, names) == 1.0:
                if not title_hint or _fraction_found(title_hint, titles, 0.85) >= 0.6:
                    return earlier.resolves_to, work_index
                by_author.append((earlier.resolves_to, work_index))
            elif _fraction_found(wanted, titles, 0.85) == 1.0:
                by_title.append((earlier.resolves_to, work_index))
    if by_author:
        return by_author[0]
    return by_title[0] if len(set(by_title)) == 1 else None


def _url_key(url: str) -> str:
    return re.sub(r"^(?:https?://)?(?:www\.)?", "", url.lower()).rstrip("/.,;")


def match_score(fields: dict[str, Any], source: Source, text: str = "") -> float:
    """How well a parsed reference (note or citation) matches a bibliography entry.

    Author names, title words and year weigh in; the same URL is a match by
    itself; and ``text`` (the whole note), when given, lets a note whose author
    and title were not parsed ("Undang-Undang Nomor 37 Tahun 1999 tentang …")
    match an entry holding nearly all of its words, unless the years differ."""
    note_url, source_url = fields.get("url"), source.fields.get("url")
    if note_url and source_url and (_url_key(note_url).startswith(_url_key(source_url))
                                    or _url_key(source_url).startswith(_url_key(note_url))):
        return 1.0
    wanted = name_tokens(fields.get("author", ""))
    source_names = name_tokens(source.fields.get("author", "")) or name_tokens(" ".join(source.text.split()[:6]))
    name = _name_fraction(wanted, source_names)
    source_words = _content_words(source.text)
    title_words = _content_words(fields.get("title", ""))
    title = _fraction_found(title_words, source_words, 0.85) if title_words else 0.0
    year_note, year_source = fields.get("year"), source.fields.get("year")
    year = 0.5 if not year_note or not year_source else float(str(year_note)[:4] == str(year_source)[:4])
    score = 0.0 if name < 0.5 and title < 0.6 else 0.45 * name + 0.4 * title + 0.15 * year
    if text and year:
        words = _content_words(URL.sub(" ", text))
        if len(words) >= 3:
            whole = _fraction_found(words, source_words, 0.85)
            if whole >= 0.75:
                score = max(score, 0.3 + 0.4 * whole)
    return score


def _best_source(fields: dict[str, Any], sources: list[Source], text: str) -> str | None:
    best, best_score = None, 0.5
    for source in sources:
        score = match_score(fields, source, text)
        if score > best_score:
            best, best_score = source, score
    return best.id if best else None


def link_note_sources(notes: list[Note], sources: list[Source]) -> None:
    """``Note.source`` for every note; each of several works a note cites gets
    its own ``source`` in ``fields["works"]`` (``Note.source`` is the first's)."""
    by_id = {note.id: note for note in notes}
    for note in notes:
        if note.resolution != "self":
            continue
        works = note.fields.get("works")
        if works:
            for work in works:
                work["source"] = _best_source(work, sources, work["text"])
            note.source = works[0]["source"]
        else:
            note.source = _best_source(note.fields, sources, note.text)
    for note in notes:
        if note.resolution != "self":
            target = by_id.get(note.resolves_to or "")
            note.source = target.source if target is not None else None
            works = target.fields.get("works") if target is not None else None
            if works and isinstance(note.fields.get("work"), int) and note.fields["work"] < len(works):
                note.source = works[note.fields["work"]].get("source")


# ---------------------------------------------------------------- citations in prose

AUTHOR_WORD = r"[A-Z][\w'’\-]+"
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
    rf"^\s*{LEAD_WORDS}({INITIALS}{PARTICLE}(?:{AUTHOR_WORD}|[A-Z]{{2,}}|{SINGLE_LETTER}(?=,?\s+(?:and|dan|&)\s+[A-Z]))"
    rf"(?:[\s,]+(?:{NAME_PART}|{SINGLE_LETTER}|dan|and|&|van|de|der|von|di|al|untuk|of|for|the|bagi))*"
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
# "Haviluddin dalam Jurnal Informatika Mulawarman Vol 6 No. 1 (2011)": the venue between name and year
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
    # footnote markers only where ingest saw them ("256³", "Autodock4" are not)
    math = [match.span() for match in TEX_MATH.finditer(text) if re.search(r"[\\^_{}=]", match.group())]
    candidates = [c for c in candidates if not any(a <= c.start < b for a, b in math)
                  and (note_numbers or c.start in hints)]
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
    for s, e in _join_blank_gaps(prose, text):
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
    wanted = _content_words(after.group(1))
    best, best_score = None, 0.6
    for source in sources:
        if str(source.fields.get("year", ""))[:4] != after.group(2) or not wanted:
            continue
        score = _fraction_found(wanted, _content_words(source.text), 0.85)
        if score >= best_score:
            best, best_score = source, score + 1e-9
    return best


def _source_for_author_year(sources: list[Source], names: list[str], year: str) -> Source | None:
    wanted = name_tokens(names)
    letters = [] if wanted else [n for n in names if len(n) == 1]  # "(C and X 2020)" ↔ "C, Kavitha, and Anita X."
    best, best_score = None, 0.0
    for source in sources:
        authors = name_tokens(source.fields.get("author", "")) or name_tokens(" ".join(source.text.split()[:6]))
        if letters:
            standing = re.findall(r"(?<![\w.])[A-Z](?![\w.])", source.fields.get("author", ""))
            name = sum(letter in standing for letter in letters) / len(letters)
        else:
            name = _name_fraction(wanted, authors)
        if name < 0.5:
            continue
        source_year = str(source.fields.get("year", ""))
        if source_year and source_year[:4] != year[:4]:
            continue
        score = name + (0.5 if source_year else 0.0)
        if year[4:] and re.search(rf"\b{re.escape(year)}\b", source.text):
            score += 0.25  # "(Nye, 2004b)" ↔ "Nye, J. S. (2004b)."
        if score > best_score:
            best, best_score = source, score
    return best


# ---------------------------------------------------------------- scoring

def _overlap(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> int:
    return sum(max(0, min(e1, e2) - max(s1, s2)) for s1, e1 in a for s2, e2 in b)


def _marker_key(style: str, marker: str) -> tuple[str, ...]:
    if style in ("footnote", "numbered"):
        digits = re.sub(r"\D", "", marker.translate(SUPERSCRIPT_TO_DIGIT))
        return ("n", digits)
    year = re.search(YEAR, marker)
    return ("a", year.group() if year else "", *name_tokens(marker))


def _markers_match(gold: tuple[str, ...], predicted: tuple[str, ...]) -> bool:
    if gold[0] != predicted[0] or gold[1] != predicted[1]:
        return False
    if gold[0] == "n":
        return True
    return not gold[2:] or _fraction_found(list(gold[2:]), list(predicted[2:])) > 0


def score_citations(doc: Document, gold: Any) -> dict[str, Any]:
    """Citation scores of ANNOTATION.md §6 for one document.

    ``gold`` is a :class:`pipeline.gold.GoldDocument`.  Each gold unit is matched
    to the predicted unit covering most (≥ 50 %) of its characters; a gold
    citation is found when a predicted citation in that unit has the same marker
    (footnote/numbered: the number; author–year: the year and a name).  Note
    resolution accuracy compares ``resolves_to`` (None = unresolved) and link
    accuracy compares ``source`` over the gold citations that were found.
    """
    unit_match: dict[str, str | None] = {}
    for gold_unit in gold.units:
        length = sum(e - s for s, e in gold_unit.spans)
        best, best_overlap = None, 0
        for unit in doc.units:
            overlap = _overlap(gold_unit.spans, unit.spans())
            if overlap > best_overlap:
                best, best_overlap = unit.id, overlap
        unit_match[gold_unit.id] = best if length and best_overlap * 2 >= length else None
    notes = {note.id: note for note in doc.notes}
    unused = list(doc.citations)
    tp = fn = 0
    resolution_ok = resolution_total = link_ok = link_total = 0
    for record in gold.citations:
        style = record.get("style") or ("footnote" if record.get("note") else "author_year")
        key = _marker_key(style, str(record.get("marker", "")))
        unit_id = unit_match.get(record.get("unit", ""))
        hit = None
        if unit_id is not None:
            hit = next((c for c in unused if c.unit == unit_id and _markers_match(key, _marker_key(c.style, c.marker))),
                       None)
        if hit is None:
            fn += 1
            continue
        tp += 1
        unused.remove(hit)
        if style == "footnote":
            resolution_total += 1
            predicted_note = notes.get(hit.note or "")
            predicted = predicted_note.resolves_to if predicted_note is not None else None
            resolution_ok += int(predicted == record.get("resolves_to"))
        if "source" in record:
            link_total += 1
            link_ok += int(hit.source == record.get("source"))
    return _rates(tp, len(unused), fn, resolution_ok, resolution_total, link_ok, link_total)


def _rates(tp: int, fp: int, fn: int, resolved: int, resolvable: int, linked: int, linkable: int) -> dict[str, Any]:
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return {
        "marker_tp": tp, "marker_fp": fp, "marker_fn": fn,
        "marker_precision": precision, "marker_recall": recall,
        "marker_f1": 2 * precision * recall / (precision + recall) if precision + recall else 0.0,
        "resolution_correct": resolved, "resolution_total": resolvable,
        "resolution_accuracy": resolved / resolvable if resolvable else 1.0,
        "link_correct": linked, "link_total": linkable,
        "link_accuracy": linked / linkable if linkable else 1.0,
    }


def micro_average(scores: list[dict[str, Any]]) -> dict[str, Any]:
    """Pool per-document :func:`score_citations` results (micro-average)."""
    keys = ("marker_tp", "marker_fp", "marker_fn", "resolution_correct", "resolution_total", "link_correct",
            "link_total")
    return _rates(*(sum(int(s[k]) for s in scores) for k in keys))


class Citations:
    """The stage: parsed notes and sources, Ibid./op.cit. resolved, citations linked.
    :func:`score_citations` scores it against gold."""

    name = "citations"
    requires = ("units", "notes", "sources", "paragraphs")
    assigns = ("citations", "notes.resolution", "sources.fields")
    score = staticmethod(score_citations)

    def __init__(self, config: object = None) -> None:
        del config  # rules and word lists only

    def __call__(self, doc: Document) -> Document:
        return link_citations(doc)
