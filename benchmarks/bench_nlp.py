"""Tokens per second of the nlp stage (Stanza) on the seed article, and Stanza in bulk.

Runs each configuration in a fresh process (torch's thread count is fixed per
process): tokenize+mwt+pos+lemma and the same with depparse, with 1 and 2
threads.  Model loading and a warm-up sentence are not timed; the timed part
is ``pipeline.nlp.annotate`` over the whole seed document.

Then, with 1 thread: the 50 documents of the shared corpus through the nlp stage
one document at a time (one Stanza call each) against all of them at once
(``pipeline.nlp.annotate_many``: one Stanza call for every paragraph of every
document, as ``Pipeline.pipe`` does), alternating, best of ``--repeat`` runs;
the units must come out identical.

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


def bulk_worker(repeat: int) -> dict:
    import torch

    torch.set_num_threads(1)
    sys.path.insert(0, str(ROOT))
    from pipeline import Pipeline, nlp
    from pipeline.ingest import read_document

    paths = sorted((SHARED / "corpus").glob("*.txt"))
    structure = Pipeline().until("structure")
    config = nlp.NLPConfig()
    nlp.analyze_text("Ini kalimat pemanasan untuk model.", config)

    def structured() -> list:
        return [structure(read_document(path, path.stem)) for path in paths]

    def spans(docs: list) -> list:
        return [[(u.start, u.end, [t.lemma for t in u.tokens]) for u in doc.units] for doc in docs]

    alone_s = together_s = float("inf")
    for _ in range(repeat):
        alone = structured()
        t0 = time.perf_counter()
        for doc in alone:
            nlp.annotate(doc, config)
        alone_s = min(alone_s, time.perf_counter() - t0)
        together = structured()
        t0 = time.perf_counter()
        nlp.annotate_many(together, config)
        together_s = min(together_s, time.perf_counter() - t0)
    return {"documents": len(paths), "alone_s": round(alone_s, 2), "together_s": round(together_s, 2),
            "identical": spans(alone) == spans(together)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=1, help="timed runs per configuration (best is kept)")
    ap.add_argument("--worker", nargs=2, metavar=("PROCESSORS", "THREADS"), help=argparse.SUPPRESS)
    ap.add_argument("--bulk-worker", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker[0], int(args.worker[1]), args.repeat)))
        return
    if args.bulk_worker:
        print(json.dumps(bulk_worker(args.repeat)))
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
    env = dict(os.environ, OMP_NUM_THREADS="1", MKL_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    out = subprocess.run([sys.executable, __file__, "--repeat", str(max(args.repeat, 2)), "--bulk-worker"],
                         env=env, capture_output=True, text=True, check=True)
    bulk = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"Stanza in bulk, {bulk['documents']} shared documents, 1 thread: one call per document "
          f"{bulk['alone_s']:.1f} s, one call for all {bulk['together_s']:.1f} s "
          f"({bulk['alone_s'] / bulk['together_s']:.2f}x; units identical: {bulk['identical']})")


if __name__ == "__main__":
    main()
