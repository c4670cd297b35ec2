"""Stage 'diagnostics': what a researcher or supervisor should look at in the argument.

Reads the finished Document: sections and their roles, units with ``label`` (the
'units' stage) and tokens, notes with their resolution, sources, citations (the
'citations' stage) and relations (the 'relations' stage).  Adds
``doc.diagnostics`` (ids ``d1``… in reading order), each with a stable ``code``,
the ids of the records involved, the span of the first of them and a one-line
Indonesian message (templates in ``pipeline/lexicon/diagnostics/messages.txt``):

- ``unsupported_claim``: a claim in a body section (body, theory, method,
  results) that no ``supports`` relation reaches and that carries no citation;
- ``unresolved_citation``: a note whose Ibid./op.cit./loc.cit./short title has
  nothing earlier to resolve to, a footnote marker without its note, or a note
  without a marker in the prose;
- ``uncited_source``: a bibliography entry no citation reaches (directly, through
  its note, or through the note that note repeats);
- ``missing_source``: a work cited but absent from the bibliography, one record
  per work (per full note for footnotes, per reference as written otherwise);
  only where the document has a bibliography at all;
- ``ungrounded_conclusion``: a claim of the conclusion that no chain of
  supports / attacks / restates relations, through other conclusion claims,
  links to a unit of a body section;
- ``unanswered_question``: a research question (a sentence of the introduction
  that ends in "?" or names itself with a cue such as "rumusan masalah") that
  no conclusion claim restates: none shares at least half of its content
  lemmas (nouns, proper nouns, verbs, adjectives; question words left out).

Nothing here changes what the earlier stages decided; the graph writer writes
the records after the relations.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable

from pipeline.config import Config
from pipeline.lexicons import lexicon, templates, terms
from pipeline.model import Citation, Diagnostic, Document, Note, Unit

CODES = ("unsupported_claim", "unresolved_citation", "uncited_source", "missing_source",
         "ungrounded_conclusion", "unanswered_question")
BODY_ROLES = frozenset({"body", "theory", "method", "results"})
INTRODUCTION_ROLES = frozenset({"introduction", "research_question", "objectives", "hypothesis"})
CONCLUSION_ROLES = frozenset({"conclusion"})
ARGUMENT_LABELS = frozenset({"supports", "attacks", "restates"})
CONTENT_POS = frozenset({"NOUN", "PROPN", "VERB", "ADJ"})
# share of a question's content lemmas a conclusion claim must hold to answer it
ANSWER_OVERLAP = 0.5
EXCERPT_CHARS = 60
MESSAGES = "diagnostics/messages"
QUESTION_WORDS = "diagnostics/question_words"
QUESTION_CUES = "diagnostics/research_question_cues"


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """The start of a text on one line, cut at a word with "…" when longer than ``limit``."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    return flat[:limit].rsplit(" ", 1)[0] + "…"


