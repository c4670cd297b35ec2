"""Golden outputs: a fingerprint of every graph the pipeline writes for the shared
corpus and our own corpus/, so a refactoring that should change nothing can be
shown to change nothing.

The graphs themselves hold slices of third-party text, so only their sha256
(after dropping the version fields, which change with every code edit) is kept,
in ``tests/golden.json``.  ``--write`` records them after an intended change
(say why in the commit); ``--check`` (and the slow test) compares.

Usage: python scripts/golden.py (--write | --check | --diff OLD_DIR NEW_DIR) [--shared DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "golden.json"
VERSION_FIELDS = ("pipeline_version", "model_versions", "source", "text_path")


def normalised_records(path: Path) -> list[dict]:
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    for field in VERSION_FIELDS:
        records[0].pop(field, None)
    return records


def fingerprint(path: Path) -> str:
    text = "\n".join(json.dumps(record, ensure_ascii=False, sort_keys=True) for record in normalised_records(path))
    return hashlib.sha256(text.encode()).hexdigest()


def extract(shared: Path, out: Path) -> dict[str, str]:
    sys.path.insert(0, str(ROOT))
    from pipeline.batch import run_batch

    summary = run_batch([shared / "corpus", ROOT / "corpus"], out, progress=False, force=True)
    failed = [outcome.job.doc_id for outcome in summary.outcomes if outcome.status == "failed"]
    if failed:
        raise SystemExit(f"golden: documents failed: {', '.join(failed)}")
    return {path.stem: fingerprint(path) for path in sorted(out.glob("*.jsonl"))
            if path.stem not in ("index", "errors")}


def diff(old: Path, new: Path) -> list[str]:
    """Per document, which record types differ between two output folders."""
    lines = []
    for path in sorted(old.glob("*.jsonl")):
        if path.stem in ("index", "errors"):
            continue
        other = new / path.name
        if not other.is_file():
            lines.append(f"{path.stem}: missing in {new}")
            continue
        before, after = normalised_records(path), normalised_records(other)
        if before == after:
            continue
        kinds = sorted({record["type"] for record in before + after
                        if (record in before) != (record in after)})
        lines.append(f"{path.stem}: {len(before)} → {len(after)} records; differing types: {', '.join(kinds)}")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--write", action="store_true")
    group.add_argument("--check", action="store_true")
    group.add_argument("--diff", nargs=2, type=Path, metavar=("OLD_DIR", "NEW_DIR"))
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    args = parser.parse_args()
    if args.diff:
        lines = diff(*args.diff)
        print("\n".join(lines) or "no differences")
        return 1 if lines else 0
    with tempfile.TemporaryDirectory() as scratch:
        found = extract(args.shared, Path(scratch))
    if args.write:
        GOLDEN.write_text(json.dumps(found, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        print(f"{GOLDEN}: {len(found)} documents")
        return 0
    expected = json.loads(GOLDEN.read_text(encoding="utf-8"))
    changed = sorted(name for name in expected.keys() | found.keys() if expected.get(name) != found.get(name))
    print("\n".join(changed) or f"all {len(found)} documents as recorded")
    return 1 if changed else 0


if __name__ == "__main__":
    raise SystemExit(main())
