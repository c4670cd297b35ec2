"""Stage 'graph': write a finished Document as an ``argraph/1`` JSONL file, and read it back.

Reads everything the earlier stages put on the Document (front matter, sections,
paragraphs, units, notes, sources, citations, relations) and adds nothing to it:
this is the output edge of the pipeline.  ``docs/schema.md`` documents every
field; ``pipeline/schema/argraph-1.json`` is the JSON Schema.

The file is one JSON object per line: first one ``document`` record, then the
``section``, ``paragraph``, ``unit``, ``note``, ``source``, ``citation`` and
``relation`` records, each group in reading order.  Keys come in a fixed order
and nothing depends on the clock, so the same input and pipeline version give
byte-identical output.  Every text field of a record is the exact slice of the
document text at the record's offsets (a cut unit's text is its parts joined by
one space), so the writer derives those fields from the offsets.

Downstream tools use :func:`read_graph` (typed records) and :func:`to_networkx`.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise
from pathlib import Path
from typing import Any

from pipeline.ingest import decode_text
from pipeline.model import (
    Citation,
    Document,
    Note,
    Paragraph,
    Relation,
    Section,
    Source,
    Span,
    Unit,
)

SCHEMA_ID = "argraph/1"
SCHEMA_PATH = Path(__file__).with_name("schema") / "argraph-1.json"
RECORD_TYPES = (
    "document", "section", "paragraph", "unit", "note", "source", "citation", "relation",
)
TEXT_MEDIA_TYPES = ("text/plain", "text/markdown")
PROBABILITY_DIGITS = 6
_UMASK = os.umask(0)
os.umask(_UMASK)


class GraphError(ValueError):
    """A Document cannot be written as a valid graph (offsets out of range, bad value)."""


# ---------------------------------------------------------------------------
# Document -> records


def _spans_text(text: str, spans: Iterable[Span]) -> str:
    return " ".join(text[start:end] for start, end in spans)


def _parts(parts: list[Span]) -> list[list[int]]:
    return [[int(start), int(end)] for start, end in parts]


def _round(value: float) -> float:
    value = float(value)
    if math.isnan(value) or math.isinf(value):
        raise GraphError(f"not a finite number: {value}")
    return round(value, PROBABILITY_DIGITS)


def _jsonable(value: Any) -> Any:
    """Plain JSON values in a stable order (dict keys sorted, sets sorted)."""
    if isinstance(value, dict):
        return {str(key): _jsonable(value[key]) for key in sorted(value, key=str)}
    if isinstance(value, (list, tuple)):
        return [_jsonable(item) for item in value]
    if isinstance(value, (set, frozenset)):
        return sorted(_jsonable(item) for item in value)
    if isinstance(value, float):
        return _round(value)
    if value is None or isinstance(value, (str, int, bool)):
        return value
    return str(value)


def text_path_for(doc: Document, out_path: Path) -> tuple[str, bool]:
    """Where the text the offsets refer to lives, and whether the writer must write it.

    A .txt/.md input is its own text (ingest decodes it without changing a
    character); any other input's extracted text goes to ``<doc-id>.txt``
    beside the JSONL.
    """
    if doc.media_type in TEXT_MEDIA_TYPES and doc.text_path:
        return doc.text_path, False
    return str(out_path.with_suffix(".txt")), True


def counts(doc: Document) -> dict[str, int]:
    labels = [unit.label for unit in doc.units]
    return {
        "sections": len(doc.sections),
        "paragraphs": len(doc.paragraphs),
        "units": len(doc.units),
        "tokens": sum(len(unit.tokens) for unit in doc.units),
        "claims": labels.count("claim"),
        "evidence": labels.count("evidence"),
        "major_claims": sum(1 for unit in doc.units if unit.label == "claim" and unit.major),
        "notes": len(doc.notes),
        "sources": len(doc.sources),
        "citations": len(doc.citations),
        "relations": len(doc.relations),
    }


def document_record(
    doc: Document,
    text_path: str,
    pipeline_version: str,
    model_versions: dict[str, str],
) -> dict[str, Any]:
    front = doc.front
    title_span = list(front.title_span) if front.title_span else None
    keywords_span = list(front.keywords_span) if front.keywords_span else None
    return {
        "type": "document",
        "schema": SCHEMA_ID,
        "id": doc.id,
        "source": doc.source_path,
        "text_path": text_path,
        "media_type": doc.media_type,
        "sha256": doc.sha256,
        "text_sha256": hashlib.sha256(doc.text.encode("utf-8")).hexdigest(),
        "text_length": len(doc.text),
        "title": front.title,
        "title_span": title_span,
        "authors": list(front.authors),
        "supervisors": list(front.supervisors),
        "keywords": list(front.keywords),
        "keywords_span": keywords_span,
        "language": doc.language,
        "pipeline_version": pipeline_version,
        "model_versions": _jsonable(model_versions),
        "counts": counts(doc),
        "warnings": [str(warning) for warning in doc.warnings],
    }


def section_record(section: Section) -> dict[str, Any]:
    return {
        "type": "section",
        "id": section.id,
        "start": section.start,
        "end": section.end,
        "heading": section.heading,
        "heading_start": section.heading_start,
        "heading_end": section.heading_end,
        "role": section.role,
        "level": section.level,
    }


def paragraph_record(paragraph: Paragraph) -> dict[str, Any]:
    record: dict[str, Any] = {
        "type": "paragraph",
        "id": paragraph.id,
        "start": paragraph.start,
        "end": paragraph.end,
    }
    if paragraph.parts:
        record["parts"] = _parts(paragraph.parts)
    record["section"] = paragraph.section or None
    return record


def unit_record(unit: Unit, text: str) -> dict[str, Any]:
    record: dict[str, Any] = {"type": "unit", "id": unit.id, "start": unit.start, "end": unit.end}
    if unit.parts:
        record["parts"] = _parts(unit.parts)
    record.update(
        text=_spans_text(text, unit.spans()),
        section=unit.section or None,
        paragraph=unit.paragraph or None,
        language=unit.language,
        tokens=len(unit.tokens),
        label=unit.label,
        probabilities={key: _round(unit.probabilities[key]) for key in sorted(unit.probabilities)},
        major=bool(unit.major),
        attribution=unit.attribution,
        kind=unit.kind,
        producer=unit.producer,
    )
    return record


def note_record(note: Note, text: str) -> dict[str, Any]:
    record: dict[str, Any] = {"type": "note", "id": note.id, "number": note.number,
                              "start": note.start, "end": note.end}
    if note.parts:
        record["parts"] = _parts(note.parts)
    return record | {
        "text": _spans_text(text, note.spans()),
        "reference": note.reference,
        "fields": _jsonable(note.fields),
        "resolves_to": note.resolves_to,
        "resolution": note.resolution,
        "source": note.source,
    }


def source_record(source: Source, text: str) -> dict[str, Any]:
    return {
        "type": "source",
        "id": source.id,
        "start": source.start,
        "end": source.end,
        "text": text[source.start:source.end],
        "group": source.group,
        "fields": _jsonable(source.fields),
    }


def citation_record(citation: Citation) -> dict[str, Any]:
    return {
        "type": "citation",
        "id": citation.id,
        "unit": citation.unit,
        "start": citation.start,
        "end": citation.end,
        "marker": citation.marker,
        "style": citation.style,
        "note": citation.note,
        "source": citation.source,
        "resolution": citation.resolution,
    }


def relation_record(relation: Relation) -> dict[str, Any]:
    return {
        "type": "relation",
        "id": relation.id,
        "from": relation.source,
        "to": relation.target,
        "label": relation.label,
        "score": _round(relation.score),
        "producer": relation.producer,
    }


def _check_offsets(doc: Document) -> None:
    """Fail before writing when a stage produced a span outside the text."""
    length = len(doc.text)

    def check(kind: str, ident: str, spans: Iterable[Span]) -> None:
        for start, end in spans:
            if not (isinstance(start, int) and isinstance(end, int) and 0 <= start <= end <= length):
                raise GraphError(f"{kind} {ident}: span [{start}, {end}] outside the text (0..{length})")

    for section in doc.sections:
        check("section", section.id, [(section.start, section.end),
                                      (section.heading_start, section.heading_end)])
    for paragraph in doc.paragraphs:
        check("paragraph", paragraph.id, [(paragraph.start, paragraph.end), *paragraph.parts])
    for unit in doc.units:
        check("unit", unit.id, [(unit.start, unit.end), *unit.parts])
    for note in doc.notes:
        check("note", note.id, [(note.start, note.end), *note.parts])
    for source in doc.sources:
        check("source", source.id, [(source.start, source.end)])
    for citation in doc.citations:
        check("citation", citation.id, [(citation.start, citation.end)])
    for name, span in (("title", doc.front.title_span), ("keywords", doc.front.keywords_span)):
        if span:
            check("document", name, [span])


def graph_records(
    doc: Document,
    text_path: str,
    pipeline_version: str = "",
    model_versions: dict[str, str] | None = None,
) -> list[dict[str, Any]]:
    """All records of one document, in file order."""
    _check_offsets(doc)
    text = doc.text
    records = [document_record(doc, text_path, pipeline_version, model_versions or {})]
    records += [section_record(section) for section in doc.sections]
    records += [paragraph_record(paragraph) for paragraph in doc.paragraphs]
    records += [unit_record(unit, text) for unit in doc.units]
    records += [note_record(note, text) for note in doc.notes]
    records += [source_record(source, text) for source in doc.sources]
    records += [citation_record(citation) for citation in doc.citations]
    records += [relation_record(relation) for relation in doc.relations]
    return records


def dumps(record: dict[str, Any]) -> str:
    """One JSONL line (key order as built; no NaN; non-ASCII kept as is)."""
    return json.dumps(record, ensure_ascii=False, allow_nan=False)


def atomic_write_text(path: Path, content: str) -> None:
    """Write to a temporary file in the same folder, then rename it over ``path``: a
    reader (or a resumed batch) never sees a half-written file after a kill.  No
    fsync: after a power cut a graph may come back empty, and a resumed batch
    simply redoes it (it costs ~4 ms a file here)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(content)
        os.chmod(temp_name, 0o666 & ~_UMASK)  # mkstemp makes 0600; give the usual mode
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise


