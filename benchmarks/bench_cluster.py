"""Throughput of ``--scheduler local -j 2`` against ``-j 2`` on the seed and
../shared/corpus (``make bench``; target: the cluster at least 0.85 of -j 2).

Each run is a fresh child process with --force into a new folder, the two
engines alternating for ``--rounds`` rounds.  Reported per run: documents/s end
to end (the call's start to the last document finished: the -j 2 parent loads
the models once and forks; the LocalCluster starts its scheduler and two worker
processes, each loading the models), steady (first document started to last
finished) and the wall time including the cluster's shutdown.

Usage: python benchmarks/bench_cluster.py [--shared DIR] [--rounds N] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import ROOT, corpus_paths, machine, mark

TARGET = 0.85
ENGINES = ("j2", "cluster")


def child_run(engine: str, out: Path, paths: list[Path]) -> dict[str, Any]:
    """In a fresh process: one batch of the 50 documents on ``engine``, with --force."""
    started = time.time()
    if engine == "cluster":
        from pipeline.cluster import run_cluster

        summary = run_cluster(paths, out, "local", jobs=2, force=True, progress=False)
    else:
        from pipeline.batch import run_batch

        summary = run_batch(paths, out, jobs=2, force=True, progress=False)
    done = [outcome for outcome in summary.outcomes if outcome.status == "ok"]
    last = max((outcome.finished for outcome in done), default=started)
    return {
        "engine": engine, "documents": len(summary.outcomes), "ok": len(done),
        "failed": [f"{o.job.path.name}: {o.stage}: {o.reason}" for o in summary.outcomes
                   if o.status == "failed"],
        "end_to_end_s": last - started,
        "steady_s": last - min((outcome.started for outcome in done), default=started),
        "wall_s": time.time() - started,
        "document_s": sum(outcome.seconds for outcome in done),
        "workers": len({outcome.worker for outcome in done}),
        "peak_worker_rss_mb": max((outcome.peak_rss_mb for outcome in done), default=0.0),
    }


def run_child(engine: str, paths: list[Path]) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as out:
        command = [sys.executable, str(Path(__file__).resolve()), "--child", engine, out,
                   *map(str, paths)]
        result = subprocess.run(command, check=False, capture_output=True, text=True, cwd=ROOT)
        if result.returncode != 0:
            raise SystemExit(f"bench_cluster: the {engine} run failed:\n{result.stderr[-3000:]}")
        run = json.loads(result.stdout.strip().splitlines()[-1])
    run["load_after"] = os.getloadavg()[0]
    return run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", type=Path,
                        default=Path(os.environ.get("SHARED_DIR", ROOT.parent / "shared")))
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        engine, out, *paths = args.child
        print(json.dumps(child_run(engine, Path(out), [Path(path) for path in paths])))
        return 0

    paths = corpus_paths(args.shared)
    print(f"machine: {machine()}")
    print(f"corpus: {len(paths)} documents (seed + {args.shared / 'corpus'}/*.txt)")
    runs: list[dict[str, Any]] = []
    for number in range(args.rounds):
        for engine in ENGINES:
            run = run_child(engine, paths)
            runs.append(run)
            label = "-j 2" if engine == "j2" else "--scheduler local -j 2"
            print(f"  round {number + 1} {label}: {run['ok']}/{run['documents']} documents, "
                  f"{run['documents'] / run['end_to_end_s']:.2f} docs/s end to end "
                  f"({run['end_to_end_s']:.1f} s), {run['documents'] / run['steady_s']:.2f} docs/s "
                  f"steady ({run['steady_s']:.1f} s), wall {run['wall_s']:.1f} s, "
                  f"{run['document_s']:.1f} s in documents, "
                  f"{run['workers']} workers, peak RSS {run['peak_worker_rss_mb']:.0f} MB, "
                  f"load {run['load_after']:.2f} after")
            if run["failed"]:
                print(f"  warning: failed documents: {run['failed']}")

    def total(engine: str, measure: str) -> float:
        return sum(run[measure] for run in runs if run["engine"] == engine)

    ratios = {measure: total("j2", measure) / total("cluster", measure)
              for measure in ("end_to_end_s", "steady_s", "wall_s")}
    print(f"--scheduler local -j 2 / -j 2 documents/s over {args.rounds} rounds: "
          f"{ratios['end_to_end_s']:.2f} end to end "
          f"(target >= {TARGET}: {mark(ratios['end_to_end_s'] >= TARGET)}), "
          f"{ratios['steady_s']:.2f} steady, {ratios['wall_s']:.2f} wall with shutdown")
    if args.json:
        args.json.write_text(json.dumps({"machine": machine(), "runs": runs, "ratios": ratios},
                                        indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
