"""The 'relations' stage (pipeline.relations) on real documents with their gold labels."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from conftest import ROOT, SHARED
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics.pairwise import cosine_similarity

from pipeline import units as units_stage
from pipeline.gold import load_gold
from pipeline.ingest import read_document
from pipeline.model import Citation, Document
from pipeline.relations import (
    PairSimilarity,
    count_support_pairs,
    link_relations,
    unit_infos,
)
from pipeline.structure import segment
from pipeline.train import gold_labelled, gold_span_document

REDD = "ir-excerpt-b13_kesimpulan_redd_norwegia"
CRYPTO = "terjemahan-kriptografi-catatan-kaki"
SEED = "000_b7960c56fa7a1039"

pytestmark = pytest.mark.skipif(not (SHARED / "corpus").exists(), reason="../shared not present")


def labelled_document(doc_id: str) -> Document:
    """The document with the gold sentences as units, carrying the gold labels."""
    doc = segment(read_document(SHARED / "corpus" / f"{doc_id}.txt", doc_id))
    gold = load_gold(ROOT / "corpus" / "gold" / f"{doc_id}.jsonl", doc.text)
    return gold_labelled(gold_span_document(doc, gold), gold)


def unit_starting(doc: Document, words: str) -> str:
    return next(u.id for u in doc.units if u.text.startswith(words))


def triples(doc: Document, label: str) -> set[tuple[str, str]]:
    return {(r.source, r.target) for r in doc.relations if r.label == label}


def test_conclusion_marker_links_reason_to_conclusion_by_rules() -> None:
    doc = link_relations(labelled_document(REDD), rules_only=True)
    reason = unit_starting(doc, "Kondisi ini membuat")
    conclusion = unit_starting(doc, "Oleh karena itu, Indonesia")
    assert (reason, conclusion) in triples(doc, "supports")
    # "Komitmen ini ditunjukan …" (evidence) grounds the claim just before it
    assert (unit_starting(doc, "Komitmen ini ditunjukan"), conclusion) in triples(doc, "supports")


def test_contrast_marker_attacks_the_claim_before() -> None:
    doc = link_relations(labelled_document(CRYPTO), rules_only=True)
    contrast = unit_starting(doc, "Namun, kriptografi modern berbeda")
    infos = unit_infos(doc)
    index = next(i.index for i in infos if i.unit.id == contrast)
    previous_claim = next(infos[j].unit.id for j in range(index - 1, -1, -1)
                          if infos[j].unit.label == "claim")
    assert (contrast, previous_claim) in triples(doc, "attacks")


def test_none_units_take_no_part_and_ids_are_positional() -> None:
    doc = link_relations(labelled_document(SEED), rules_only=True)
    labels = {u.id: u.label for u in doc.units}
    assert doc.relations
    for number, relation in enumerate(doc.relations, 1):
        assert relation.id == f"r{number}"
        assert relation.producer and 0.0 <= relation.score <= 1.0
        if relation.label == "cites":
            continue
        assert labels[relation.source] != "none" and labels[relation.target] == "claim"
        if relation.label == "restates":
            assert labels[relation.source] == "claim"


def test_cites_links_a_unit_to_its_citation() -> None:
    doc = labelled_document(SEED)
    statistic = next(u for u in doc.units if u.text.startswith("Pihak kepolisian"))
    marker_at = statistic.end - 1  # the "²" after the final full stop
    doc.citations = [Citation(id="c1", unit=statistic.id, start=marker_at, end=marker_at + 1,
                              marker="2", style="footnote", note="n2")]
    doc = link_relations(doc, rules_only=True)
    assert (statistic.id, "c1") in triples(doc, "cites")


def test_seed_restatements_and_major_conclusions_reaching_back() -> None:
    """The seed's gold has 10 `restates`. Tying every conclusion claim back to its most
    similar earlier claim (cosine 0.2) and body claims to the abstract at 0.3 drew 10, 3 of
    them gold; now 8 with the same 3. Three of the four major claims of the conclusion reach
    a claim outside it (the fourth shares too few words with any: cosine below 0.2)."""
    doc = link_relations(labelled_document(SEED), rules_only=True)
    gold = load_gold(ROOT / "corpus" / "gold" / f"{SEED}.jsonl", doc.text)
    gold_restates = {(r["from"], r["to"]) for r in gold.relations if r["label"] == "restates"}
    drawn = triples(doc, "restates")
    assert len(gold_restates) == 10
    assert len(drawn & gold_restates) >= 3 and len(drawn) <= 8
    infos = {i.unit.id: i for i in unit_infos(doc)}
    majors = [i for i in infos.values() if i.role == "conclusion" and i.unit.major]
    reaching = {r.source for r in doc.relations if r.label in ("restates", "supports")
                and r.source in infos and infos[r.target].role != "conclusion"}
    assert len(majors) == 4 and sum(m.unit.id in reaching for m in majors) == 3


@pytest.mark.skipif(not (units_stage.MODEL_DIR / units_stage.MODEL_FILE).exists(),
                    reason="no trained model: run `make train`")
def test_trained_pair_model_scores_supports() -> None:
    doc = link_relations(labelled_document(REDD))
    supports = [r for r in doc.relations if r.label == "supports"]
    assert supports
    assert all(r.producer.startswith(("pair-model:", "rules:")) for r in supports)
    # one supported target per source unit at most
    sources = [r.source for r in supports]
    assert len(sources) == len(set(sources))


def test_seed_indonesian_restates_the_english_abstract() -> None:
    # gold: the introduction's "Para pencari kerja ini …" restates the abstract's "Children have to
    # work …" (another language, the same proposition): bilingual word list + names + numbers
    doc = link_relations(labelled_document(SEED), rules_only=True)
    later = unit_starting(doc, "Para pencari kerja ini")
    earlier = unit_starting(doc, "Children have to work")
    assert (later, earlier) in triples(doc, "restates")
    restates = [r for r in doc.relations if r.label == "restates"]
    assert all(r.producer.startswith("rules:") for r in restates)
    # a restatement always points back to an earlier claim
    order = {u.id: i for i, u in enumerate(doc.units)}
    labels = {u.id: u.label for u in doc.units}
    assert all(order[r.source] > order[r.target] and labels[r.target] == "claim" for r in restates)


def repeated_units(doc: Document, times: int) -> Document:
    """``doc`` with its units said ``times`` times over (fresh unit ids, same sections)."""
    result = copy.deepcopy(doc)
    result.units = []
    for number in range(times):
        for unit in copy.deepcopy(doc.units):
            unit.id = f"{unit.id}.{number}"
            result.units.append(unit)
    return result


def test_candidate_pairs_grow_linearly_with_length() -> None:
    # the seed has 146 units and 6 major claims; 8 and 16 copies of it hold 48 and 96 major
    # claims, more than the candidate windows admit: a unit weighs a bounded number of claims,
    # so twice the text makes at most about twice the pairs (every unit against every major
    # claim made 3.8x here)
    seed = labelled_document(SEED)
    single = count_support_pairs(repeated_units(seed, 8))
    double = count_support_pairs(repeated_units(seed, 16))
    assert single > 0
    assert double / single <= 2.5


def _cosine(texts: list[str]) -> np.ndarray:
    matrix = TfidfVectorizer(sublinear_tf=True).fit_transform(texts)
    similarity = cosine_similarity(matrix)
    np.fill_diagonal(similarity, 0.0)
    return similarity


def similarity_matrix(infos) -> np.ndarray:
    """The whole unit × unit matrix: lemma cosine, bilingual cosine across languages."""
    similarity = _cosine([i.lemmas for i in infos])
    english = np.array([i.english for i in infos], dtype=bool)
    if english.any() and not english.all():
        mixed = english[:, None] != english[None, :]
        similarity = np.where(mixed, _cosine([i.bilingual for i in infos]), similarity)
    return similarity


def test_pair_similarity_equals_the_full_matrix() -> None:
    # the stage computes only the similarities its candidate pairs need; each must be, bit for
    # bit, the value of the full matrix
    infos = unit_infos(labelled_document(SEED))
    everything = range(len(infos))
    assert np.array_equal(PairSimilarity(infos).block(everything, everything), similarity_matrix(infos))
