"""Tokens per second of the nlp stage (Stanza) on the seed article.

Runs each configuration in a fresh process (torch's thread count is fixed per
process): tokenize+mwt+pos+lemma and the same with depparse, with 1 and 2
threads.  Model loading and a warm-up sentence are not timed; the timed part
is ``pipeline.nlp.annotate`` over the whole seed document.

    make bench-nlp            # or: .venv/bin/python benchmarks/bench_nlp.py [--repeat 2]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("SHARED_DIR", ROOT.parent / "shared"))
SEED = SHARED / "corpus" / "000_b7960c56fa7a1039.txt"
CONFIGS = [
    ("tokenize,mwt,pos,lemma", 1),
    ("tokenize,mwt,pos,lemma", 2),
    ("tokenize,mwt,pos,lemma,depparse", 1),
    ("tokenize,mwt,pos,lemma,depparse", 2),
]


def worker(processors: str, threads: int, repeat: int) -> dict:
    import torch

    torch.set_num_threads(threads)
    sys.path.insert(0, str(ROOT))
    from pipeline import nlp
    from pipeline.model import Document

    config = nlp.NLPConfig(processors=nlp.parse_processors(processors))
    t0 = time.perf_counter()
    pipe = nlp.load_pipeline(config)
    load_s = time.perf_counter() - t0
    nlp.analyze_text("Ini kalimat pemanasan untuk model.", config)
    text = SEED.read_text(encoding="utf-8")
    best = float("inf")
    tokens = units = 0
    for _ in range(repeat):
        doc = Document(id="seed", source_path=str(SEED), text=text)
        t0 = time.perf_counter()
        nlp.annotate(doc, config)
        best = min(best, time.perf_counter() - t0)
        units = len(doc.units)
        tokens = sum(len(u.tokens) for u in doc.units)
    ran = ",".join(pipe.processors)
    return {"processors": ran, "threads": threads, "tokens": tokens, "units": units,
            "seconds": round(best, 2), "tokens_per_s": round(tokens / best, 1), "load_s": round(load_s, 2)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=1, help="timed runs per configuration (best is kept)")
    ap.add_argument("--worker", nargs=2, metavar=("PROCESSORS", "THREADS"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker[0], int(args.worker[1]), args.repeat)))
        return
    if not SEED.exists():
        sys.exit(f"seed article not found: {SEED} (set SHARED_DIR)")
    rows = []
    for processors, threads in CONFIGS:
        env = dict(os.environ, OMP_NUM_THREADS=str(threads), MKL_NUM_THREADS=str(threads))
        out = subprocess.run(
            [sys.executable, __file__, "--repeat", str(args.repeat), "--worker", processors, str(threads)],
            env=env, capture_output=True, text=True, check=True,
        )
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
    print(f"Seed article {SEED.name}: {rows[0]['units']} sentences, {rows[0]['tokens']} tokens "
          f"(CPU: {os.cpu_count()} cores)")
    print(f"| {'processors':<32} | threads | load s | annotate s | tokens/s |")
    print(f"|{'-' * 34}|---------|--------|------------|----------|")
    for r in rows:
        print(f"| {r['processors']:<32} | {r['threads']:>7} | {r['load_s']:>6.1f} | {r['seconds']:>10.2f} "
              f"| {r['tokens_per_s']:>8.0f} |")


if __name__ == "__main__":
    main()
