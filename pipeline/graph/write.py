"""Writing a finished Document as an ``argraph/1`` JSONL file (the output edge).

Reads everything the earlier stages put on the Document (front matter, sections,
paragraphs, units, notes, sources, citations, relations, diagnostics) and adds nothing to it:
this is the output edge of the pipeline.  ``docs/schema.md`` documents every
field; ``pipeline/schema/argraph-1.json`` is the JSON Schema.

The file is one JSON object per line: first one ``document`` record, then the
``section``, ``paragraph``, ``unit``, ``note``, ``source``, ``citation``,
``relation`` and ``diagnostic`` records, each group in reading order.  Keys come in a fixed order
and nothing depends on the clock, so the same input and pipeline version give
byte-identical output.  Every text field of a record is the exact slice of the
document text at the record's offsets (a cut unit's text is its parts joined by
one space), so the writer derives those fields from the offsets.

Reading is :mod:`pipeline.graph.read`, checking :mod:`pipeline.graph.validate`.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pipeline.model import (
    Citation,
    Diagnostic,
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
SCHEMA_PATH = Path(__file__).resolve().parents[1] / "schema" / "argraph-1.json"
RECORD_TYPES = (
    "document", "section", "paragraph", "unit", "note", "source", "citation", "relation", "diagnostic",
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


def text_path_for(doc: Document, out_path: Path) -> tuple[str, Path, bool]:
    """Where the text the offsets refer to lives: the path as the graph records it
    (relative to the graph's folder, so the graph can be opened from anywhere), the
    file itself, and whether the writer must write it.

    A .txt/.md input is its own text (ingest decodes it without changing a
    character); any other input's extracted text goes to ``<doc-id>.txt``
    beside the JSONL.
    """
    if doc.media_type in TEXT_MEDIA_TYPES and doc.text_path:
        text_file, write = Path(doc.text_path), False
    else:
        text_file, write = out_path.with_suffix(".txt"), True
    try:
        recorded = os.path.relpath(os.path.abspath(text_file), os.path.abspath(out_path.parent))
    except ValueError:  # another drive (Windows): no relative path exists
        recorded = os.path.abspath(text_file)
    return Path(recorded).as_posix(), text_file, write


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
        "diagnostics": len(doc.diagnostics),
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


def diagnostic_record(diagnostic: Diagnostic) -> dict[str, Any]:
    return {
        "type": "diagnostic",
        "id": diagnostic.id,
        "code": diagnostic.code,
        "objects": list(diagnostic.objects),
        "start": diagnostic.start,
        "end": diagnostic.end,
        "message": diagnostic.message,
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
    for diagnostic in doc.diagnostics:
        check("diagnostic", diagnostic.id, [(diagnostic.start, diagnostic.end)])
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
    records += [diagnostic_record(diagnostic) for diagnostic in doc.diagnostics]
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
    text_path, text_file, write_text = text_path_for(doc, out_path)
    records = graph_records(doc, text_path, pipeline_version, model_versions)
    content = "".join(dumps(record) + "\n" for record in records)
    if write_text:
        atomic_write_text(text_file, doc.text)
    atomic_write_text(out_path, content)
    return records