def write_graph(
    doc: Document,
    out_path: Path,
    pipeline_version: str = "",
    model_versions: dict[str, str] | None = None,
) -> list[dict[str, Any]]:
    """Write ``doc`` to ``out_path`` (and its extracted text beside it when the
    input was not plain text); returns the records written."""
    out_path = Path(out_path)
    text_path, write_text = text_path_for(doc, out_path)
    records = graph_records(doc, text_path, pipeline_version, model_versions)
    content = "".join(dumps(record) + "\n" for record in records)
    if write_text:
        atomic_write_text(Path(text_path), doc.text)
    atomic_write_text(out_path, content)
    return records


# ---------------------------------------------------------------------------
# Reading


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

    def text(self) -> str:
        """The text the offsets refer to (``text_path`` as written, else beside the file)."""
        candidates = [Path(self.document.text_path)]
        candidates.append(self.path.parent / Path(self.document.text_path).name)
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
                      self.citations, self.relations):
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
    """Read an ``argraph/1`` file into typed records."""
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
        else:
            raise GraphError(f"{path}: unknown record type {kind!r}")
    return graph


def iter_graphs(folder: Path | str) -> Iterator[Graph]:
    """Every graph file in an output folder (``index.jsonl``/``errors.jsonl`` left out),
    in file-name order."""
    for path in sorted(Path(folder).glob("*.jsonl")):
        if path.name not in ("index.jsonl", "errors.jsonl"):
            yield read_graph(path)


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


