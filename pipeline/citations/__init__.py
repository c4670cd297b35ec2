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

The modules, in the order they run: ``text`` (shared patterns), ``parse``
(fields of notes and entries), ``resolve`` (notes to notes and sources),
``link`` (citations in the prose) and ``score``.
"""

from __future__ import annotations

from pipeline.citations.link import link_citations
from pipeline.citations.parse import parse_note, parse_source
from pipeline.citations.resolve import link_note_sources, note_works, resolve_notes
from pipeline.citations.score import micro_average, score_citations
from pipeline.model import Document

__all__ = ["Citations", "link_citations", "link_note_sources", "micro_average", "note_works", "parse_note",
           "parse_source", "resolve_notes", "score_citations"]


class Citations:
    """The stage: parsed notes and sources, Ibid./op.cit. resolved, citations linked.
    :func:`score_citations` scores it against gold."""

    name = "citations"
    requires = ("units", "notes", "sources", "paragraphs", "captions")
    assigns = ("citations", "notes.resolution", "sources.fields")
    score = staticmethod(score_citations)

    def __init__(self, config: object = None) -> None:
        del config  # rules and word lists only

    def __call__(self, doc: Document) -> Document:
        return link_citations(doc)
