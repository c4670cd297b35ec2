"""Gold annotations (stand-off, ../shared/ANNOTATION.md §5): load and check.

A gold file ``corpus/gold/<doc-id>.jsonl`` holds ``unit``, ``citation`` and
``relation`` records.  Units carry offsets into the document as it is on disk
plus ``check`` words; :func:`load_gold` fails loudly when an offset has drifted.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

LABELS = ("claim", "evidence", "none")
RELATION_LABELS = ("supports", "attacks", "restates")  # "cites" is implied by a citation's unit


class GoldDriftError(ValueError):
    """A gold span no longer starts with its check words."""


@dataclass
class GoldUnit:
    id: str
    spans: list[tuple[int, int]]
    label: str
    check: str
    major: bool = False
    attribution: str | None = None
    kind: str | None = None

    @property
    def start(self) -> int:
        return self.spans[0][0]

    @property
    def end(self) -> int:
        return self.spans[-1][1]


@dataclass
class GoldDocument:
    doc_id: str
    text: str
    units: list[GoldUnit] = field(default_factory=list)
    citations: list[dict[str, Any]] = field(default_factory=list)
    relations: list[dict[str, Any]] = field(default_factory=list)


def _normalise(words: str) -> str:
    return " ".join(words.split())


def load_gold(gold_path: Path, text: str) -> GoldDocument:
    """Read one gold file against its document text, checking every span."""
    gold = GoldDocument(doc_id=gold_path.stem, text=text)
    with gold_path.open(encoding="utf-8") as handle:
        for line_number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            record = json.loads(line)
            where = f"{gold_path}:{line_number}"
            if record["type"] == "unit":
                spans = [tuple(p) for p in record["parts"]] if "parts" in record else [
                    (record["start"], record["end"])
                ]
                for start, end in spans:
                    if not 0 <= start < end <= len(text):
                        raise GoldDriftError(f"{where}: span {start}-{end} outside the text")
                if record["label"] not in LABELS:
                    raise GoldDriftError(f"{where}: unknown label {record['label']!r}")
                first = _normalise(text[spans[0][0] : spans[0][1]])
                if not first.startswith(_normalise(record["check"])):
                    raise GoldDriftError(
                        f"{where}: span starts {first[:40]!r}, check words are {record['check']!r}"
                    )
                gold.units.append(
                    GoldUnit(
                        id=record["id"],
                        spans=spans,
                        label=record["label"],
                        check=record["check"],
                        major=bool(record.get("major", False)),
                        attribution=record.get("attribution"),
                        kind=record.get("kind"),
                    )
                )
            elif record["type"] == "citation":
                gold.citations.append(record)
            elif record["type"] == "relation":
                gold.relations.append(record)
            else:
                raise GoldDriftError(f"{where}: unknown record type {record['type']!r}")
    unit_ids = {unit.id for unit in gold.units}
    for record in gold.citations + gold.relations:
        for key in ("unit", "from", "to"):
            if key in record and record[key] not in unit_ids:
                raise GoldDriftError(f"{gold_path}: {record['type']} names unknown unit {record[key]!r}")
    return gold
