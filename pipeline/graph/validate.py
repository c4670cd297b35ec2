"""Checking ``argraph/1`` records: the JSON Schema, ids and references, and every
text field against the text at its offsets (``argmap validate``)."""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from itertools import pairwise
from pathlib import Path
from typing import Any

from pipeline.graph.read import iter_records, read_graph
from pipeline.graph.write import RECORD_TYPES, SCHEMA_PATH, GraphError, _spans_text


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
        elif kind == "diagnostic":
            for ident in record["objects"]:
                if ident not in seen or seen[ident] == "diagnostic":
                    problems.append(f"diagnostic {record['id']}: object {ident!r} is not a record id")
    counts_declared = records[0]["counts"]
    for kind, key in (("section", "sections"), ("paragraph", "paragraphs"), ("unit", "units"),
                      ("note", "notes"), ("source", "sources"), ("citation", "citations"),
                      ("relation", "relations"), ("diagnostic", "diagnostics")):
        actual = sum(1 for record in records if record["type"] == kind)
        if key == "diagnostics" and key not in counts_declared:
            continue  # written before diagnostics existed
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
