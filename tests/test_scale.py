"""Thesis scale: every stage's cost grows linearly with the length of the text.

CPU time (not wall-clock) of each stage on the same text at 1x and 4x length,
with a generous bound: linear gives ~4, quadratic ~16; the check fails above 8.
The measurement runs in a fresh process, so that what earlier tests left in
memory (full caches, a large heap for the garbage collector to walk) does not
weigh on the longer run; each length runs twice and the faster time of each
stage counts, so one busy moment of a shared CI machine does not decide it.
Slow (about a minute): `make test-slow`, and CI."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest
from conftest import ROOT

FLOOR = 0.1  # seconds: stages faster than this at 1x are compared as if they took it


def fastest_stage_times(pipeline, text: str, runs: int = 2) -> dict[str, float]:
    from pipeline.model import Document

    fastest: dict[str, float] = {}
    for run in range(runs):
        seconds = pipeline.timed(Document(id=f"run{run}", source_path="", text=text), time.process_time)[1]
        for name, value in seconds.items():
            fastest[name] = min(value, fastest.get(name, value))
    return fastest


def measure() -> dict[str, dict[str, float]]:
    from pipeline import Pipeline

    texts = [path.read_text(encoding="utf-8") for path in sorted((ROOT / "corpus").rglob("*.txt"))]
    base = "\n\n".join(texts)[:40_000]
    pipeline = Pipeline()
    pipeline.warm_up()
    return {"stages": list(pipeline.names), "1x": fastest_stage_times(pipeline, base),
            "4x": fastest_stage_times(pipeline, "\n\n".join([base] * 4))}


@pytest.mark.slow
def test_every_stage_grows_linearly() -> None:
    result = subprocess.run([sys.executable, __file__], capture_output=True, text=True, cwd=ROOT,
                            timeout=1200, check=True)
    times = json.loads(result.stdout.strip().splitlines()[-1])
    small, large = times["1x"], times["4x"]
    ratios = {name: round(large[name] / max(small[name], FLOOR), 2) for name in small}
    assert set(ratios) == set(times["stages"])  # every stage was timed
    too_steep = {name: ratio for name, ratio in ratios.items() if ratio >= 8}
    assert not too_steep, f"4x the text costs: {ratios} (1x seconds: {small})"


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    print(json.dumps(measure()))