# ---------------------------------------------------------------------------
# Validation


@lru_cache(maxsize=1)
def load_schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _validators() -> dict[str, Any]:
    from jsonschema import Draft202012Validator

    schema = load_schema()
    return {
        kind: Draft202012Validator({"$ref": f"#/$defs/{kind}", "$defs": schema["$defs"]})
        for kind in RECORD_TYPES
    }


def validate_records(records: list[dict[str, Any]], text: str | None = None) -> list[str]:
    """Problems with one graph's records: schema violations, record order, dangling
    ids, and (given the document text) spans outside it or text fields that are not
    the exact slice at their offsets.  An empty list means valid."""
    problems: list[str] = []
    validators = _validators()
    if not records or records[0].get("type") != "document":
        return ["the first record is not a document record"]
    order = {kind: rank for rank, kind in enumerate(RECORD_TYPES)}
    previous = 0
    seen: dict[str, str] = {}
    for number, record in enumerate(records, 1):
        kind = record.get("type")
        if kind not in validators:
            problems.append(f"line {number}: unknown type {kind!r}")
            continue
        for error in validators[kind].iter_errors(record):
            location = "/".join(str(part) for part in error.absolute_path)
            problems.append(f"line {number} ({kind} {record.get('id')}): {location}: {error.message}")
        if order[kind] < previous or (kind == "document" and number > 1):
            problems.append(f"line {number}: {kind} record out of order")
        previous = max(previous, order[kind])
        if kind != "document" and "id" in record:
            if record["id"] in seen:
                problems.append(f"line {number}: duplicate id {record['id']}")
            seen[record["id"]] = kind
    if problems:
        return problems

    def expect(record: dict[str, Any], key: str, kinds: tuple[str, ...]) -> None:
        value = record.get(key)
        if value is not None and seen.get(value) not in kinds:
            problems.append(f"{record['type']} {record.get('id')}: {key} {value!r} is not a "
                            f"{' or '.join(kinds)} id")

    for record in records[1:]:
        kind = record["type"]
        if kind == "paragraph":
            expect(record, "section", ("section",))
        elif kind == "unit":
            expect(record, "section", ("section",))
            expect(record, "paragraph", ("paragraph",))
        elif kind == "note":
            expect(record, "resolves_to", ("note",))
            expect(record, "source", ("source",))
        elif kind == "citation":
            expect(record, "unit", ("unit",))
            expect(record, "note", ("note",))
            expect(record, "source", ("source",))
        elif kind == "relation":
            expect(record, "from", ("unit",))
            expect(record, "to", ("unit", "citation"))
    counts_declared = records[0]["counts"]
    for kind, key in (("section", "sections"), ("paragraph", "paragraphs"), ("unit", "units"),
                      ("note", "notes"), ("source", "sources"), ("citation", "citations"),
                      ("relation", "relations")):
        actual = sum(1 for record in records if record["type"] == kind)
        if counts_declared.get(key) != actual:
            problems.append(f"document counts.{key} = {counts_declared.get(key)}, file has {actual}")
    if text is not None:
        problems += _text_problems(records, text)
    return problems


