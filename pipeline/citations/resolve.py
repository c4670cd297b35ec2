"""Resolving notes: Ibid., op.cit., loc.cit., short titles and repeated references, and linking notes to bibliography entries."""

from __future__ import annotations

import re
from typing import Any

from pipeline.citations.parse import parse_note
from pipeline.citations.text import URL, content_words, fraction_found, name_fraction, name_tokens
from pipeline.model import Note, Source

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
    title = content_words(fields.get("title", ""))
    short = not any(fields.get(key) for key in ("year", "publisher", "place", "url"))
    if not wanted or not title or len(wanted) > 6:
        return None
    for earlier in reversed(earlier_notes):
        if earlier.reference != "full" or earlier.resolution != "self":
            continue
        works = _work_fields(earlier)
        for position, work in enumerate(works):
            if name_fraction(wanted, name_tokens(work.get("author", ""))) < 1.0:
                continue
            titles = content_words(work.get("title", ""))
            if fraction_found(title, titles, 0.85) < (0.6 if short else 0.9):
                continue
            if not short and (str(work.get("year", "")) != str(fields.get("year", ""))
                              or fraction_found(titles, title, 0.85) < 0.9):
                continue
            return earlier.id, (position if len(works) > 1 else None), short
    return None


def _opcit_target(note: Note, earlier_notes: list[Note]) -> tuple[str, int | None] | None:
    """The full note an op.cit./loc.cit. note points to: the most recent earlier
    note by the same author (the one whose title matches, when the note gives a
    title); failing any author match, an earlier note whose title it names.
    With it, the index of the work meant when that note cites several."""
    wanted = name_tokens(note.fields.get("author", ""))
    title_hint = content_words(note.fields.get("title", ""))
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
            titles = content_words(work.get("title", ""))
            if name_fraction(wanted, names) == 1.0:
                if not title_hint or fraction_found(title_hint, titles, 0.85) >= 0.6:
                    return earlier.resolves_to, work_index
                by_author.append((earlier.resolves_to, work_index))
            elif fraction_found(wanted, titles, 0.85) == 1.0:
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
    name = name_fraction(wanted, source_names)
    source_words = content_words(source.text)
    title_words = content_words(fields.get("title", ""))
    title = fraction_found(title_words, source_words, 0.85) if title_words else 0.0
    year_note, year_source = fields.get("year"), source.fields.get("year")
    year = 0.5 if not year_note or not year_source else float(str(year_note)[:4] == str(year_source)[:4])
    score = 0.0 if name < 0.5 and title < 0.6 else 0.45 * name + 0.4 * title + 0.15 * year
    if text and year:
        words = content_words(URL.sub(" ", text))
        if len(words) >= 3:
            whole = fraction_found(words, source_words, 0.85)
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


