"""Scoring the citation layer against gold (ANNOTATION.md §6), beside the stage."""

from __future__ import annotations

import re
from typing import Any

from pipeline.citations.text import YEAR, fraction_found, name_tokens
from pipeline.markers import (
    SUPERSCRIPT_TO_DIGIT,
)
from pipeline.model import Document


def _overlap(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> int:
    return sum(max(0, min(e1, e2) - max(s1, s2)) for s1, e1 in a for s2, e2 in b)


def _marker_key(style: str, marker: str) -> tuple[str, ...]:
    if style in ("footnote", "numbered"):
        digits = re.sub(r"\D", "", marker.translate(SUPERSCRIPT_TO_DIGIT))
        return ("n", digits)
    year = re.search(YEAR, marker)
    return ("a", year.group() if year else "", *name_tokens(marker))


def _markers_match(gold: tuple[str, ...], predicted: tuple[str, ...]) -> bool:
    if gold[0] != predicted[0] or gold[1] != predicted[1]:
        return False
    if gold[0] == "n":
        return True
    return not gold[2:] or fraction_found(list(gold[2:]), list(predicted[2:])) > 0


def score_citations(doc: Document, gold: Any) -> dict[str, Any]:
    """Citation scores of ANNOTATION.md §6 for one document.

    ``gold`` is a :class:`pipeline.gold.GoldDocument`.  Each gold unit is matched
    to the predicted unit covering most (≥ 50 %) of its characters; a gold
    citation is found when a predicted citation in that unit has the same marker
    (footnote/numbered: the number; author–year: the year and a name).  Note
    resolution accuracy compares ``resolves_to`` (None = unresolved) and link
    accuracy compares ``source`` over the gold citations that were found.  Citations
    outside every unit (figure captions) are not scored.
    """
    unit_match: dict[str, str | None] = {}
    for gold_unit in gold.units:
        length = sum(e - s for s, e in gold_unit.spans)
        best, best_overlap = None, 0
        for unit in doc.units:
            overlap = _overlap(gold_unit.spans, unit.spans())
            if overlap > best_overlap:
                best, best_overlap = unit.id, overlap
        unit_match[gold_unit.id] = best if length and best_overlap * 2 >= length else None
    notes = {note.id: note for note in doc.notes}
    # a citation outside every unit (a figure caption's) is neither a hit nor a false alarm:
    # the gold marks citations in units only
    unused = [citation for citation in doc.citations if citation.unit is not None]
    tp = fn = 0
    resolution_ok = resolution_total = link_ok = link_total = 0
    for record in gold.citations:
        style = record.get("style") or ("footnote" if record.get("note") else "author_year")
        key = _marker_key(style, str(record.get("marker", "")))
        unit_id = unit_match.get(record.get("unit", ""))
        hit = None
        if unit_id is not None:
            hit = next((c for c in unused if c.unit == unit_id and _markers_match(key, _marker_key(c.style, c.marker))),
                       None)
        if hit is None:
            fn += 1
            continue
        tp += 1
        unused.remove(hit)
        if style == "footnote":
            resolution_total += 1
            predicted_note = notes.get(hit.note or "")
            predicted = predicted_note.resolves_to if predicted_note is not None else None
            resolution_ok += int(predicted == record.get("resolves_to"))
        if "source" in record:
            link_total += 1
            link_ok += int(hit.source == record.get("source"))
    return _rates(tp, len(unused), fn, resolution_ok, resolution_total, link_ok, link_total)


def _rates(tp: int, fp: int, fn: int, resolved: int, resolvable: int, linked: int, linkable: int) -> dict[str, Any]:
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return {
        "marker_tp": tp, "marker_fp": fp, "marker_fn": fn,
        "marker_precision": precision, "marker_recall": recall,
        "marker_f1": 2 * precision * recall / (precision + recall) if precision + recall else 0.0,
        "resolution_correct": resolved, "resolution_total": resolvable,
        "resolution_accuracy": resolved / resolvable if resolvable else 1.0,
        "link_correct": linked, "link_total": linkable,
        "link_accuracy": linked / linkable if linkable else 1.0,
    }


def micro_average(scores: list[dict[str, Any]]) -> dict[str, Any]:
    """Pool per-document :func:`score_citations` results (micro-average)."""
    keys = ("marker_tp", "marker_fp", "marker_fn", "resolution_correct", "resolution_total", "link_correct",
            "link_total")
    return _rates(*(sum(int(s[k]) for s in scores) for k in keys))
