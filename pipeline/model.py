"""The one data model that flows through every stage.

Every object carries ``start``/``end`` character offsets into ``Document.text``,
the text the pipeline analyses (the decoded file for .txt/.md, the extracted
text for .pdf/.docx).  Objects refer to one another by id, never by copied text.

Ids are stable and positional: ``s1`` sections, ``p1`` paragraphs, ``u1`` units,
``n<number>`` notes (by footnote number), ``b1`` bibliography sources,
``c1`` citations, ``r1`` relations, ``d1`` diagnostics.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Span = tuple[int, int]


@dataclass
class Token:
    """One syntactic word from Stanza (a multi-word token gives several)."""

    text: str
    start: int
    end: int
    lemma: str = ""
    upos: str = ""
    xpos: str = ""
    feats: str = ""
    head: int = 0  # 1-based index of the head word in the unit, 0 for root
    deprel: str = ""


@dataclass
class Section:
    id: str
    start: int
    end: int
    heading: str
    heading_start: int
    heading_end: int
    # abstract | introduction | research_question | objectives | hypothesis | theory | method | results
    # | body | conclusion | suggestions | references | notes | front | appendix | other
    role: str
    level: int = 1


@dataclass
class Paragraph:
    """A block of running prose; ``parts`` lists the pieces when a note block
    or a page break cuts it (the joined pieces are one paragraph)."""

    id: str
    start: int
    end: int
    section: str
    parts: list[Span] = field(default_factory=list)

    def spans(self) -> list[Span]:
        return self.parts or [(self.start, self.end)]


@dataclass
class Unit:
    """One sentence of running prose: the thing that gets a label."""

    id: str
    start: int
    end: int
    text: str
    section: str
    paragraph: str
    parts: list[Span] = field(default_factory=list)
    tokens: list[Token] = field(default_factory=list)
    language: str = "id"
    label: str = "none"  # claim | evidence | none
    probabilities: dict[str, float] = field(default_factory=dict)
    major: bool = False
    attribution: str | None = None  # own | reported (claims)
    kind: str | None = None  # statistic | event | example | quotation | other (evidence)
    producer: str = ""

    def spans(self) -> list[Span]:
        return self.parts or [(self.start, self.end)]


@dataclass
class Note:
    """A footnote text; ``number`` is its marker as written ("3").  A note that runs
    on over a page break (its end written in the next page's note block) has
    ``parts``; ``text`` is then the parts joined."""

    id: str
    number: str
    start: int
    end: int
    text: str
    fields: dict[str, Any] = field(default_factory=dict)
    reference: str = "full"  # full | ibid | opcit | loccit | short
    resolves_to: str | None = None  # id of the note holding the full reference
    resolution: str = "self"  # self | ibid | opcit | loccit | short_title | repeat | unresolved
    source: str | None = None  # bibliography entry the resolved note points to
    parts: list[Span] = field(default_factory=list)

    def spans(self) -> list[Span]:
        return self.parts or [(self.start, self.end)]


@dataclass
class Source:
    """A bibliography entry, grouped by the heading it stands under."""

    id: str
    start: int
    end: int
    text: str
    group: str = ""
    fields: dict[str, Any] = field(default_factory=dict)


@dataclass
class Citation:
    """One occurrence of a reference in the prose."""

    id: str
    unit: str | None
    start: int
    end: int
    marker: str
    style: str  # footnote | numbered | author_year
    note: str | None = None
    source: str | None = None
    resolution: str = "resolved"  # resolved | unresolved | missing_source


@dataclass
class Relation:
    id: str
    source: str  # "from" in the JSONL
    target: str  # "to" in the JSONL
    label: str  # supports | attacks | restates | cites
    score: float = 1.0
    producer: str = ""


@dataclass
class Diagnostic:
    """Something a reader of the argument should look at (an unsupported claim, a
    dangling op.cit., an uncited bibliography entry…): a stable ``code``, the ids of
    the records involved, a one-line Indonesian ``message``, and the span of the
    first record involved."""

    id: str
    code: str  # see pipeline/diagnostics.py and docs/schema.md
    objects: list[str]
    start: int
    end: int
    message: str


@dataclass
class FrontMatter:
    title: str = ""
    title_span: Span | None = None
    authors: list[str] = field(default_factory=list)
    supervisors: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    keywords_span: Span | None = None


@dataclass
class Document:
    id: str
    source_path: str
    text: str
    text_path: str = ""
    sha256: str = ""
    media_type: str = "text/plain"
    language: str = "id"
    front: FrontMatter = field(default_factory=FrontMatter)
    sections: list[Section] = field(default_factory=list)
    paragraphs: list[Paragraph] = field(default_factory=list)
    units: list[Unit] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    # character spans the ingest stage knows are footnote markers (PDF superscripts,
    # DOCX footnote references), so later stages need not guess them
    marker_hints: list[Span] = field(default_factory=list)
    # character spans the ingest stage knows are not running prose (DOCX tables,
    # text boxes, captions): their text stays in ``text``, searchable and with
    # faithful offsets, but the structure stage makes no paragraphs of it
    non_prose: list[Span] = field(default_factory=list)
    # figure captions the structure stage found ("[Logo Docker[34]]"): not prose, no units, but
    # the citations in them still cite their bibliography entries
    captions: list[Span] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def unit_by_id(self) -> dict[str, Unit]:
        return {unit.id: unit for unit in self.units}

    def section_by_id(self) -> dict[str, Section]:
        return {section.id: section for section in self.sections}
