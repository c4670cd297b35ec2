"""Thesis scale: every stage's cost grows linearly with the length of the text.

CPU time (not wall-clock) of each stage on the same text at 1x and 4x length,
with a generous bound: linear gives ~4, quadratic ~16; the check fails above 8.
Slow (about a minute): `make test-slow`, and CI."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from pipeline import Pipeline
from pipeline.model import Document

ROOT = Path(__file__).resolve().parents[1]


def stage_seconds(pipeline: Pipeline, text: str) -> dict[str, float]:
    doc = Document(id="scale", source_path="", text=text)
    seconds = {}
    for name in pipeline.names:
        started = time.process_time()
        doc = pipeline.stage(name)(doc)
        seconds[name] = time.process_time() - started
    return seconds


@pytest.mark.slow
def test_every_stage_grows_linearly() -> None:
    texts = [path.read_text(encoding="utf-8") for path in sorted((ROOT / "corpus").rglob("*.txt"))]
    base = "\n\n".join(texts)[:40_000]
    pipeline = Pipeline()
    pipeline.warm_up()
    small = stage_seconds(pipeline, base)
    large = stage_seconds(pipeline, "\n\n".join([base] * 4))
    ratios = {name: large[name] / max(small[name], 0.02) for name in small}
    assert all(ratio < 8 for ratio in ratios.values()), ratios
