"""The citation gold of corpus/gold-citations/ against the shared theses it points into.

Checks the gold only (spans, check words, ids, links); the pipeline's scores on it
are reported by scripts/eval_citations_unseen.py and are not asserted here.
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from pathlib import Path

import pytest
from conftest import ROOT, SHARED

GOLD_DIR = ROOT / "corpus" / "gold-citations"
GOLD_FILES = sorted(GOLD_DIR.glob("*.jsonl"))

_spec = importlib.util.spec_from_file_location("eval_citations_unseen", ROOT / "scripts" / "eval_citations_unseen.py")
evaluation = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = evaluation  # dataclasses look their module up while the file runs
_spec.loader.exec_module(evaluation)


def _text(path: Path) -> str:
    return (SHARED / "corpus-whole" / f"{path.stem}.txt").read_text(encoding="utf-8")


def _records(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_at_least_three_numbered_and_three_author_year_theses() -> None:
    styles = {}
    for path in GOLD_FILES:
        counts = {}
        for record in _records(path):
            if record["type"] == "citation":
                counts[record["style"]] = counts.get(record["style"], 0) + 1
        styles[path.stem] = max(counts, key=counts.get)
    assert sum(style == "numbered" for style in styles.values()) >= 3
    assert sum(style == "author_year" for style in styles.values()) >= 3


@pytest.mark.parametrize("path", GOLD_FILES, ids=[p.stem for p in GOLD_FILES])
def test_gold_loads_against_its_text(path: Path) -> None:
    # spans inside the text and starting with their check words, ids unique, links known
    gold = evaluation.load_citation_gold(path, _text(path))
    assert gold.sources and gold.citations


@pytest.mark.parametrize("path", GOLD_FILES, ids=[p.stem for p in GOLD_FILES])
def test_spans_say_what_the_records_say(path: Path) -> None:
    text = _text(path)
    records = _records(path)
    sources = [r for r in records if r["type"] == "source"]
    assert [r["id"] for r in sources] == [f"b{i}" for i in range(1, len(sources) + 1)]
    assert [r["id"] for r in records if r["type"] == "citation"] == [
        f"c{i}" for i in range(1, sum(r["type"] == "citation" for r in records) + 1)
    ]
    bibliography_start = min(r["start"] for r in sources)
    by_id = {r["id"]: r for r in sources}
    for record in records:
        span = text[record["start"] : record["end"]]
        assert span == span.strip(), record
        if record["type"] == "source":
            assert "\n" not in span  # one entry = one line of the bibliography
            if "number" in record:
                assert span.startswith(f"[{record['number']}]")
            continue
        if record["type"] != "citation":
            continue
        assert record["start"] < bibliography_start, record  # citations stand in the text, not the list
        assert record["where"] in ("prose", "caption", "heading")
        if record["style"] == "numbered":
            numbers = re.fullmatch(r"\[(\d+(?:\s*[,–-]\s*\d+)*)\]", span)
            assert numbers, record
            if record["source"] is not None:
                assert by_id[record["source"]].get("number") == int(record["marker"])
        elif record["style"] == "author_year":
            assert " ".join(span.split()) == record["marker"]
            assert re.search(r"\b(?:1[89]|20)\d\d[a-z]?\b|n\.d\.", span), record


def test_known_records() -> None:
    """A few records read by hand, so that a rebuilt gold cannot drift silently."""
    text = (SHARED / "corpus-whole" / "tracer-study-ilkom-sauliakarina.txt").read_text(encoding="utf-8")
    gold = evaluation.load_citation_gold(GOLD_DIR / "tracer-study-ilkom-sauliakarina.jsonl", text)
    boehm = next(c for c in gold.citations if c["marker"] == "Barry Boehm (1988)")
    assert boehm["source"] is None  # Boehm is not in the bibliography
    boell = next(c for c in gold.citations if c["marker"].startswith("Sebastian K Boell"))
    assert text[next(s for s in gold.sources if s["id"] == boell["source"])["start"]:].startswith("[5] Boell")
    text = (SHARED / "corpus-whole" / "hadoop-spark-digitalocean-diwahsap.txt").read_text(encoding="utf-8")
    gold = evaluation.load_citation_gold(GOLD_DIR / "hadoop-spark-digitalocean-diwahsap.jsonl", text)
    group = [c for c in gold.citations if c["marker"] in ("Herodotou 2011", "Bakratsas et al. 2018")]
    assert len(group) == 2  # "(Herodotou 2011; Bakratsas et al. 2018)" is two citations
    samadi_2018 = {c["source"] for c in gold.citations if c["marker"] == "(Samadi, Zbakh, and Tadonki 2018)"}
    assert len(samadi_2018) == 1
    wanted = samadi_2018.pop()
    entry = next(s for s in gold.sources if s["id"] == wanted)
    assert text[entry["start"] :].startswith("———. 2018.")  # the "same author" entry
