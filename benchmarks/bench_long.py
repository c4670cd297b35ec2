"""A whole thesis, not excerpts (``make bench-long``; part of ``make bench``).

1. The ~90-page PDF of the shared corpus twice over (built by
   ``bench_ingest.long_pdf`` with LibreOffice): seconds per stage, ingest
   included, and the pipeline's time over bare Stanza (tokenize, mwt, pos,
   lemma) on the same text.  Targets: the whole ≤ 1.5 × Stanza, and no stage
   but nlp above 10 % of Stanza's time.
2. Growth: the corpus text (the .txt documents joined, each once) at 1×, 2× and
   4× length, every stage after ingest timed at each size; the 4×/1× ratio of
   each should stay near 4 (linear), far from 16 (quadratic).  Peak RSS after
   the 4× document is printed too (``--base-chars 250000`` makes 4× about the
   million characters of a 300-page thesis; target < 2 GB).

Usage: python benchmarks/bench_long.py [--shared DIR] [--base-chars N]
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

TARGET_RATIO = 1.5
TARGET_STAGE_SHARE = 0.10


def bare_stanza_seconds(text: str) -> float:
    from pipeline.nlp import NLPConfig, load_pipeline

    nlp = load_pipeline(NLPConfig(processors=("tokenize", "mwt", "pos", "lemma")))
    nlp("Indonesia menilai kerja sama maritim penting bagi kawasan.")
    started = time.perf_counter()
    nlp(text)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--base-chars", type=int, default=0,
                        help="length of the 1x text for the growth part (default: the corpus once)")
    args = parser.parse_args()
    import torch
    from bench_ingest import long_pdf

    from pipeline import Pipeline
    from pipeline.ingest import read_document
    from pipeline.model import Document

    torch.set_num_threads(1)  # as an argmap worker runs
    pipeline = Pipeline()
    pipeline.warm_up()

    path = long_pdf(args.shared)
    started = time.perf_counter()
    doc = read_document(path, "long")
    ingest_s = time.perf_counter() - started
    stages = {"ingest": ingest_s, **pipeline.timed(doc)[1]}
    total = sum(stages.values())
    stanza_s = bare_stanza_seconds(doc.text)
    print(f"long PDF: {path.relative_to(ROOT)}, {len(doc.text):,} characters, {len(doc.units):,} units")
    for name, seconds in stages.items():
        share = seconds / stanza_s
        flag = "" if name == "nlp" or share <= TARGET_STAGE_SHARE else "  (above 10 % of Stanza)"
        print(f"  {name:<10} {seconds:7.2f} s  {share:6.1%} of Stanza{flag}")
    print(f"pipeline {total:.1f} s / bare Stanza {stanza_s:.1f} s = {total / stanza_s:.2f} "
          f"(target <= {TARGET_RATIO})")

    texts = [p.read_text(encoding="utf-8") for p in sorted((args.shared / "corpus").glob("*.txt"))]
    base = "\n\n".join(texts)
    if args.base_chars:
        base = (base * (args.base_chars // len(base) + 1))[: args.base_chars]
    growth: dict[int, dict[str, float]] = {}
    for factor in (1, 2, 4):
        text = "\n\n".join([base] * factor)
        growth[factor] = pipeline.timed(Document(id=f"x{factor}", source_path="", text=text))[1]
        print(f"  {factor}x: {len(text):,} characters: "
              + ", ".join(f"{name} {seconds:.2f} s" for name, seconds in growth[factor].items()))
    print("growth 4x/1x per stage (linear ~4, quadratic ~16): "
          + ", ".join(f"{name} {growth[4][name] / max(growth[1][name], 1e-3):.1f}" for name in growth[1]))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS after the 4x document ({4 * len(base):,} characters): {peak:.0f} MB (target < 2048)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
