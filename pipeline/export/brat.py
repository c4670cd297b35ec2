"""brat standoff: ``<doc-id>.txt`` (the document text, unchanged), ``<doc-id>.ann``
and one ``annotation.conf`` for the folder.

Entities: ``MajorClaim``, ``Claim``, ``Evidence`` (the units so labelled) and
``Citation`` (the marker as written).  A span that crosses a line break or is cut
by a note block is written as brat's discontinuous fragments (``0 5;9 14``) and
the text column is the fragments joined by one space, so every fragment is the
exact slice of the ``.txt``.  Relations ``supports``, ``attacks``, ``restates``
(unit → unit) and ``cites`` (unit → citation); attributes ``Attribution``
(claims: own / reported) and ``Kind`` (evidence); each diagnostic on a unit or
citation becomes an ``AnnotatorNotes`` comment holding its code and message."""

from __future__ import annotations

from pathlib import Path

from pipeline.graph import Graph
from pipeline.model import Span

ANNOTATION_CONF = """\
# brat configuration of argmap exports (argraph/1 -> brat standoff)
[entities]
MajorClaim
Claim
Evidence
Citation

[relations]
supports\tArg1:MajorClaim|Claim|Evidence, Arg2:MajorClaim|Claim
attacks\tArg1:MajorClaim|Claim|Evidence, Arg2:MajorClaim|Claim
restates\tArg1:MajorClaim|Claim, Arg2:MajorClaim|Claim
cites\tArg1:MajorClaim|Claim|Evidence, Arg2:Citation

[events]

[attributes]
Attribution\tArg:MajorClaim|Claim, Value:own|reported
Kind\tArg:Evidence, Value:statistic|event|example|quotation|other
"""


def fragments(text: str, spans: list[Span]) -> list[Span]:
    """The spans cut at line breaks (brat's text column is one line), blank pieces left out."""
    pieces: list[Span] = []
    for start, end in spans:
        position = start
        for line in text[start:end].split("\n"):
            line_start, line_end = position, position + len(line)
            position = line_end + 1
            while line_start < line_end and text[line_start].isspace():
                line_start += 1
            while line_end > line_start and text[line_end - 1].isspace():
                line_end -= 1
            if line_end > line_start:
                pieces.append((line_start, line_end))
    return pieces


def entity_type(label: str, major: bool) -> str:
    if label == "claim":
        return "MajorClaim" if major else "Claim"
    return "Evidence"


def to_brat(graph: Graph, text: str) -> str:
    """The ``.ann`` content of one graph, given the text its offsets index."""
    lines: list[str] = []
    entity_of: dict[str, str] = {}

    def entity(ident: str, kind: str, spans: list[Span]) -> None:
        pieces = fragments(text, spans)
        if not pieces:
            return
        number = f"T{len(entity_of) + 1}"
        entity_of[ident] = number
        offsets = ";".join(f"{start} {end}" for start, end in pieces)
        lines.append(f"{number}\t{kind} {offsets}\t{' '.join(text[s:e] for s, e in pieces)}")

    for unit in graph.units:
        if unit.label in ("claim", "evidence"):
            entity(unit.id, entity_type(unit.label, unit.major), unit.spans())
    for citation in graph.citations:
        entity(citation.id, "Citation", [(citation.start, citation.end)])
    attributes = 0
    for unit in graph.units:
        value, name = (unit.attribution, "Attribution") if unit.label == "claim" else (unit.kind, "Kind")
        if unit.id in entity_of and value:
            attributes += 1
            lines.append(f"A{attributes}\t{name} {entity_of[unit.id]} {value}")
    relations = 0
    for relation in graph.relations:
        if relation.source in entity_of and relation.target in entity_of:
            relations += 1
            lines.append(f"R{relations}\t{relation.label} Arg1:{entity_of[relation.source]} "
                         f"Arg2:{entity_of[relation.target]}")
    notes = 0
    for diagnostic in graph.diagnostics:
        target = entity_of.get(diagnostic.objects[0])
        if target:
            notes += 1
            lines.append(f"#{notes}\tAnnotatorNotes {target}\t{diagnostic.code}: {diagnostic.message}")
    return "".join(line + "\n" for line in lines)


def write_brat(graph: Graph, dest: Path) -> list[Path]:
    """``<dest>/<doc-id>.txt`` and ``<dest>/<doc-id>.ann``."""
    text = graph.text()
    text_path = Path(dest) / f"{graph.document.id}.txt"
    ann_path = text_path.with_suffix(".ann")
    with open(text_path, "w", encoding="utf-8", newline="") as stream:
        stream.write(text)  # newline="" keeps the offsets: no line-end translation
    ann_path.write_text(to_brat(graph, text), encoding="utf-8")
    return [text_path, ann_path]
