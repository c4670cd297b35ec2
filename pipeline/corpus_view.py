"""The corpus view (``argmap corpus OUT_DIR``): the works cited across all the theses
of an output folder, normalised, and who cites what.

Each thesis names works in three ways: bibliography entries (``source`` records),
full footnote references that match no entry (``note`` records), and author–year
citations that match no entry (``citation`` records, parsed from the marker as
written).  Each becomes a :class:`Mention` with an author, a year and a title
(where known); :func:`same_work` decides whether two mentions name one work,
tolerating spelling variants:

- authors are compared by family name: the part before a comma in an inverted
  name ("Archer, Clive"), else the last word ("Clive Archer"); a family name
  matches when it is close (``difflib`` ratio ≥ 0.85: "Bennet" ~ "Bennett",
  "Mas'oed" ~ "Masoed") to any word of the other name, so misplaced commas
  ("David, S. McLellan") still match; organisations match when every word of
  the shorter name is close to a word of the other ("ECPAT Internasional" ~
  "ECPAT International");
- years must agree when both are known;
- titles must share at least half the words of the shorter one when both are
  known.

Mentions are grouped greedily, in folder order, into :class:`Work` records with
stable ids (``w1``…, most cited first).  :func:`write_corpus_view` writes
``sources.csv``, ``citing.csv``, ``shared.csv``, ``authors.csv`` (people cited by
more than one thesis, through any work) and ``diagnostics.csv`` into
``OUT_DIR/corpus``; the report (:mod:`pipeline.report`) shows the same view as a
section of its index page and as ``corpus.html``."""

from __future__ import annotations

import csv
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from itertools import combinations
from pathlib import Path

from pipeline.diagnostics import CODES
from pipeline.graph import Graph, read_output_folder

NAME_RATIO = 0.85
TITLE_OVERLAP = 0.5
YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)[a-z]?\b")
# words that carry no identity in a title or an organisation's name
SHORT_WORD = 2


@dataclass
class Mention:
    """One thesis naming one work: a bibliography entry, an unmatched full note, or an
    unmatched author–year citation."""

    doc_id: str
    record: str  # the id of the source, note or citation record
    author: str
    year: str
    title: str
    citations: list[str] = field(default_factory=list)  # citation ids reaching it


@dataclass
class Work:
    id: str
    mentions: list[Mention] = field(default_factory=list)

    @property
    def theses(self) -> list[str]:
        return list(dict.fromkeys(mention.doc_id for mention in self.mentions))

    @property
    def citation_count(self) -> int:
        return sum(len(mention.citations) for mention in self.mentions)

    def best(self, attribute: str) -> str:
        """The most frequent non-empty spelling of an attribute (first seen on a tie)."""
        values = Counter(getattr(mention, attribute) for mention in self.mentions if getattr(mention, attribute))
        return values.most_common(1)[0][0] if values else ""

    @property
    def key(self) -> str:
        """author|year|title key: family name, year, first title words, normalised."""
        title = " ".join(title_words(self.best("title"))[:4])
        return f"{family_name(self.best('author'))}|{self.best('year')}|{title}"


