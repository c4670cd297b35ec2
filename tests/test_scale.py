"""Thesis scale: every stage's cost grows linearly with the length of the text.

CPU time (not wall-clock) of each stage on the same text at 1x and 4x length,
with a generous bound: linear gives ~4, quadratic ~16; the check fails above 8.
Each length runs twice and the faster time of each stage counts, so one busy
moment of a shared CI machine (a collection, another job) does not decide it.
Slow (about two minutes): `make test-slow`, and CI."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from pipeline import Pipeline
from pipeline.model import Document

ROOT = Path(__file__).resolve().parents[1]
FLOOR = 0.1  # seconds: stages faster than this at 1x are compared as if they took it


def fastest_stage_times(pipeline: Pipeline, text: str, runs: int = 2) -> dict[str, float]:
    fastest: dict[str, float] = {}
    for run in range(runs):
        seconds = pipeline.timed(Document(id=f"run{run}", source_path="", text=text), time.process_time)[1]
        for name, value in seconds.items():
            fastest[name] = min(value, fastest.get(name, value))
    return fastest


@pytest.mark.slow
def test_every_stage_grows_linearly() -> None:
    texts = [path.read_text(encoding="utf-8") for path in sorted((ROOT / "corpus").rglob("*.txt"))]
    base = "\n\n".join(texts)[:40_000]
    pipeline = Pipeline()
    pipeline.warm_up()
    small = fastest_stage_times(pipeline, base)
    large = fastest_stage_times(pipeline, "\n\n".join([base] * 4))
    ratios = {name: round(large[name] / max(small[name], FLOOR), 2) for name in small}
    assert set(ratios) == set(pipeline.names)  # every stage was timed
    too_steep = {name: ratio for name, ratio in ratios.items() if ratio >= 8}
    assert not too_steep, f"4x the text costs: {ratios} (1x seconds: {small})"
