"""Inter-annotator agreement on unit labels: Cohen's kappa, per document and pooled
(what is compared and how: :mod:`pipeline.agreement`).

    python scripts/agreement.py                 # every doc with a second annotation
    python scripts/agreement.py DOC-ID [...]    # chosen documents
    python scripts/agreement.py --whole         # the whole theses (corpus/gold-whole/second/)
    python scripts/agreement.py --relations     # relations (corpus/gold/second-relations/)
    python scripts/agreement.py --relations --whole   # (corpus/gold-whole/second-relations/)

The texts are read from ``$SHARED_DIR`` (default ``../shared`` beside the repository).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pipeline.agreement import (
    FIRST_DIR,
    WHOLE_DIR,
    agreement,
    cohen_kappa,
    pair_units,
    relation_agreement,
    relation_dirs,
)
from pipeline.gold import RELATION_LABELS

__all__ = ["agreement", "cohen_kappa", "pair_units"]


def shared_dir() -> Path:
    return Path(os.environ.get("SHARED_DIR", REPO.parent / "shared"))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "docs", nargs="*", help="doc ids (default: every file in corpus/gold/second/)"
    )
    parser.add_argument("--json", action="store_true", help="print JSON lines instead of a table")
    parser.add_argument("--whole", action="store_true",
                        help="the whole theses: corpus/gold-whole against corpus/gold-whole/second")
    parser.add_argument("--relations", action="store_true",
                        help="relation F1 between corpus/gold and corpus/gold/second-relations "
                             "(with --whole: corpus/gold-whole and its second-relations; --json "
                             "does not apply)")
    args = parser.parse_args()
    if args.relations:
        relations(args.docs, args.whole)
        return
    first_dir = WHOLE_DIR if args.whole else FIRST_DIR
    doc_ids = args.docs or sorted(p.stem for p in (first_dir / "second").glob("*.jsonl"))
    missing = [d for d in doc_ids if not (first_dir / f"{d}.jsonl").exists()]
    if missing:
        print("first annotation missing (kappa pending): " + ", ".join(missing), file=sys.stderr)
    doc_ids = [d for d in doc_ids if d not in missing]
    if not doc_ids:
        sys.exit(1)
    per_doc, pooled = agreement(doc_ids, shared_dir(), args.whole)
    rows = [a.as_dict() for a in [*per_doc, pooled]]
    if args.json:
        for row in rows:
            print(json.dumps(row))
        return
    for row in rows:
        print(
            f"{row['doc'][:60]:60} n={row['items']:3d} p_o={row['observed']:.3f} kappa={row['kappa']:.3f}"
        )
        print(f"{'':60} per label {row['label_kappa']}")
        print(f"{'':60} {row['confusion']}")


def relations(doc_ids: list[str], whole: bool = False) -> None:
    first_dir, second_dir = relation_dirs(whole)
    doc_ids = doc_ids or sorted(p.stem for p in second_dir.glob("*.jsonl"))
    if not doc_ids:
        sys.exit(f"no second relation annotation in {second_dir}")
    missing = [d for d in doc_ids if not (first_dir / f"{d}.jsonl").exists()
               or not (second_dir / f"{d}.jsonl").exists()]
    if missing:
        sys.exit("no first annotation or no second relation annotation: " + ", ".join(missing))
    per_doc, pooled = relation_agreement(doc_ids, shared_dir(), whole)
    for row in [*per_doc, pooled]:
        agreeing, both = row.same_target()
        scores = " ".join(f"{label}={row.f1(label):.3f}" for label in RELATION_LABELS)
        print(f"{row.doc_id[:60]:60} {len(row.first):3d}/{len(row.second):3d} F1={row.f1():.3f} "
              f"links={row.f1(labelled=False):.3f} {scores} same-target {agreeing}/{both}")


if __name__ == "__main__":
    main()
