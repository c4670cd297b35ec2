"""Reading ``argraph/1`` files back: typed records (:func:`read_graph`), the
document record alone (:func:`read_document_record`, for resuming) and a
networkx view (:func:`to_networkx`) for downstream tools."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.graph.write import SCHEMA_ID, GraphError
from pipeline.ingest import decode_text
from pipeline.model import (
    Citation,
    Diagnostic,
    Note,
    Paragraph,
    Relation,
    Section,
    Source,
    Span,
    Unit,
)


@dataclass
class DocumentRecord:
    """The first line of a graph file."""

    id: str
    source: str
    text_path: str
    media_type: str
    sha256: str
    text_sha256: str
    text_length: int
    title: str
    title_span: Span | None
    authors: list[str]
    supervisors: list[str]
    keywords: list[str]
    keywords_span: Span | None
    language: str
    pipeline_version: str
    model_versions: dict[str, str]
    counts: dict[str, int]
    warnings: list[str]
    schema: str = SCHEMA_ID


@dataclass
class Graph:
    """One graph file as typed records (the model's dataclasses; units carry no tokens)."""

    path: Path
    document: DocumentRecord
    sections: list[Section] = field(default_factory=list)
    paragraphs: list[Paragraph] = field(default_factory=list)
    units: list[Unit] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def text(self) -> str:
        """The text the offsets refer to: ``text_path`` from the graph's folder (as the
        writer records it), else from the current folder (graphs written before it did),
        else a file of that name beside the graph."""
        recorded = Path(self.document.text_path)
        candidates = [self.path.parent / recorded, recorded, self.path.parent / recorded.name]
        for candidate in candidates:
            if candidate.is_file():
                # decoded exactly as ingest decoded it, so the offsets fit
                text = decode_text(candidate.read_bytes(), [])
                if hashlib.sha256(text.encode("utf-8")).hexdigest() == self.document.text_sha256:
                    return text
        raise FileNotFoundError(
            f"{self.path}: no text matching text_sha256 at {self.document.text_path}"
        )

    def by_id(self) -> dict[str, Any]:
        objects: dict[str, Any] = {}
        for group in (self.sections, self.paragraphs, self.units, self.notes, self.sources,
                      self.citations, self.relations, self.diagnostics):
            objects.update((item.id, item) for item in group)
        return objects


def iter_records(path: Path | str) -> Iterator[dict[str, Any]]:
    with open(path, encoding="utf-8") as stream:
        for number, line in enumerate(stream, 1):
            if not line.strip():
                continue
            try:
                yield json.loads(line)
            except json.JSONDecodeError as error:
                raise GraphError(f"{path}:{number}: not JSON: {error}") from error


def _span(value: Any) -> Span | None:
    return (int(value[0]), int(value[1])) if value else None


def _span_list(value: Any) -> list[Span]:
    return [(int(start), int(end)) for start, end in value or []]


def read_document_record(path: Path | str) -> dict[str, Any] | None:
    """The raw first record of a graph file, or None when it is missing or unreadable."""
    try:
        with open(path, encoding="utf-8") as stream:
            record = json.loads(stream.readline())
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) and record.get("type") == "document" else None


def read_graph(path: Path | str) -> Graph:
    """Read an ``argraph/1`` file into typed records (record types this reader does
    not know, added to the format later, are skipped)."""
    path = Path(path)
    records = iter_records(path)
    first = next(records, None)
    if not first or first.get("type") != "document":
        raise GraphError(f"{path}: the first record is not a document record")
    if first.get("schema") != SCHEMA_ID:
        raise GraphError(f"{path}: schema {first.get('schema')!r}, expected {SCHEMA_ID!r}")
    document = DocumentRecord(
        id=first["id"], source=first["source"], text_path=first["text_path"],
        media_type=first["media_type"], sha256=first["sha256"],
        text_sha256=first["text_sha256"], text_length=first["text_length"],
        title=first["title"], title_span=_span(first["title_span"]),
        authors=first["authors"], supervisors=first["supervisors"], keywords=first["keywords"],
        keywords_span=_span(first["keywords_span"]), language=first["language"],
        pipeline_version=first["pipeline_version"], model_versions=first["model_versions"],
        counts=first["counts"], warnings=first["warnings"], schema=first["schema"],
    )
    graph = Graph(path=path, document=document)
    for record in records:
        kind = record.get("type")
        if kind == "section":
            graph.sections.append(Section(
                id=record["id"], start=record["start"], end=record["end"],
                heading=record["heading"], heading_start=record["heading_start"],
                heading_end=record["heading_end"], role=record["role"], level=record["level"],
            ))
        elif kind == "paragraph":
            graph.paragraphs.append(Paragraph(
                id=record["id"], start=record["start"], end=record["end"],
                section=record["section"], parts=_span_list(record.get("parts")),
            ))
        elif kind == "unit":
            graph.units.append(Unit(
                id=record["id"], start=record["start"], end=record["end"], text=record["text"],
                section=record["section"], paragraph=record["paragraph"],
                parts=_span_list(record.get("parts")), language=record["language"],
                label=record["label"], probabilities=record["probabilities"],
                major=record["major"], attribution=record["attribution"], kind=record["kind"],
                producer=record["producer"],
            ))
        elif kind == "note":
            graph.notes.append(Note(
                id=record["id"], number=record["number"], start=record["start"],
                end=record["end"], text=record["text"], fields=record["fields"],
                reference=record["reference"], resolves_to=record["resolves_to"],
                resolution=record["resolution"], source=record["source"],
                parts=_span_list(record.get("parts")),
            ))
        elif kind == "source":
            graph.sources.append(Source(
                id=record["id"], start=record["start"], end=record["end"], text=record["text"],
                group=record["group"], fields=record["fields"],
            ))
        elif kind == "citation":
            graph.citations.append(Citation(
                id=record["id"], unit=record["unit"], start=record["start"], end=record["end"],
                marker=record["marker"], style=record["style"], note=record["note"],
                source=record["source"], resolution=record["resolution"],
            ))
        elif kind == "relation":
            graph.relations.append(Relation(
                id=record["id"], source=record["from"], target=record["to"],
                label=record["label"], score=record["score"], producer=record["producer"],
            ))
        elif kind == "diagnostic":
            graph.diagnostics.append(Diagnostic(
                id=record["id"], code=record["code"], objects=record["objects"],
                start=record["start"], end=record["end"], message=record["message"],
            ))
        # a record type added to argraph/1 after this reader is skipped, not an error
    return graph


