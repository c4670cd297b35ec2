"""Training (pipeline.train): the supports pair model learns from documents labelled by a model
that never saw them, on the seed and three real excerpts of ../shared/corpus."""

from __future__ import annotations

import pytest
from conftest import ROOT, SHARED

from pipeline.gold import load_gold
from pipeline.ingest import read_document
from pipeline.structure import segment
from pipeline.train import (
    GoldCase,
    cross_labelled,
    fit_supports,
    fit_unit_models,
    fresh_copy,
    gold_labelled,
    gold_span_document,
    subset,
    training_set,
)
from pipeline.units import label_units

DOCUMENTS = ("000_b7960c56fa7a1039", "ir-excerpt-12_lcs_kepentingan_nasional_nye_kompasiana",
             "ir-excerpt-32_keynesian_vs_neolib_orde_baru", "ir-excerpt-18_rezim_internasional_krasner_review")

# four label models fitted on a few hundred units each: about a minute, so with the slow tests
pytestmark = [pytest.mark.skipif(not (SHARED / "corpus").exists(), reason="../shared not present"),
              pytest.mark.slow]


def gold_case(doc_id: str) -> GoldCase:
    """The gold case `make train` builds, from the structure stage alone (no Stanza)."""
    prepared = segment(read_document(SHARED / "corpus" / f"{doc_id}.txt", doc_id))
    gold = load_gold(ROOT / "corpus" / "gold" / f"{doc_id}.jsonl", prepared.text)
    return GoldCase(doc_id, gold, prepared, gold_span_document(prepared, gold))


@pytest.fixture(scope="module")
def cases() -> list[GoldCase]:
    return [gold_case(doc_id) for doc_id in DOCUMENTS]


def test_the_pair_model_trains_on_labels_from_a_model_that_never_saw_the_document(
        cases: list[GoldCase]) -> None:
    data = training_set(cases)
    before = [(u.label, u.major) for case in cases for u in case.gold_doc.units]
    labelled = cross_labelled(cases, data)
    # the gold-span documents themselves are left as they were
    assert [(u.label, u.major) for case in cases for u in case.gold_doc.units] == before
    # ir-excerpt-18 has no supports in its gold, so it is not labelled for the pair model
    assert sorted(labelled) == sorted(DOCUMENTS[:3])
    seed = cases[0]
    # four documents, ten folds: each document is its own fold, so the seed is labelled by a
    # model fitted on the other three alone
    alone = label_units(fresh_copy(seed.gold_doc), model=fit_unit_models(subset(data, set(DOCUMENTS[1:]))))
    predicted = [u.label for u in labelled[seed.doc_id].units]
    assert predicted == [u.label for u in alone.units]
    # those labels are the model's, not the gold's: most agree, some do not
    gold = [g.label for g in seed.gold.units]
    agree = sum(p == g for p, g in zip(predicted, gold, strict=True))
    assert len(gold) == 146
    assert 0.6 * len(gold) < agree < len(gold)
    assert sum(max(u.probabilities.values()) < 0.9 for u in labelled[seed.doc_id].units) > 10

    assert fit_supports(cases, labelled) is not None
    pairs = seed.support_pairs
    assert pairs is not None and pairs.labelled is labelled[seed.doc_id]
    assert len(pairs.rows) == len(pairs.targets)
    # the seed's gold has 88 supports; from the gold labels every one whose target is among the
    # candidates is a positive pair, from predicted labels only those whose ends kept a label
    # the candidates allow (source claim or evidence, target a claim)
    from_predicted = sum(pairs.targets)
    by_gold = {c.doc_id: gold_labelled(c.gold_doc, c.gold) for c in cases[:3]}
    assert fit_supports(cases, by_gold) is not None
    assert seed.support_pairs is not None and seed.support_pairs.labelled is by_gold[seed.doc_id]
    from_gold = sum(seed.support_pairs.targets)
    assert from_predicted < from_gold <= 88


def test_documents_held_out_in_two_processes_score_as_in_one(cases: list[GoldCase]) -> None:
    """`make eval` cross-labels, holds documents out and draws the learning curve in forked
    processes (EVAL_JOBS); the scores are those of one process, in the same order."""
    from pipeline.evaluate import evaluate, learning_curve

    data = training_set(cases)
    one, citations_one = evaluate(cases, data, jobs=1)
    two, citations_two = evaluate(cases, data, jobs=2)
    assert list(two["classifier"]) == list(DOCUMENTS)
    assert one == two and citations_one == citations_two
    curve = learning_curve(cases, data, sizes=(1,), folds=2, jobs=2)
    assert curve == learning_curve(cases, data, sizes=(1,), folds=2, jobs=1)
    # the seed is one fold, the three excerpts the other: only one training document is drawn
    # in both (the seed's fold trains on one document, so that size is drawn there once)
    assert [point["documents"] for point in curve] == [1.0] and 0.0 < curve[0]["all"] < 1.0
    seed = two["classifier"][DOCUMENTS[0]]
    # the seed held out, labelled by a model fitted on the three excerpts alone
    assert seed.units == 146 and 0.5 < seed.correct / seed.units < 1.0
    assert seed.has_relation_gold and seed.relations["supports"].tp > 0
