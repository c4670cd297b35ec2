"""Golden outputs: every graph the pipeline writes for ../shared/corpus and corpus/
matches the fingerprint recorded in tests/golden.json (scripts/golden.py), so a
change meant to alter nothing is shown to alter nothing.  After an intended
change, `python scripts/golden.py --write` and say in the commit what changed."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import ROOT


@pytest.mark.slow
def test_outputs_match_the_golden_fingerprints() -> None:
    recorded = json.loads((ROOT / "tests" / "golden.json").read_text(encoding="utf-8"))
    assert len(recorded) >= 66  # 50 shared documents and our own corpus/
    result = subprocess.run([sys.executable, "scripts/golden.py", "--check"], capture_output=True, text=True,
                            cwd=ROOT, timeout=1800, check=False)
    assert result.returncode == 0, f"graphs changed: {result.stdout.strip()}"