def iter_graphs(folder: Path | str) -> Iterator[Graph]:
    """Every graph file in an output folder (``index.jsonl``/``errors.jsonl`` left out),
    in file-name order."""
    for path in sorted(Path(folder).glob("*.jsonl")):
        if path.name not in ("index.jsonl", "errors.jsonl"):
            yield read_graph(path)


def read_output_folder(folder: Path | str) -> list[Graph]:
    """Every graph of an ``argmap extract`` output folder, for the commands that read one
    (export, report, corpus); an error naming the folder when it holds none."""
    folder = Path(folder)
    if not folder.is_dir():
        raise GraphError(f"{folder}: not a folder of argraph/1 graphs")
    graphs = list(iter_graphs(folder))
    if not graphs:
        raise GraphError(f"{folder}: holds no <doc-id>.jsonl graph")
    return graphs


def to_networkx(graph: Graph) -> Any:
    """A ``networkx.MultiDiGraph``: one node per section, paragraph, unit, note, source
    and citation (attribute ``type`` plus the record's fields); edges keyed by label:
    the relations (``supports``, ``attacks``, ``restates``, ``cites``), ``part_of``
    (unit -> paragraph -> section), ``note``/``source`` (citation -> note/source,
    note -> source) and ``resolves_to`` (an Ibid./op.cit. note -> the note it repeats)."""
    import networkx as nx

    network = nx.MultiDiGraph(id=graph.document.id, title=graph.document.title,
                              source=graph.document.source)

    def add(node_type: str, item: Any, **attributes: Any) -> None:
        network.add_node(item.id, type=node_type, **attributes)

    for section in graph.sections:
        add("section", section, heading=section.heading, role=section.role, start=section.start,
            end=section.end)
    for paragraph in graph.paragraphs:
        add("paragraph", paragraph, start=paragraph.start, end=paragraph.end)
        if paragraph.section:
            network.add_edge(paragraph.id, paragraph.section, key="part_of", label="part_of")
    for unit in graph.units:
        add("unit", unit, text=unit.text, label=unit.label, major=unit.major,
            attribution=unit.attribution, kind=unit.kind, start=unit.start, end=unit.end)
        if unit.paragraph or unit.section:
            network.add_edge(unit.id, unit.paragraph or unit.section, key="part_of",
                             label="part_of")
    for note in graph.notes:
        add("note", note, number=note.number, text=note.text, resolution=note.resolution)
        if note.resolves_to and note.resolves_to != note.id:
            network.add_edge(note.id, note.resolves_to, key="resolves_to", label="resolves_to")
        if note.source:
            network.add_edge(note.id, note.source, key="source", label="source")
    for source in graph.sources:
        add("source", source, text=source.text, group=source.group)
    for citation in graph.citations:
        add("citation", citation, marker=citation.marker, style=citation.style,
            resolution=citation.resolution)
        if citation.note:
            network.add_edge(citation.id, citation.note, key="note", label="note")
        if citation.source:
            network.add_edge(citation.id, citation.source, key="source", label="source")
    for relation in graph.relations:
        network.add_edge(relation.source, relation.target, key=relation.label,
                         label=relation.label, score=relation.score, id=relation.id,
                         producer=relation.producer)
    return network