def normalise(text: str) -> str:
    """Lower case, accents and apostrophes gone, punctuation as spaces, one space."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(char for char in text if not unicodedata.combining(char))
    text = re.sub(r"['’`ʼ‘]", "", text.lower())
    return " ".join(re.sub(r"[^\w]+", " ", text).split())


def name_words(author: str) -> list[str]:
    return [word for word in normalise(author).split() if len(word) >= SHORT_WORD and not word.isdigit()]


def family_name(author: str) -> str:
    """The family name: before the comma of an inverted name, else the last word."""
    first_author = re.split(r";|\s&\s|\sdan\s|\sand\s", author)[0]
    if "," in first_author:
        words = name_words(first_author.split(",")[0])
    else:
        words = name_words(first_author)
    if not words:
        return ""
    return words[0] if "," in first_author else words[-1]


def title_words(title: str) -> list[str]:
    return [word for word in normalise(title).split() if len(word) > SHORT_WORD]


def _close(a: str, b: str) -> bool:
    return a == b or SequenceMatcher(None, a, b).ratio() >= NAME_RATIO


def individual_authors(author: str) -> list[str]:
    """The people of an author string: "Yang Seung-Yoon dan Mohtar Mas'oed" → two."""
    return [part.strip(" ,.") for part in re.split(r";|\s&\s|\sdan\s|\sand\s|\set al\.?", author)
            if name_words(part)]


def same_person(a: str, b: str) -> bool:
    """Close family names and the same initial of the first given name where both have one
    ("Mochtar Mas'oed" ~ "Mohtar Mas'oed"; "Clive Archer" ~ "Archer, Clive")."""
    if not _close(family_name(a), family_name(b)):
        return False
    given_a = [word for word in name_words(a) if word != family_name(a)]
    given_b = [word for word in name_words(b) if word != family_name(b)]
    return not given_a or not given_b or given_a[0][0] == given_b[0][0]


def same_author(a: str, b: str) -> bool:
    """Whether two author strings name the same (first) author, spelling variants allowed."""
    words_a, words_b = name_words(a), name_words(b)
    if not words_a or not words_b:
        return False
    family_a, family_b = family_name(a), family_name(b)
    if any(_close(family_a, word) for word in words_b) or any(_close(family_b, word) for word in words_a):
        return True
    # organisations: every word of the shorter name close to a word of the other
    shorter, longer = sorted((words_a, words_b), key=len)
    return len(shorter) > 1 and all(any(_close(word, other) for other in longer) for word in shorter)


def same_title(a: str, b: str) -> bool:
    words_a, words_b = set(title_words(a)), set(title_words(b))
    if not words_a or not words_b:
        return True  # nothing to compare: the title does not decide
    return len(words_a & words_b) >= TITLE_OVERLAP * min(len(words_a), len(words_b))


def same_work(a: Mention, b: Mention) -> bool:
    """Whether two mentions name one work (author, year and title, spelling variants allowed)."""
    if a.year and b.year and a.year != b.year:
        return False
    if not (a.author or b.author):
        return bool(a.title and b.title and a.year == b.year and same_title(a.title, b.title)
                    and set(title_words(a.title)) == set(title_words(b.title)))
    return same_author(a.author, b.author) and same_title(a.title, b.title)


def _field(fields: dict, name: str) -> str:
    value = fields.get(name) or ""
    return "; ".join(value) if isinstance(value, list) else str(value)


def parse_author_year(marker: str) -> tuple[str, str]:
    """(author, year) of an author–year citation as written: "(Hadi, 2015: 4)",
    "Wendt (1999)", "(dalam Bakry, 2017)"."""
    flat = " ".join(marker.split())
    year = YEAR.search(flat)
    if not year:
        return "", ""
    before = flat[: year.start()]
    before = re.sub(r"^\(|\b(dalam|in|lihat|see|ed\.|eds\.)\s+", "", before, flags=re.IGNORECASE)
    author = before.strip(" (,.;:")
    return author, year.group(1)


def mentions_of(graph: Graph) -> list[Mention]:
    """The works one thesis names, each once, with the citations that reach it."""
    doc_id = graph.document.id
    by_source = {source.id: Mention(doc_id, source.id, _field(source.fields, "author"),
                                     _field(source.fields, "year"), _field(source.fields, "title"))
                 for source in graph.sources}
    notes = {note.id: note for note in graph.notes}
    by_note: dict[str, Mention] = {}
    found = list(by_source.values())
    for citation in graph.citations:
        note = notes.get(citation.note or "")
        full = notes.get(note.resolves_to or "") if note else None
        if citation.source in by_source:
            by_source[citation.source].citations.append(citation.id)
        elif full is not None and full.reference == "full":
            if full.id not in by_note:
                by_note[full.id] = Mention(doc_id, full.id, _field(full.fields, "author"),
                                           _field(full.fields, "year"), _field(full.fields, "title"))
                found.append(by_note[full.id])
            by_note[full.id].citations.append(citation.id)
        elif citation.style == "author_year":
            author, year = parse_author_year(citation.marker)
            if author:
                found.append(Mention(doc_id, citation.id, author, year, "", [citation.id]))
    return [mention for mention in found if mention.author or mention.title]


def group_works(mentions: list[Mention]) -> list[Work]:
    """Mentions grouped into works, ids ``w1``… by citations (most first), then first seen."""
    groups: list[list[Mention]] = []
    for mention in mentions:
        for group in groups:
            if same_work(group[0], mention) or any(same_work(other, mention) for other in group[1:]):
                group.append(mention)
                break
        else:
            groups.append([mention])
    works = [Work("", group) for group in groups]
    works.sort(key=lambda work: (-len(work.theses), -work.citation_count))
    for number, work in enumerate(works, 1):
        work.id = f"w{number}"
    return works


@dataclass
class CorpusView:
    graphs: list[Graph]
    works: list[Work]
    folder: Path | None = None

    @property
    def shared_works(self) -> list[Work]:
        return [work for work in self.works if len(work.theses) > 1]

    def shared_pairs(self) -> list[tuple[str, str, list[str]]]:
        """(thesis, thesis, ids of the works both cite), most shared first."""
        pairs: dict[tuple[str, str], list[str]] = defaultdict(list)
        for work in self.shared_works:
            for a, b in combinations(sorted(work.theses), 2):
                pairs[a, b].append(work.id)
        return sorted(((a, b, ids) for (a, b), ids in pairs.items()), key=lambda item: (-len(item[2]), item[:2]))

    def shared_authors(self) -> list[tuple[str, list[str], list[str]]]:
        """(name, spellings, theses) of each person cited by more than one thesis, through
        any of their works (co-authors included), most theses first."""
        people: list[tuple[list[str], list[str]]] = []  # (spellings, theses)
        for work in self.works:
            for mention in work.mentions:
                for person in individual_authors(mention.author):
                    for spellings, theses in people:
                        if any(same_person(person, spelling) for spelling in spellings):
                            break
                    else:
                        spellings, theses = [], []
                        people.append((spellings, theses))
                    if person not in spellings:
                        spellings.append(person)
                    if mention.doc_id not in theses:
                        theses.append(mention.doc_id)
        shared = [(Counter(spellings).most_common(1)[0][0], spellings, theses)
                  for spellings, theses in people if len(theses) > 1]
        return sorted(shared, key=lambda item: (-len(item[2]), normalise(item[0])))

    def diagnostic_counts(self) -> list[tuple[str, Counter]]:
        return [(graph.document.id, Counter(d.code for d in graph.diagnostics)) for graph in self.graphs]

    def summary(self) -> str:
        return (f"{len(self.graphs)} theses, {len(self.works)} works, "
                f"{len(self.shared_works)} cited by more than one thesis, "
                f"{len(self.shared_authors())} authors cited by more than one thesis")


def build_corpus_view(graphs: list[Graph]) -> CorpusView:
    return CorpusView(graphs, group_works([mention for graph in graphs for mention in mentions_of(graph)]))


def _write_csv(path: Path, header: list[str], rows: list[list[object]]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(header)
        writer.writerows(rows)


def write_corpus_view(out_dir: Path | str, folder: Path | str | None = None) -> CorpusView:
    """Write the corpus tables and page into ``folder`` (default ``OUT_DIR/corpus``)."""
    graphs = read_output_folder(out_dir)
    view = build_corpus_view(graphs)
    view.folder = Path(folder) if folder else Path(out_dir) / "corpus"
    view.folder.mkdir(parents=True, exist_ok=True)
    _write_csv(view.folder / "sources.csv", ["work", "author", "year", "title", "key", "theses", "citations",
                                             "variants"],
               [[work.id, work.best("author"), work.best("year"), work.best("title"), work.key,
                 len(work.theses), work.citation_count,
                 " | ".join(dict.fromkeys(m.author for m in work.mentions if m.author))] for work in view.works])
    _write_csv(view.folder / "citing.csv", ["work", "doc_id", "record", "author", "year", "title", "citations"],
               [[work.id, m.doc_id, m.record, m.author, m.year, m.title, " ".join(m.citations)]
                for work in view.works for m in work.mentions])
    _write_csv(view.folder / "shared.csv", ["doc_a", "doc_b", "shared", "works"],
               [[a, b, len(ids), " ".join(ids)] for a, b, ids in view.shared_pairs()])
    _write_csv(view.folder / "authors.csv", ["author", "spellings", "theses", "doc_ids"],
               [[name, " | ".join(spellings), len(theses), " ".join(theses)]
                for name, spellings, theses in view.shared_authors()])
    _write_csv(view.folder / "diagnostics.csv", ["doc_id", *CODES],
               [[doc_id, *(counts[code] for code in CODES)] for doc_id, counts in view.diagnostic_counts()])
    return view
