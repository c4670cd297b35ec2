"""Tests for scripts/agreement.py: overlap pairing and Cohen's kappa."""

import importlib.util
import sys
from pathlib import Path

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
