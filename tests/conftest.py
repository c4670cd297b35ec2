"""Session checks: the tests assert real values from ../shared and the shipped models,
so a run without them fails loudly instead of skipping half the suite."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("SHARED_DIR", ROOT.parent / "shared"))
REQUIRED = (
    SHARED / "corpus" / "000_b7960c56fa7a1039.txt",
    SHARED / "ANNOTATION.md",
    ROOT / "models" / "stanza" / "id" / "tokenize.pt",
    ROOT / "models" / "stanza" / "id" / "pos.pt",
    ROOT / "models" / "argument" / "model.skops",
)


def pytest_sessionstart(session: pytest.Session) -> None:
    if os.environ.get("ARGMAP_ALLOW_MISSING_DATA") == "1":
        return
    missing = [str(path) for path in REQUIRED if not path.exists()]
    if missing:
        raise pytest.UsageError(
            "the tests need ../shared beside the checkout and the shipped models; missing: "
            + ", ".join(missing)
            + " (set ARGMAP_ALLOW_MISSING_DATA=1 to run what can run without them)"
        )
