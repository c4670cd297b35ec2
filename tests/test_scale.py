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


@pytest.mark.slow
def test_every_stage_grows_linearly() -> None:
    texts = [path.read_text(encoding="utf-8") for path in sorted((ROOT / "corpus").rglob("*.txt"))]
    base = "\n\n".join(texts)[:40_000]
    pipeline = Pipeline()
    pipeline.warm_up()
    small = pipeline.timed(Document(id="1x", source_path="", text=base), time.process_time)[1]
    large = pipeline.timed(Document(id="4x", source_path="", text="\n\n".join([base] * 4)), time.process_time)[1]
    ratios = {name: large[name] / max(small[name], 0.02) for name in small}
    assert all(ratio < 8 for ratio in ratios.values()), ratios
