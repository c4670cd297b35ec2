"""A graph as a spaCy ``Doc`` over the document text, for spaCy users and displaCy.

The text is tokenised by spaCy's blank Indonesian tokenizer piece by piece between
the boundaries of every exported span, so each span lies on token boundaries and
its text is exactly the graph's.  ``doc.spans``:

- ``"claim"``: claim units (label ``major_claim`` for major claims, else ``claim``);
- ``"evidence"``: evidence units (label: the kind, ``evidence`` when none);
- ``"citation"``: citation markers (label: the style).

A unit cut by a note block gives one span per part.  Each span's ``id_`` is the
record id (``u12``, ``c3``); ``doc.user_data["argmap"]`` holds the probabilities by
unit id and the document id."""

from __future__ import annotations

from functools import cache
from itertools import pairwise
from typing import Any

from pipeline.graph import Graph
from pipeline.model import Span as CharSpan

SPAN_KEYS = ("claim", "evidence", "citation")


@cache
def _blank_indonesian() -> Any:
    import spacy

    return spacy.blank("id")


def _spans(graph: Graph) -> dict[str, list[tuple[CharSpan, str, str]]]:
    """Per key: ((start, end), label, record id), in text order."""
    found: dict[str, list[tuple[CharSpan, str, str]]] = {key: [] for key in SPAN_KEYS}
    for unit in graph.units:
        if unit.label == "claim":
            label = "major_claim" if unit.major else "claim"
            found["claim"] += [(part, label, unit.id) for part in unit.spans()]
        elif unit.label == "evidence":
            found["evidence"] += [(part, unit.kind or "evidence", unit.id) for part in unit.spans()]
    for citation in graph.citations:
        found["citation"].append(((citation.start, citation.end), citation.style, citation.id))
    return found


def to_spacy(graph: Graph, text: str | None = None) -> Any:
    """The ``spacy.tokens.Doc`` of one graph (``text``: the document text, read from
    ``graph.text()`` when not given)."""
    from spacy.tokens import Doc, Span

    text = graph.text() if text is None else text
    nlp = _blank_indonesian()
    wanted = _spans(graph)
    boundaries = sorted({0, len(text)} | {offset for spans in wanted.values()
                                          for (start, end), _, _ in spans for offset in (start, end)})
    pieces = [nlp.make_doc(text[start:end]) for start, end in pairwise(boundaries)
              if end > start]
    doc = Doc.from_docs(pieces, ensure_whitespace=False) if pieces else nlp.make_doc("")
    for key, spans in wanted.items():
        group = []
        for (start, end), label, ident in spans:
            span = doc.char_span(start, end, label=label)
            if span is not None:
                group.append(Span(doc, span.start, span.end, label=label, span_id=ident))
        doc.spans[key] = group
    doc.user_data["argmap"] = {
        "doc_id": graph.document.id,
        "probabilities": {unit.id: dict(unit.probabilities) for unit in graph.units if unit.probabilities},
    }
    return doc
