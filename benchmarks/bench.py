"""Benchmark the pipeline over the seed and ../shared/corpus (``make bench``).

Prints, in one run:
  (a) whole-pipeline time / bare Stanza tokenize+mwt+pos+lemma time on the same
      texts (target <= 1.15); both warmed up first, both in this process;
  (b) documents/s with -j 2 over -j 1 (target >= 1.7), each a fresh
      ``run_batch`` in a child process with --force; reported end to end (start
      of the process to the last document, model loading included) and steady
      state (first document started to last document finished);
  (c) peak RSS per worker process (target <= 1.5 GB);
  (d) tokens/s of the whole pipeline.

Usage: python benchmarks/bench.py [--shared DIR] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
STANZA_DIR = ROOT / "models" / "stanza" / "id"
BARE_PROCESSORS = ("tokenize", "mwt", "pos", "lemma")
TARGETS = {"ratio": 1.15, "speedup": 1.7, "rss_mb": 1536.0}


def corpus_paths(shared: Path) -> list[Path]:
    corpus = shared / "corpus"
    seed = corpus / "000_b7960c56fa7a1039.txt"
    if not seed.is_file():
        raise SystemExit(f"bench: the seed {seed} is missing (--shared or SHARED_DIR)")
    others = sorted(path for path in corpus.glob("*.txt") if path != seed)
    return [seed, *others]


def bare_stanza() -> Any:
    """The very Stanza pipeline the nlp stage uses, limited to tokenize, mwt, pos and
    lemma, to be called on the raw texts."""
    from pipeline.nlp import NLPConfig, NLPModelsMissing, load_pipeline

    missing = [name for name in BARE_PROCESSORS if not (STANZA_DIR / f"{name}.pt").is_file()]
    if missing:
        print(f"warning: no Stanza model for {', '.join(missing)} in {STANZA_DIR}: "
              "the comparison runs without them", file=sys.stderr)
    try:
        return load_pipeline(NLPConfig(processors=BARE_PROCESSORS))
    except NLPModelsMissing as error:
        raise SystemExit(f"bench: {error}") from error


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def time_in_process(paths: list[Path]) -> dict[str, Any]:
    """(a) and (d): bare Stanza, then the whole pipeline, over the same texts."""
    import torch

    from pipeline.cli import default_threads
    from pipeline.graph import write_graph
    from pipeline.ingest import read_document
    from pipeline.language import Pipeline
    from pipeline.versions import model_versions, pipeline_version

    torch.set_num_threads(default_threads())  # as each argmap worker does
    texts = [read_document(path, path.stem).text for path in paths]
    nlp = bare_stanza()
    nlp("Indonesia menilai kerja sama maritim penting bagi kawasan.")
    started = time.perf_counter()
    stanza_words = 0
    for text in texts:
        stanza_words += sum(len(sentence.words) for sentence in nlp(text).sentences)
    stanza_s = time.perf_counter() - started
    del nlp

    pipeline = Pipeline()
    pipeline.warm_up()
    version, models = pipeline_version(), model_versions()
    tokens = 0
    with tempfile.TemporaryDirectory() as out:
        started = time.perf_counter()
        for path in paths:
            doc = pipeline.process_file(path, path.stem)
            tokens += write_graph(doc, Path(out) / f"{path.stem}.jsonl", version,
                                  models)[0]["counts"]["tokens"]
        pipeline_s = time.perf_counter() - started
    return {"documents": len(paths), "characters": sum(map(len, texts)),
            "stanza_s": stanza_s, "stanza_words": stanza_words,
            "pipeline_s": pipeline_s, "pipeline_tokens": tokens,
            "ratio": pipeline_s / stanza_s if stanza_s else float("nan"),
            "tokens_per_s": tokens / pipeline_s if pipeline_s else 0.0,
            "in_process_rss_mb": _rss_mb()}


def child_batch(jobs: int, out: Path, paths: list[Path]) -> dict[str, Any]:
    """Run in a fresh process: one batch with --force, timings per document."""
    from pipeline.batch import run_batch

    started = time.time()
    summary = run_batch(paths, out, jobs=jobs, force=True, progress=False)
    done = [outcome for outcome in summary.outcomes if outcome.status == "ok"]
    return {
        "jobs": jobs, "documents": len(summary.outcomes), "ok": len(done),
        "failed": [f"{o.job.path.name}: {o.stage}: {o.reason}" for o in summary.outcomes
                   if o.status == "failed"],
        "end_to_end_s": max(o.finished for o in done) - started if done else 0.0,
        "steady_s": (max(o.finished for o in done) - min(o.started for o in done)) if done else 0.0,
        "workers": len({o.worker for o in done}),
        "peak_worker_rss_mb": max((o.peak_rss_mb for o in done), default=0.0),
        "worker_pss_mb": max((o.pss_mb for o in done), default=0.0),
        "worker_uss_mb": max((o.uss_mb for o in done), default=0.0),
        "main_rss_mb": _rss_mb(),
    }


def run_child(jobs: int, paths: list[Path]) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as out:
        command = [sys.executable, str(Path(__file__).resolve()), "--child", str(jobs), out,
                   *map(str, paths)]
        result = subprocess.run(command, check=False, capture_output=True, text=True,
                                cwd=ROOT)
        if result.returncode != 0:
            raise SystemExit(f"bench: -j {jobs} run failed:\n{result.stderr[-3000:]}")
        return json.loads(result.stdout.strip().splitlines()[-1])


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (f"{os.cpu_count()} cores ({model}), {memory:.0f} GiB RAM, "
            f"{platform.system()} {platform.release()}, Python {platform.python_version()}, "
            f"load average {os.getloadavg()[0]:.2f} at start")


def mark(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", type=Path,
                        default=Path(os.environ.get("SHARED_DIR", ROOT.parent / "shared")))
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        jobs, out, *paths = args.child
        print(json.dumps(child_batch(int(jobs), Path(out), [Path(path) for path in paths])))
        return 0

    paths = corpus_paths(args.shared)
    print(f"machine: {machine()}")
    print(f"corpus: {len(paths)} documents (seed + {args.shared / 'corpus'}/*.txt)")
    single = run_child(1, paths)
    double = run_child(2, paths)
    inproc = time_in_process(paths)
    if single["failed"] or double["failed"]:
        print(f"warning: failed documents: {single['failed'] or double['failed']}")

    speedup_e2e = single["end_to_end_s"] / double["end_to_end_s"]
    speedup_steady = single["steady_s"] / double["steady_s"]
    rss = max(single["peak_worker_rss_mb"], double["peak_worker_rss_mb"])
    print(f"(a) pipeline {inproc['pipeline_s']:.1f} s / bare Stanza {'+'.join(BARE_PROCESSORS)} "
          f"{inproc['stanza_s']:.1f} s = {inproc['ratio']:.2f} "
          f"(target <= {TARGETS['ratio']}: {mark(inproc['ratio'] <= TARGETS['ratio'])})")
    for run in (single, double):
        print(f"    -j {run['jobs']}: {run['ok']}/{run['documents']} documents, "
              f"{run['documents'] / run['end_to_end_s']:.2f} docs/s end to end "
              f"({run['end_to_end_s']:.1f} s), {run['documents'] / run['steady_s']:.2f} docs/s "
              f"steady ({run['steady_s']:.1f} s), {run['workers']} worker(s)")
    print(f"(b) -j 2 / -j 1 documents/s: {speedup_e2e:.2f} end to end, {speedup_steady:.2f} steady "
          f"(target >= {TARGETS['speedup']} end to end: {mark(speedup_e2e >= TARGETS['speedup'])})")
    print(f"(c) peak RSS per worker: {rss:.0f} MB (-j 1: {single['peak_worker_rss_mb']:.0f}, "
          f"-j 2: {double['peak_worker_rss_mb']:.0f}; target <= {TARGETS['rss_mb']:.0f}: "
          f"{mark(rss <= TARGETS['rss_mb'])}); -j 2 workers forked from the loaded parent: "
          f"PSS {double['worker_pss_mb']:.0f} MB, USS {double['worker_uss_mb']:.0f} MB each")
    print(f"(d) {inproc['pipeline_tokens']} tokens in {inproc['pipeline_s']:.1f} s = "
          f"{inproc['tokens_per_s']:.0f} tokens/s (bare Stanza: "
          f"{inproc['stanza_words'] / inproc['stanza_s']:.0f} words/s)")
    if args.json:
        args.json.write_text(json.dumps({"machine": machine(), "in_process": inproc,
                                         "j1": single, "j2": double}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
