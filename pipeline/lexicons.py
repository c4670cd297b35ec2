"""The one loader for the word lists in ``pipeline/lexicon/``.

One folder per stage that owns its lists (``structure/``, ``citations/``, ``diagnostics/``,
``nlp/``, ``units/``, ``relations/``); a list is named by its path without
``.txt``: ``lexicon("structure/section_references")``.  One entry per line;
blank lines and lines starting with ``#`` are skipped.  A missing list is an
error naming the file, never an empty set: a renamed file must not silently
switch a rule off.  :data:`READ` records every list read, so a test can check
that no file is left unread.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

LEXICON_DIR = Path(__file__).with_name("lexicon")
READ: set[str] = set()


def lines(name: str) -> tuple[str, ...]:
    """The entries of ``pipeline/lexicon/<name>.txt`` as written (stripped)."""
    path = LEXICON_DIR / f"{name}.txt"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as error:
        raise FileNotFoundError(f"word list {path} is missing") from error
    READ.add(name)
    return tuple(line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#"))


@cache
def terms(name: str) -> tuple[str, ...]:
    """The entries, lower-cased, in the order written."""
    return tuple(entry.lower() for entry in lines(name))


@cache
def lexicon(name: str) -> frozenset[str]:
    """The entries, lower-cased, as a set."""
    return frozenset(terms(name))


@cache
def pairs(name: str) -> dict[str, str]:
    """Tab-separated entries as key → value, both lower-cased ("perang dingin\\tcold war")."""
    found: dict[str, str] = {}
    for entry in lines(name):
        key, _, value = entry.partition("\t")
        found[key.strip().lower()] = value.strip().lower()
    return found


@cache
def templates(name: str) -> dict[str, str]:
    """Tab-separated entries as key → text, the text as written (message templates)."""
    found: dict[str, str] = {}
    for entry in lines(name):
        key, _, value = entry.partition("\t")
        found[key.strip()] = value.strip()
    return found
