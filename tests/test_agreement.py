"""Tests for scripts/agreement.py: overlap pairing and Cohen's kappa."""

import importlib.util
import sys
from pathlib import Path

import pytest

from pipeline.gold import GoldUnit

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "agreement.py"
spec = importlib.util.spec_from_file_location("agreement", SCRIPT)
agreement = importlib.util.module_from_spec(spec)
sys.modules["agreement"] = agreement
spec.loader.exec_module(agreement)


def unit(start: int, end: int, label: str) -> GoldUnit:
    return GoldUnit(id="u", spans=[(start, end)], label=label, check="")


def test_kappa_textbook_value() -> None:
    # 2x2 table a=20 (yes/yes), b=5, c=10, d=15: p_o=0.7, p_e=0.5 -> kappa 0.4
    pairs = (
        [("claim", "claim")] * 20
        + [("claim", "evidence")] * 5
        + [("evidence", "claim")] * 10
        + [("evidence", "evidence")] * 15
    )
    assert abs(agreement.cohen_kappa(pairs) - 0.4) < 1e-9


def test_unmatched_units_meet_none() -> None:
    first = [unit(0, 100, "claim"), unit(100, 200, "evidence")]
    # second annotator: same first sentence shifted a little, skipped the second, added a third
    second = [unit(5, 100, "claim"), unit(300, 350, "claim")]
    pairs = agreement.pair_units(first, second)
    assert pairs == [("claim", "claim"), ("evidence", "none"), ("none", "claim")]


def test_half_overlap_of_both_units_required() -> None:
    # a merged unit (0-200) covers only half of itself with each split unit -> pairs with one
    first = [unit(0, 200, "claim")]
    second = [unit(0, 100, "claim"), unit(100, 200, "evidence")]
    pairs = agreement.pair_units(first, second)
    assert len(pairs) == 2
    assert sum(a == "none" for a, _ in pairs) == 1


def test_relation_f1_is_symmetric_and_counts_labels() -> None:
    from pipeline.agreement import RelationAgreement

    row = RelationAgreement("d", first={("u2", "u1", "supports"), ("u3", "u1", "supports"), ("u4", "u1", "attacks")},
                            second={("u2", "u1", "supports"), ("u4", "u1", "supports"), ("u5", "u6", "restates")})
    assert abs(row.f1() - 2 * 1 / 6) < 1e-9  # one shared triple of three and three
    assert abs(row.f1(labelled=False) - 2 * 2 / 6) < 1e-9  # u4 -> u1 agrees as a link
    assert abs(row.f1("supports") - 2 * 1 / 4) < 1e-9
    assert row.f1("attacks") == 0.0
    assert row.same_target() == (2, 2)  # u2 and u4 are linked by both, to u1 both times
    flipped = RelationAgreement("d", first=row.second, second=row.first)
    assert flipped.f1() == row.f1()


def test_second_relation_annotations_follow_the_guide() -> None:
    """Every committed second annotation of relations names the first annotation's units:
    no `none` unit takes part, targets are claims, `restates` goes back to an earlier claim."""
    from conftest import SHARED

    from pipeline.agreement import (
        FIRST_DIR,
        SECOND_RELATIONS_DIR,
        WHOLE_DIR,
        WHOLE_SECOND_RELATIONS_DIR,
        relation_agreement,
    )
    from pipeline.gold import load_gold

    for first_dir, second_dir, corpus, whole in ((FIRST_DIR, SECOND_RELATIONS_DIR, "corpus", False),
                                                 (WHOLE_DIR, WHOLE_SECOND_RELATIONS_DIR, "corpus-whole", True)):
        doc_ids = sorted(p.stem for p in second_dir.glob("*.jsonl"))
        assert len(doc_ids) >= (4 if whole else 10)
        per_doc, pooled = relation_agreement(doc_ids, SHARED, whole)
        assert len(pooled.second) >= 200
        for row in per_doc:
            text = (SHARED / corpus / f"{row.doc_id}.txt").read_text(encoding="utf-8")
            units = {u.id: u for u in load_gold(first_dir / f"{row.doc_id}.jsonl", text).units}
            for source, target, label in row.second:
                assert units[source].label != "none" and units[target].label == "claim", (row.doc_id, source, target)
                if label == "restates":
                    assert units[source].label == "claim" and units[target].start < units[source].start


def test_a_thesis_annotated_in_part_is_compared_within_its_scope(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """The helm thesis's second relations cover u1-u150 (their scope record): only the gold's
    relations from those units count, 22 of the gold's 55."""
    from conftest import SHARED

    import pipeline.agreement as relation_module
    from pipeline.agreement import WHOLE_SECOND_RELATIONS_DIR, relation_agreement

    thesis = "helm-deployment-http-xerdiosa"
    per_doc, pooled = relation_agreement([thesis], SHARED, whole=True)
    row = per_doc[0]
    assert (len(row.first), len(row.second)) == (22, 26)
    assert len(row.first & row.second) == 16
    assert round(row.f1(), 3) == 0.667 and row.same_target() == (16, 18)
    assert pooled.f1() == row.f1()
    # without the scope record every gold relation of the thesis is compared
    records = (WHOLE_SECOND_RELATIONS_DIR / f"{thesis}.jsonl").read_text(encoding="utf-8").splitlines()
    assert records[0] == '{"type": "scope", "from": "u1", "to": "u150"}'
    (tmp_path / f"{thesis}.jsonl").write_text("\n".join(records[1:]) + "\n", encoding="utf-8")
    monkeypatch.setattr(relation_module, "WHOLE_SECOND_RELATIONS_DIR", tmp_path)
    unscoped = relation_agreement([thesis], SHARED, whole=True)[0][0]
    assert len(unscoped.first) == 55 and unscoped.second == row.second
