"""The gold annotations (corpus/gold) load without drift, and the §6 scorer (pipeline.evaluate)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import ROOT, SHARED

from pipeline.evaluate import match_units, score_document
from pipeline.gold import LABELS, GoldDriftError, load_gold
from pipeline.model import Document, Relation, Unit

GOLD = ROOT / "corpus" / "gold"
SEED = "000_b7960c56fa7a1039"
KINDS = {"statistic", "event", "example", "quotation", "other"}

pytestmark = pytest.mark.skipif(not (SHARED / "corpus").exists(), reason="../shared not present")


def text_of(doc_id: str, folder: str = "corpus") -> str:
    return (SHARED / folder / f"{doc_id}.txt").read_text(encoding="utf-8")


GOLD_FILES = sorted(GOLD.glob("*.jsonl"))
WHOLE_GOLD_FILES = sorted((ROOT / "corpus" / "gold-whole").glob("*.jsonl"))


@pytest.mark.parametrize("path", GOLD_FILES + WHOLE_GOLD_FILES, ids=[p.stem for p in GOLD_FILES + WHOLE_GOLD_FILES])
def test_gold_file_loads_without_drift(path: Path) -> None:
    gold = load_gold(path, text_of(path.stem, "corpus" if path.parent == GOLD else "corpus-whole"))
    assert gold.units
    ids = [u.id for u in gold.units]
    assert ids == [f"u{i}" for i in range(1, len(ids) + 1)]
    for unit in gold.units:
        assert unit.label in LABELS
        if unit.label == "evidence":
            assert unit.kind in KINDS
        if unit.label == "claim":
            assert unit.attribution in ("own", "reported")
        assert all(s < e for s, e in unit.spans)
    starts = [u.start for u in gold.units]
    assert starts == sorted(starts)
    labels = {u.id: u.label for u in gold.units}
    for relation in gold.relations:
        assert relation["label"] in ("supports", "attacks", "restates", "cites")
        if relation["label"] != "cites":  # ANNOTATION.md: a relation argues for or against a claim
            assert labels[relation["from"]] != "none" and labels[relation["to"]] == "claim"
        if relation["label"] == "restates":
            assert labels[relation["from"]] == "claim"


# corpus/gold-whole/README.md, "Convention pass": an algorithm step written as an instruction is
# `none`; a novelty statement is a claim, never a major claim by itself
INSTRUCTION = re.compile(r"(?:\d+[.)]\s*)?(?:Hitung|Ulangi|Inisialisasi|Latih|Iterasikan|Lakukan|Buat)\s")
NOVELTY = re.compile(r"\b(?:novelty|noveltas|kebaruan)\b", re.IGNORECASE)


def test_whole_thesis_gold_keeps_the_step_and_novelty_conventions() -> None:
    steps, novelties = [], []
    for path in WHOLE_GOLD_FILES:
        text = text_of(path.stem, "corpus-whole")
        for unit in load_gold(path, text).units:
            sentence = text[unit.start:unit.end].strip()
            if INSTRUCTION.match(sentence):
                steps.append((path.stem, unit.id, unit.label))
            if NOVELTY.search(sentence):
                novelties.append((path.stem, unit.id, unit.label, unit.major))
    assert len(steps) >= 20 and {label for *_, label in steps} == {"none"}
    sistem = "sistem-penasehat-pembelajaran-achmedhibatillah"
    assert novelties == [(sistem, "u74", "claim", False), (sistem, "u579", "claim", False)]


def test_whole_theses_are_annotated() -> None:
    theses = {p.stem for p in (SHARED / "corpus-whole").glob("*.txt")}
    assert theses == {p.stem for p in WHOLE_GOLD_FILES}


def test_every_corpus_document_has_gold() -> None:
    documents = {p.stem for p in (SHARED / "corpus").glob("*.txt")}
    assert documents <= {p.stem for p in GOLD_FILES}


def test_seed_gold_values() -> None:
    gold = load_gold(GOLD / f"{SEED}.jsonl", text_of(SEED))
    text = gold.text
    by_check = {u.check: u for u in gold.units}
    statistic = by_check["Pihak kepolisian di"]
    assert statistic.label == "evidence" and statistic.kind == "statistic"
    assert "70.000" in text[statistic.start : statistic.end]
    assert by_check["This research describes"].label == "none"
    major = [u for u in gold.units if u.major]
    assert any(text[u.start : u.end].startswith("Munculnya NGO") for u in major)
    assert {r["label"] for r in gold.relations} >= {"supports", "restates"}


def test_drift_is_caught(tmp_path: Path) -> None:
    text = text_of(SEED)
    line = json.dumps({"type": "unit", "id": "u1", "start": 150, "end": 276, "label": "none",
                       "check": "This research describes"})
    path = tmp_path / "shifted.jsonl"
    path.write_text(line + "\n", encoding="utf-8")
    with pytest.raises(GoldDriftError):
        load_gold(path, text)


def test_scorer_on_the_gold_itself_is_perfect() -> None:
    gold = load_gold(GOLD / f"{SEED}.jsonl", text_of(SEED))
    units = [Unit(id=u.id, start=u.start, end=u.end, text="", section="", paragraph="",
                  parts=u.spans if len(u.spans) > 1 else [], label=u.label, major=u.major,
                  attribution=u.attribution, kind=u.kind) for u in gold.units]
    relations = [Relation(id=f"r{i}", source=r["from"], target=r["to"], label=r["label"])
                 for i, r in enumerate(gold.relations, 1) if r["type"] == "relation"]
    doc = Document(id=SEED, source_path="", text=gold.text, units=units, relations=relations)
    scores = score_document(gold, doc)
    assert scores.accuracy == 1.0 and scores.macro_f1 == 1.0 and scores.major.f1 == 1.0
    assert scores.relations["supports"].f1 == 1.0


def test_matching_needs_half_the_characters() -> None:
    gold = load_gold(GOLD / f"{SEED}.jsonl", text_of(SEED))
    first = gold.units[0]
    middle = (first.start + first.end) // 2
    short = Unit(id="p1", start=first.start, end=middle - 5, text="", section="", paragraph="")
    long = Unit(id="p2", start=first.start, end=middle + 5, text="", section="", paragraph="")
    assert match_units([first], [short])[first.id] is None
    assert match_units([first], [long])[first.id] is long