class DiagnosticFinder:
    """Collects the diagnostics of one document; :meth:`find` returns them in reading order."""

    def __init__(self, doc: Document, messages: dict[str, str], question_words: frozenset[str],
                 question_cues: tuple[str, ...]) -> None:
        self.doc = doc
        self.messages = messages
        self.question_words = question_words
        self.question_cues = question_cues
        # from a word's start: "perumusan masalah matematika" announces no "rumusan masalah";
        # "rumusan masalahnya", "research questions" do
        cues = "|".join(re.escape(cue) for cue in question_cues)
        self.question_cue = re.compile(rf"(?<!\w)(?:{cues})(?:nya|lah|s)?(?!\w)" if question_cues else r"(?!)")
        self.roles = {section.id: section.role for section in doc.sections}
        self.units = doc.unit_by_id()
        self.notes = {note.id: note for note in doc.notes}
        self.found: list[Diagnostic] = []

    def role(self, unit: Unit) -> str:
        return self.roles.get(unit.section, "")

    def add(self, code: str, key: str, objects: Iterable[str], span: tuple[int, int],
            **values: object) -> None:
        message = self.messages[key].format(**values)
        self.found.append(Diagnostic(id="", code=code, objects=list(objects), start=span[0],
                                     end=span[1], message=message))

    def find(self) -> list[Diagnostic]:
        self.unsupported_claims()
        self.unresolved_citations()
        self.uncited_sources()
        self.missing_sources()
        self.ungrounded_conclusions()
        self.unanswered_questions()
        self.found.sort(key=lambda item: (item.start, item.end, CODES.index(item.code)))
        for number, diagnostic in enumerate(self.found, 1):
            diagnostic.id = f"d{number}"
        return self.found

    # -- claims --------------------------------------------------------------

    def unsupported_claims(self) -> None:
        supported = {relation.target for relation in self.doc.relations if relation.label == "supports"}
        cited = {citation.unit for citation in self.doc.citations if citation.unit}
        cited |= {relation.source for relation in self.doc.relations if relation.label == "cites"}
        for unit in self.doc.units:
            if (unit.label == "claim" and self.role(unit) in BODY_ROLES
                    and unit.id not in supported and unit.id not in cited):
                self.add("unsupported_claim", "unsupported_claim", [unit.id], (unit.start, unit.end),
                         unit=unit.id, excerpt=excerpt(unit.text))

    def ungrounded_conclusions(self) -> None:
        neighbours: dict[str, set[str]] = defaultdict(set)
        for relation in self.doc.relations:
            if relation.label in ARGUMENT_LABELS:
                neighbours[relation.source].add(relation.target)
                neighbours[relation.target].add(relation.source)
        conclusion = [unit for unit in self.doc.units
                      if unit.label == "claim" and self.role(unit) in CONCLUSION_ROLES]
        in_conclusion = {unit.id for unit in conclusion}
        grounded: set[str] = set()
        for start in conclusion:
            if start.id in grounded:
                continue
            # the conclusion claims connected to this one, through conclusion claims only
            component, frontier, reaches_body = {start.id}, [start.id], False
            while frontier:
                for other in neighbours[frontier.pop()]:
                    unit = self.units.get(other)
                    if unit is not None and self.role(unit) in BODY_ROLES:
                        reaches_body = True
                    elif other in in_conclusion and other not in component:
                        component.add(other)
                        frontier.append(other)
            if reaches_body:
                grounded |= component
        for unit in conclusion:
            if unit.id not in grounded:
                self.add("ungrounded_conclusion", "ungrounded_conclusion", [unit.id],
                         (unit.start, unit.end), unit=unit.id, excerpt=excerpt(unit.text))

    # -- research questions ---------------------------------------------------

    def is_question(self, unit: Unit) -> bool:
        if self.role(unit) not in INTRODUCTION_ROLES:
            return False
        text = unit.text.rstrip(" \"'”’)")
        lowered = " ".join(unit.text.lower().split())
        return text.endswith("?") or self.question_cue.search(lowered) is not None

    def content_lemmas(self, unit: Unit) -> set[str]:
        cue_words = {word for cue in self.question_cues for word in cue.split()}
        return {(token.lemma or token.text).lower() for token in unit.tokens
                if token.upos in CONTENT_POS
                and (token.lemma or token.text).lower() not in self.question_words
                and (token.lemma or token.text).lower() not in cue_words}

    def unanswered_questions(self) -> None:
        questions = [unit for unit in self.doc.units if self.is_question(unit)]
        if not questions:
            return
        answers = [self.content_lemmas(unit) for unit in self.doc.units
                   if unit.label == "claim" and self.role(unit) in CONCLUSION_ROLES]
        for question in questions:
            asked = self.content_lemmas(question)
            answered = bool(asked) and any(len(asked & answer) >= ANSWER_OVERLAP * len(asked)
                                           for answer in answers)
            if not answered:
                self.add("unanswered_question", "unanswered_question", [question.id],
                         (question.start, question.end), unit=question.id,
                         excerpt=excerpt(question.text))

    # -- citations, notes and sources ----------------------------------------

    def unresolved_citations(self) -> None:
        citing: dict[str, list[str]] = defaultdict(list)
        for citation in self.doc.citations:
            if citation.note:
                citing[citation.note].append(citation.id)
            elif citation.style == "footnote":
                self.add("unresolved_citation", "unresolved_citation.marker_without_note",
                         [citation.id], (citation.start, citation.end), marker=citation.marker,
                         citation=citation.id)
        for note in self.doc.notes:
            if note.resolution == "unresolved":
                reference = self.messages.get(f"reference.{note.reference}", note.reference)
                self.add("unresolved_citation", "unresolved_citation.unresolved_note",
                         [note.id, *citing[note.id]], (note.start, note.end), number=note.number,
                         reference=reference)
            elif note.id not in citing:
                self.add("unresolved_citation", "unresolved_citation.note_without_marker",
                         [note.id], (note.start, note.end), number=note.number)

    def note_sources(self, note: Note) -> set[str]:
        """The bibliography entries a note reaches: its own, its works', and those of
        the note it resolves to."""
        reached: set[str] = set()
        for item in (note, self.notes.get(note.resolves_to or "")):
            if item is None:
                continue
            if item.source:
                reached.add(item.source)
            for work in item.fields.get("works") or []:
                if isinstance(work, dict) and work.get("source"):
                    reached.add(work["source"])
        return reached

    def uncited_sources(self) -> None:
        reached: set[str] = set()
        for citation in self.doc.citations:
            if citation.source:
                reached.add(citation.source)
            if citation.note in self.notes:
                reached |= self.note_sources(self.notes[citation.note])
        for source in self.doc.sources:
            if source.id not in reached:
                self.add("uncited_source", "uncited_source", [source.id], (source.start, source.end),
                         source=source.id, excerpt=excerpt(source.text))

    def missing_sources(self) -> None:
        if not self.doc.sources:
            return  # no bibliography at all: every work would be "missing"
        # one record per work: footnotes by the full note they resolve to, others as written
        by_note: dict[str, list[Citation]] = defaultdict(list)
        by_reference: dict[str, list[Citation]] = defaultdict(list)
        for citation in self.doc.citations:
            if citation.resolution != "missing_source":
                continue
            note = self.notes.get(citation.note or "")
            if note is None:
                by_reference[" ".join(citation.marker.split())].append(citation)
            elif note.resolution != "unresolved":  # an unresolved one is unresolved_citation
                by_note[note.resolves_to or note.id].append(citation)
        for note_id, citations in by_note.items():
            note = self.notes[note_id]
            notes = dict.fromkeys([note_id, *(citation.note or "" for citation in citations)])
            self.add("missing_source", "missing_source.note",
                     [*notes, *(citation.id for citation in citations)], (note.start, note.end),
                     number=note.number, count=len(citations))
        for marker, citations in by_reference.items():
            self.add("missing_source", "missing_source.citation",
                     [citation.id for citation in citations], (citations[0].start, citations[0].end),
                     marker=marker, count=len(citations))


def find_diagnostics(doc: Document, messages: dict[str, str] | None = None,
                     question_words: frozenset[str] | None = None,
                     question_cues: tuple[str, ...] | None = None) -> Document:
    """Set ``doc.diagnostics`` from the finished document; returns ``doc``."""
    finder = DiagnosticFinder(doc, messages or templates(MESSAGES),
                              question_words if question_words is not None else lexicon(QUESTION_WORDS),
                              question_cues if question_cues is not None else terms(QUESTION_CUES))
    doc.diagnostics = finder.find()
    return doc


class Diagnostics:
    """The stage: diagnostic records computed from the finished argument graph."""

    name = "diagnostics"
    requires = ("units.label", "citations", "relations")
    assigns = ("diagnostics",)

    def __init__(self, config: Config) -> None:
        self.messages = templates(MESSAGES)
        self.question_words = lexicon(QUESTION_WORDS)
        self.question_cues = terms(QUESTION_CUES)

    def __call__(self, doc: Document) -> Document:
        return find_diagnostics(doc, self.messages, self.question_words, self.question_cues)
