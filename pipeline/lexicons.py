"""The one loader for the word lists in ``pipeline/lexicon/``.

One term per line, lower-cased; blank lines and lines starting with ``#`` are
skipped.  A missing list is an error, never an empty set: a renamed file must
not silently switch a rule off.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

LEXICON_DIR = Path(__file__).with_name("lexicon")


@cache
def lexicon(name: str) -> frozenset[str]:
    """The terms of ``pipeline/lexicon/<name>.txt``, lower-cased."""
    path = LEXICON_DIR / f"{name}.txt"
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(
        line.strip().lower() for line in lines if line.strip() and not line.lstrip().startswith("#")
    )