def _text_problems(records: list[dict[str, Any]], text: str) -> list[str]:
    problems: list[str] = []
    document = records[0]
    if document["text_length"] != len(text):
        problems.append(f"text_length {document['text_length']} != {len(text)}")
    if hashlib.sha256(text.encode("utf-8")).hexdigest() != document["text_sha256"]:
        problems.append("text_sha256 does not match the text")
    length = len(text)
    for record in records:
        name = f"{record['type']} {record.get('id', '')}".strip()
        spans: list[tuple[int, int]] = []
        if "start" in record:
            spans.append((record["start"], record["end"]))
        spans += [tuple(part) for part in record.get("parts", [])]
        if record["type"] == "section":
            spans.append((record["heading_start"], record["heading_end"]))
        for key in ("title_span", "keywords_span"):
            if record.get(key):
                spans.append(tuple(record[key]))
        for start, end in spans:
            if not 0 <= start <= end <= length:
                problems.append(f"{name}: span [{start}, {end}] outside the text (0..{length})")
        if "parts" in record:
            parts = record["parts"]
            if parts[0][0] != record["start"] or parts[-1][1] != record["end"]:
                problems.append(f"{name}: parts do not run from start to end")
            if any(a[1] > b[0] for a, b in pairwise(parts)):
                problems.append(f"{name}: parts overlap or are out of order")
        if "text" in record:
            expected = _spans_text(text, record.get("parts") or [(record["start"], record["end"])])
            if record["text"] != expected:
                problems.append(f"{name}: text is not the slice at its offsets")
    return problems


def validate_file(path: Path | str, check_text: bool = True) -> list[str]:
    """Validate one graph file; with ``check_text`` also against the text it points to."""
    try:
        records = list(iter_records(path))
    except (OSError, GraphError) as error:
        return [str(error)]
    problems = validate_records(records)
    if problems or not check_text:
        return problems
    try:
        text = read_graph(path).text()
    except (OSError, GraphError) as error:
        return [str(error)]
    return _text_problems(records, text)
