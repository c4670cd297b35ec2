"""Claims and evidence on whole real theses (corpus/gold-whole/), which the
classifier was never trained on: the shipped pipeline runs on each thesis of
``../shared/corpus-whole`` that has gold, and is scored as ANNOTATION.md §6
(``pipeline.evaluate.score_document``), per thesis and micro-averaged.  Also
Cohen's kappa of the second annotation in ``corpus/gold-whole/second/`` against
the first, on the part the second covers.

Usage: python scripts/eval_whole.py [--shared DIR] [--out corpus/gold-whole/SCORES.md]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

GOLD = ROOT / "corpus" / "gold-whole"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--out", type=Path, default=GOLD / "SCORES.md")
    args = parser.parse_args()
    from agreement import cohen_kappa, pair_units

    from pipeline import Pipeline
    from pipeline.evaluate import micro, score_document
    from pipeline.gold import load_gold

    pipeline = Pipeline()
    per_doc = {}
    lines = ["# Claims and evidence on whole theses", "",
             "`python scripts/eval_whole.py`: the shipped pipeline on the whole real theses of",
             "`../shared/corpus-whole` that have gold in `corpus/gold-whole/` (never trained on),",
             "scored as ANNOTATION.md §6.", "",
             "| thesis | units | macro-F1 | accuracy | claim F1 | evidence F1 | major F1 | supports F1 |",
             "|---|---|---|---|---|---|---|---|"]
    for gold_path in sorted(GOLD.glob("*.jsonl")):
        text_path = args.shared / "corpus-whole" / f"{gold_path.stem}.txt"
        gold = load_gold(gold_path, text_path.read_text(encoding="utf-8"))
        doc = pipeline.process_file(text_path, gold_path.stem)
        scores = score_document(gold, doc)
        per_doc[gold_path.stem] = scores
        lines.append(_row(gold_path.stem, scores))
        print(lines[-1], flush=True)
    lines.append(_row("**micro-average**", micro(per_doc)))
    kappas = []
    for second_path in sorted((GOLD / "second").glob("*.jsonl")):
        text = (args.shared / "corpus-whole" / f"{second_path.stem}.txt").read_text(encoding="utf-8")
        first, second = load_gold(GOLD / second_path.name, text), load_gold(second_path, text)
        covered = [u for u in first.units if any(u.start < s.end and s.start < u.end for s in second.units)]
        pairs = pair_units(covered, second.units)
        kappas.append(f"- {second_path.stem}: {len(pairs)} paired units, Cohen's κ = {cohen_kappa(pairs):.3f}, "
                      f"observed agreement {sum(a == b for a, b in pairs) / len(pairs):.3f}")
    lines += ["", "## Agreement (second annotation, on the chapters it covers)", "", *kappas, ""]
    args.out.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines[-len(kappas) - 1:]))
    return 0


def _row(name: str, scores) -> str:
    labels = scores.labels
    return (f"| {name} | {scores.units} | {scores.macro_f1:.3f} | {scores.accuracy:.3f} | "
            f"{labels['claim'].f1:.3f} | {labels['evidence'].f1:.3f} | {scores.major.f1:.3f} | "
            f"{scores.relations['supports'].f1:.3f} |")


if __name__ == "__main__":
    raise SystemExit(main())
