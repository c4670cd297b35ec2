"""Tables for pandas and friends: one CSV per record kind across all graphs of a
folder — ``documents``, ``units``, ``notes``, ``sources``, ``citations``,
``relations``, ``diagnostics`` — each row keyed by ``doc_id`` and the record's id,
with its offsets; the same tables as Parquet when pyarrow is installed.  One row
per record: a table has exactly as many rows as the graphs have records of its
kind (``documents``: one per graph)."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pipeline.diagnostics import CODES
from pipeline.graph import Graph

COUNTS = ("sections", "paragraphs", "units", "tokens", "claims", "evidence", "major_claims", "notes",
          "sources", "citations", "relations", "diagnostics")
TABLES: dict[str, tuple[str, ...]] = {
    "documents": ("doc_id", "title", "authors", "source", "text_path", "language", "pipeline_version",
                  *COUNTS, *CODES),
    "units": ("doc_id", "id", "start", "end", "section", "section_role", "paragraph", "label", "major",
              "attribution", "kind", "p_claim", "p_evidence", "p_none", "producer", "text"),
    "notes": ("doc_id", "id", "number", "start", "end", "reference", "resolution", "resolves_to",
              "source", "author", "year", "title", "text"),
    "sources": ("doc_id", "id", "start", "end", "group", "author", "year", "title", "text"),
    "citations": ("doc_id", "id", "unit", "start", "end", "marker", "style", "note", "source",
                  "resolution"),
    "relations": ("doc_id", "id", "from", "to", "label", "score", "producer"),
    "diagnostics": ("doc_id", "id", "code", "objects", "start", "end", "message"),
}


def _field(fields: dict[str, Any], name: str) -> str:
    """A parsed field as one string (author lists joined by "; ")."""
    value = fields.get(name, fields.get(f"{name}s", ""))
    if isinstance(value, list):
        return "; ".join(str(item) for item in value)
    return "" if value is None else str(value)


def table_rows(graphs: Iterable[Graph]) -> dict[str, list[dict[str, Any]]]:
    """Every table's rows, in graph order then record order."""
    rows: dict[str, list[dict[str, Any]]] = {name: [] for name in TABLES}
    for graph in graphs:
        doc_id = graph.document.id
        roles = {section.id: section.role for section in graph.sections}
        codes = {code: 0 for code in CODES}
        for diagnostic in graph.diagnostics:
            codes[diagnostic.code] = codes.get(diagnostic.code, 0) + 1
        counts = graph.document.counts
        rows["documents"].append({
            "doc_id": doc_id, "title": graph.document.title, "authors": "; ".join(graph.document.authors),
            "source": graph.document.source, "text_path": graph.document.text_path,
            "language": graph.document.language, "pipeline_version": graph.document.pipeline_version,
            **{name: counts.get(name, len(graph.diagnostics) if name == "diagnostics" else 0)
               for name in COUNTS},
            **codes,
        })
        for unit in graph.units:
            rows["units"].append({
                "doc_id": doc_id, "id": unit.id, "start": unit.start, "end": unit.end,
                "section": unit.section, "section_role": roles.get(unit.section or "", ""),
                "paragraph": unit.paragraph, "label": unit.label, "major": unit.major,
                "attribution": unit.attribution or "", "kind": unit.kind or "",
                **{f"p_{label}": unit.probabilities.get(label) for label in ("claim", "evidence", "none")},
                "producer": unit.producer, "text": unit.text,
            })
        for note in graph.notes:
            rows["notes"].append({
                "doc_id": doc_id, "id": note.id, "number": note.number, "start": note.start,
                "end": note.end, "reference": note.reference, "resolution": note.resolution,
                "resolves_to": note.resolves_to or "", "source": note.source or "",
                "author": _field(note.fields, "author"), "year": _field(note.fields, "year"),
                "title": _field(note.fields, "title"), "text": note.text,
            })
        for source in graph.sources:
            rows["sources"].append({
                "doc_id": doc_id, "id": source.id, "start": source.start, "end": source.end,
                "group": source.group, "author": _field(source.fields, "author"),
                "year": _field(source.fields, "year"), "title": _field(source.fields, "title"),
                "text": source.text,
            })
        for citation in graph.citations:
            rows["citations"].append({
                "doc_id": doc_id, "id": citation.id, "unit": citation.unit or "", "start": citation.start,
                "end": citation.end, "marker": citation.marker, "style": citation.style,
                "note": citation.note or "", "source": citation.source or "",
                "resolution": citation.resolution,
            })
        for relation in graph.relations:
            rows["relations"].append({
                "doc_id": doc_id, "id": relation.id, "from": relation.source, "to": relation.target,
                "label": relation.label, "score": relation.score, "producer": relation.producer,
            })
        for diagnostic in graph.diagnostics:
            rows["diagnostics"].append({
                "doc_id": doc_id, "id": diagnostic.id, "code": diagnostic.code,
                "objects": " ".join(diagnostic.objects), "start": diagnostic.start,
                "end": diagnostic.end, "message": diagnostic.message,
            })
    return rows


def write_csv(path: Path, columns: tuple[str, ...], rows: list[dict[str, Any]]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)


def write_parquet(path: Path, columns: tuple[str, ...], rows: list[dict[str, Any]]) -> bool:
    """The table as Parquet; False (nothing written) when pyarrow is not installed."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        return False
    table = pa.table({column: [row.get(column) for row in rows] for column in columns})
    pq.write_table(table, path)
    return True


def write_tables(graphs: Iterable[Graph], dest: Path) -> list[Path]:
    """``<name>.csv`` for every table (and ``<name>.parquet`` with pyarrow); the files written."""
    written: list[Path] = []
    for name, rows in table_rows(graphs).items():
        path = Path(dest) / f"{name}.csv"
        write_csv(path, TABLES[name], rows)
        written.append(path)
        if write_parquet(path.with_suffix(".parquet"), TABLES[name], rows):
            written.append(path.with_suffix(".parquet"))
    return written
