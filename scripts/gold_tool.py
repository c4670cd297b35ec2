"""Annotation helper: draft candidate sentences, then build a stand-off gold file.

    python scripts/gold_tool.py draft ../shared/corpus/X.txt > annotation_work/X.tsv
    (edit the TSV: label column, attributes, merge/drop rows)
    python scripts/gold_tool.py build ../shared/corpus/X.txt annotation_work/X.tsv \
        [--extra annotation_work/X.extra.jsonl] > corpus/gold/X.jsonl

TSV columns: id, start, end, label, attrs, text.  ``label`` is claim / evidence /
none, or ``skip`` (not a unit: heading, footnote text, bibliography line), or
``+`` (this row continues the unit above: they become one unit with ``parts``).
``attrs`` is ``;``-separated: ``major``, ``own``, ``reported`` or ``kind=statistic``.
``start``/``end`` may be edited to move a boundary; ``text`` is ignored on build
(it is re-read from the document).  The ``annotation_work/`` folder holds copies
of third-party text and is ignored by git.  The extra file holds ``citation`` and
``relation`` records naming the TSV ids (``u7``); they are renumbered on build.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’)]?[\u00b9\u00b2\u00b3\u2070-\u2079\d]*\s+(?=[\"“(A-Z\u00b9])")
ABBREVIATIONS = ("hal.", "hlm.", "dkk.", "et al.", "No.", "Vol.", "op.cit.", "Ibid.", "dll.", "dsb.", "Dr.", "Prof.", "St.", "M.")


def draft(text: str) -> list[tuple[int, int]]:
    spans = []
    for block in re.finditer(r"[^\n]+", text):
        start = block.start()
        cut_points = [m.end() for m in SENTENCE_END.finditer(block.group())]
        cut_points = [
            c for c in cut_points
            if not block.group()[:c].rstrip().endswith(ABBREVIATIONS)
        ]
        previous = 0
        for cut in cut_points + [len(block.group())]:
            piece = block.group()[previous:cut]
            stripped = piece.strip()
            if stripped:
                lead = len(piece) - len(piece.lstrip())
                s = start + previous + lead
                spans.append((s, s + len(stripped)))
            previous = cut
    return spans


def build(text: str, rows: list[list[str]], extra: list[dict]) -> list[dict]:
    units: list[dict] = []
    renumber: dict[str, str] = {}
    for row in rows:
        row_id, start, end, label, attrs = row[0], int(row[1]), int(row[2]), row[3].strip(), row[4].strip()
        if label == "skip":
            continue
        if label == "+":
            units[-1]["parts"].append([start, end])
            renumber[row_id] = units[-1]["id"]
            continue
        if label not in ("claim", "evidence", "none"):
            raise SystemExit(f"row {row_id}: label {label!r} is not claim/evidence/none/skip/+")
        unit = {"type": "unit", "id": f"u{len(units) + 1}", "parts": [[start, end]], "label": label}
        tags = [a.strip() for a in attrs.split(";") if a.strip()]
        if label == "claim":
            unit["major"] = "major" in tags
            unit["attribution"] = "reported" if "reported" in tags else "own"
        if label == "evidence":
            kinds = [t.split("=", 1)[1] for t in tags if t.startswith("kind=")]
            unit["kind"] = kinds[0] if kinds else "other"
        renumber[row_id] = unit["id"]
        units.append(unit)
    out = []
    for unit in units:
        parts = unit.pop("parts")
        if len(parts) == 1:
            unit["start"], unit["end"] = parts[0]
        else:
            unit["parts"] = parts
        first = text[parts[0][0] : parts[0][1]]
        unit["check"] = " ".join(first.split()[:3])
        out.append(unit)
    for record in extra:
        record = dict(record)
        for key in ("unit", "from", "to"):
            if key in record:
                record[key] = renumber[record[key]]
        out.append(record)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    d = sub.add_parser("draft")
    d.add_argument("document", type=Path)
    b = sub.add_parser("build")
    b.add_argument("document", type=Path)
    b.add_argument("tsv", type=Path)
    b.add_argument("--extra", type=Path)
    args = parser.parse_args()
    text = args.document.read_text(encoding="utf-8")
    if args.command == "draft":
        for i, (s, e) in enumerate(draft(text), 1):
            snippet = text[s:e].replace("\t", " ").replace("\n", " ")
            print(f"u{i}\t{s}\t{e}\t\t\t{snippet}")
        return
    rows = [line.rstrip("\n").split("\t") for line in args.tsv.read_text(encoding="utf-8").splitlines() if line.strip()]
    extra = []
    if args.extra:
        extra = [json.loads(x) for x in args.extra.read_text(encoding="utf-8").splitlines() if x.strip()]
    for record in build(text, rows, extra):
        sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
