"""Leave-one-document-out evaluation of the argument stages: ``make eval``.

Reads the gold (``corpus/gold``) and its documents like :mod:`pipeline.train`;
for every gold document, fits all argument models on the *other* documents and
scores the held-out one as ../shared/ANNOTATION.md §6 says: each gold unit is
matched to the predicted unit that overlaps most of its characters (≥ 50 %,
else it counts as predicted ``none``); per-label P/R/F1, macro-F1 over claim and
evidence, accuracy over the three labels, ``major`` F1, and F1 over
(from, to, label) relation triples — per document and micro-averaged.

Settings scored side by side:
- ``classifier`` — units = gold spans, the trained pipeline;
- ``classifier, predicted units`` — units = the nlp stage's sentences (when it
  produced any), the full pipeline end to end;
- ``rules only`` and ``majority class`` baselines on gold spans;
- ``relations from gold labels`` — the relation stage alone, fed the gold labels.

Citation scores come from ``pipeline.citations.score_citations(doc, gold)`` when
that function exists.  Writes ``models/argument/EVAL.md``.
"""

from __future__ import annotations

import argparse
import bisect
import logging
import math
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline import citations as citation_stage
from pipeline.forked import forked_map
from pipeline.gold import LABELS, RELATION_LABELS, GoldDocument, GoldUnit
from pipeline.model import Document, Unit
from pipeline.relations import link_relations
from pipeline.train import (
    GoldCase,
    TrainingSet,
    case_support_pairs,
    cross_labelled,
    fit,
    fresh_copy,
    gold_labelled,
    library_versions,
    load_cases,
    load_extra_cases,
    load_real_cases,
    shared_dir,
    subset,
    training_data_hash,
    training_set,
)
from pipeline.units import MODEL_DIR, label_units

log = logging.getLogger(__name__)

RELIABILITY_BINS = 5
GENRES = {"excerpt": "excerpts and articles (corpus/gold)", "whole": "whole theses (corpus/gold-whole)"}


# ---------------------------------------------------------------- matching and counting


def _overlap(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> int:
    return sum(max(0, min(e1, e2) - max(s1, s2)) for s1, e1 in a for s2, e2 in b)


def match_units(gold_units: list[GoldUnit], predicted: list[Unit]) -> dict[str, Unit | None]:
    """Gold unit id → the predicted unit covering most of its characters (≥ 50 %), or None."""
    ordered = sorted(predicted, key=lambda u: u.start)
    starts = [u.start for u in ordered]
    matches: dict[str, Unit | None] = {}
    for g in gold_units:
        size = sum(e - s for s, e in g.spans)
        # candidates: predicted units starting before the gold unit ends
        stop = bisect.bisect_left(starts, g.end)
        best, best_overlap = None, 0
        for unit in ordered[max(0, stop - 40) : stop]:
            overlap = _overlap(g.spans, unit.spans())
            if overlap > best_overlap:
                best, best_overlap = unit, overlap
        matches[g.id] = best if size and best_overlap / size >= 0.5 else None
    return matches


@dataclass
class Counts:
    """True positives, false positives and false negatives of one thing being found."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, other: Counts) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def support(self) -> int:
        return self.tp + self.fn


@dataclass
class DocScores:
    units: int = 0
    correct: int = 0
    labels: dict[str, Counts] = field(default_factory=lambda: {k: Counts() for k in LABELS})
    major: Counts = field(default_factory=Counts)
    relations: dict[str, Counts] = field(default_factory=lambda: {k: Counts() for k in RELATION_LABELS})
    has_relation_gold: bool = False
    attribution_correct: int = 0
    attribution_total: int = 0
    kind_correct: int = 0
    kind_total: int = 0
    confusion: Counter = field(default_factory=Counter)  # (gold label, predicted label) -> units
    # reliability of the label probabilities: bin of the predicted label's probability ->
    # [units, correct, summed probability]
    reliability: dict[int, list[float]] = field(default_factory=dict)

    def add(self, other: DocScores) -> None:
        self.units += other.units
        self.correct += other.correct
        for k in LABELS:
            self.labels[k].add(other.labels[k])
        self.major.add(other.major)
        if other.has_relation_gold:
            self.has_relation_gold = True
            for k in RELATION_LABELS:
                self.relations[k].add(other.relations[k])
        self.attribution_correct += other.attribution_correct
        self.attribution_total += other.attribution_total
        self.kind_correct += other.kind_correct
        self.kind_total += other.kind_total
        self.confusion.update(other.confusion)
        for bin_, (n, right, confidence) in other.reliability.items():
            cell = self.reliability.setdefault(bin_, [0, 0, 0.0])
            cell[0] += n
            cell[1] += right
            cell[2] += confidence

    def calibration_error(self) -> float:
        """Expected calibration error: |accuracy - mean probability| per bin, weighted by units."""
        total = sum(n for n, _, _ in self.reliability.values())
        return sum(abs(right - confidence) for n, right, confidence in self.reliability.values()
                   ) / total if total else 0.0

    @property
    def macro_f1(self) -> float:
        return (self.labels["claim"].f1 + self.labels["evidence"].f1) / 2

    def document_macro_f1(self) -> float | None:
        """Macro-F1 over the labels this document has or was given (a label absent from both
        gold and prediction is not a zero); None when neither label occurs."""
        present = [self.labels[k].f1 for k in ("claim", "evidence")
                   if self.labels[k].tp + self.labels[k].fp + self.labels[k].fn]
        return sum(present) / len(present) if present else None

    @property
    def accuracy(self) -> float:
        return self.correct / self.units if self.units else 0.0

    def relation_total(self) -> Counts:
        total = Counts()
        for k in RELATION_LABELS:
            total.add(self.relations[k])
        return total


def score_document(gold: GoldDocument, predicted: Document) -> DocScores:
    """Scores of one predicted document against its gold (ANNOTATION.md §6)."""
    scores = DocScores()
    matches = match_units(gold.units, predicted.units)
    to_gold: dict[str, str] = {}
    for g in gold.units:
        unit = matches[g.id]
        label = unit.label if unit is not None else "none"
        if unit is not None:
            to_gold.setdefault(unit.id, g.id)
        scores.units += 1
        scores.correct += label == g.label
        scores.confusion[g.label, label] += 1
        if unit is not None and unit.probabilities:
            confidence = unit.probabilities.get(label, 0.0)
            cell = scores.reliability.setdefault(min(int(confidence * RELIABILITY_BINS),
                                                     RELIABILITY_BINS - 1), [0, 0, 0.0])
            cell[0] += 1
            cell[1] += label == g.label
            cell[2] += confidence
        for k in LABELS:
            if label == k and g.label == k:
                scores.labels[k].tp += 1
            elif label == k:
                scores.labels[k].fp += 1
            elif g.label == k:
                scores.labels[k].fn += 1
        predicted_major = unit is not None and unit.label == "claim" and unit.major
        gold_major = g.label == "claim" and g.major
        scores.major.tp += predicted_major and gold_major
        scores.major.fp += predicted_major and not gold_major
        scores.major.fn += gold_major and not predicted_major
        if unit is not None and label == g.label == "claim":
            scores.attribution_total += 1
            scores.attribution_correct += (unit.attribution or "own") == (g.attribution or "own")
        if unit is not None and label == g.label == "evidence":
            scores.kind_total += 1
            scores.kind_correct += (unit.kind or "other") == (g.kind or "other")
    gold_triples = {(r["from"], r["to"], r["label"]) for r in gold.relations
                    if r["label"] in RELATION_LABELS}
    scores.has_relation_gold = bool(gold_triples)
    if gold_triples:
        predicted_triples = {
            (to_gold[r.source], to_gold[r.target], r.label)
            for r in predicted.relations
            if r.label in RELATION_LABELS and r.source in to_gold and r.target in to_gold
        }
        unmapped = sum(1 for r in predicted.relations if r.label in RELATION_LABELS
                       and (r.source not in to_gold or r.target not in to_gold))
        for k in RELATION_LABELS:
            gold_k = {t for t in gold_triples if t[2] == k}
            predicted_k = {t for t in predicted_triples if t[2] == k}
            scores.relations[k].tp += len(gold_k & predicted_k)
            scores.relations[k].fp += len(predicted_k - gold_k)
            scores.relations[k].fn += len(gold_k - predicted_k)
        scores.relations["supports"].fp += unmapped  # relations between unmatched units are wrong
    return scores


# ---------------------------------------------------------------- the experiment


def _majority(doc: Document, label: str) -> Document:
    for unit in doc.units:
        unit.label = label
        unit.probabilities = {k: float(k == label) for k in LABELS}
        unit.major = False
        unit.attribution = "own" if label == "claim" else None
        unit.kind = "other" if label == "evidence" else None
    return doc


SETTINGS = (
    "classifier",
    "classifier, predicted units",
    "rules only",
    "majority class",
    "relations from gold labels",
)


def evaluate(cases: list[GoldCase], data: TrainingSet | None = None, jobs: int = 1
             ) -> tuple[dict[str, dict[str, DocScores]], dict[str, Any]]:
    """Leave-one-document-out: {setting: {doc_id: scores}} and citation scores per document.

    Only real documents are held out and scored; ``extra`` cases (the team's own text) are in
    every training fold. ``jobs`` > 1 cross-labels and holds documents out in that many forked
    processes (:func:`pipeline.forked.forked_map`), which share the features computed here; the
    scores are the same as with one."""
    results: dict[str, dict[str, DocScores]] = {s: {} for s in SETTINGS}
    citation_scores: dict[str, Any] = {}
    data = data or training_set(cases)
    # once for every held-out document: another document's labels come from a model that may have
    # had the held-out document's gold labels among its training data, never its relations
    labelled = cross_labelled(cases, data, jobs)
    for case in cases:
        if case.doc_id in labelled:  # the candidate pairs, computed once before any fork
            case_support_pairs(case, labelled[case.doc_id])
    held_out = [c for c in cases if not c.extra]
    outcomes = forked_map(lambda case: _hold_out(case, cases, data, labelled), held_out, jobs)
    for doc_id, scores, citation_score in outcomes:
        for setting, score in scores.items():
            results[setting][doc_id] = score
        if citation_score is not None:
            citation_scores[doc_id] = citation_score
    return results, citation_scores


def _hold_out(held_out: GoldCase, cases: list[GoldCase], data: TrainingSet,
              labelled: dict[str, Document]) -> tuple[str, dict[str, DocScores], Any]:
    """Fit every model without ``held_out`` and score it in each setting."""
    doc_id = held_out.doc_id
    training = [c for c in cases if c.doc_id != doc_id]
    training_data = subset(data, {c.doc_id for c in training})
    model = fit(training, training_data, labelled)
    majority = Counter(training_data.labels).most_common(1)[0][0]
    scores: dict[str, DocScores] = {}

    doc = label_units(fresh_copy(held_out.gold_doc), model=model)
    scores["classifier"] = score_document(held_out.gold, link_relations(doc, model=model))
    if held_out.prepared.units:
        doc = label_units(fresh_copy(held_out.prepared), model=model)
        scores["classifier, predicted units"] = score_document(held_out.gold, link_relations(doc, model=model))
    doc = label_units(fresh_copy(held_out.gold_doc), rules_only=True)
    scores["rules only"] = score_document(held_out.gold, link_relations(doc, rules_only=True))
    scores["majority class"] = score_document(held_out.gold, _majority(fresh_copy(held_out.gold_doc), majority))
    doc = gold_labelled(held_out.gold_doc, held_out.gold)
    scores["relations from gold labels"] = score_document(held_out.gold, link_relations(doc, model=model))
    citation_score = None
    if hasattr(citation_stage, "score_citations"):
        try:
            citation_score = citation_stage.score_citations(held_out.prepared, held_out.gold)
        except Exception as error:  # noqa: BLE001 - another stage's scorer must not stop eval
            citation_score = {"error": f"{type(error).__name__}: {error}"}
    log.info("held out %s", doc_id)
    return doc_id, scores, citation_score


def learning_curve(cases: list[GoldCase], data: TrainingSet | None = None,
                   sizes: tuple[int, ...] = (5, 10, 20, 30, 40), folds: int = 5,
                   seed: int = 0, jobs: int = 1) -> list[dict[str, float]]:
    """Macro-F1 (claim, evidence) of the label model on gold spans against the number of
    real training documents: documents split in ``folds`` groups; each group is scored by
    models fitted on random subsets of the other groups' documents (the team's extra text is
    left out, so that the curve counts real documents only), in ``jobs`` forked processes."""
    import numpy as np
    from sklearn.metrics import f1_score
    from sklearn.model_selection import GroupKFold

    from pipeline.units import feature_rows, make_label_pipeline

    real = [c for c in cases if not c.extra]
    data = data or training_set(cases)
    genre = {c.doc_id: c.genre for c in real}
    keep = [i for i, document in enumerate(data.documents) if document in genre]
    rows = feature_rows([data.views[i] for i in keep])
    labels = np.array([data.labels[i] for i in keep])
    documents = np.array([data.documents[i] for i in keep])
    random = np.random.default_rng(seed)
    draws: list[tuple[int, list[int], Any]] = []  # (size, training units, test units), drawn in order
    gold: dict[str, list[str]] = {}
    for train, test in GroupKFold(n_splits=folds).split(rows, labels, documents):
        names = sorted(set(documents[train]))
        for size in dict.fromkeys((*sizes, len(names))):  # each size once, in order
            if size > len(names):
                continue
            chosen = set(random.choice(names, size=size, replace=False))
            draws.append((size, [i for i in train if documents[i] in chosen], test))
        for i in test:
            for key in ("all", genre[documents[i]]):
                gold.setdefault(key, []).append(str(labels[i]))

    def fit_and_predict(draw: tuple[int, list[int], Any]) -> Any:
        _, fit_on, test = draw
        return make_label_pipeline(0).fit(rows[fit_on], labels[fit_on]).predict(rows[test])

    curve: dict[int, dict[str, list[str]]] = {}
    for (size, _, test), guessed in zip(draws, forked_map(fit_and_predict, draws, jobs), strict=True):
        predicted = curve.setdefault(size, {"all": [], "excerpt": [], "whole": []})
        for i, label in zip(test, guessed, strict=True):
            for key in ("all", genre[documents[i]]):
                predicted[key].append(str(label))
    points = []
    for size, predicted in sorted(curve.items()):
        if len(predicted["all"]) != len(gold["all"]):
            continue  # a size that not every fold could draw
        point = {"documents": float(size)}
        for key, guessed in predicted.items():
            if key not in gold:
                continue  # a genre the gold does not have
            point[key] = float(f1_score(gold[key], guessed, labels=["claim", "evidence"], average="macro"))
        points.append(point)
    return points


# ---------------------------------------------------------------- the report


def _f(x: float) -> str:
    return f"{x:.3f}"


def _no_nan(x: float) -> float | None:
    return None if math.isnan(x) else x


def _opt(x: float | None) -> str:
    return "–" if x is None else _f(x)


def _prf(c: Counts) -> str:
    return f"{_f(c.precision)} / {_f(c.recall)} / {_f(c.f1)}"


def micro(per_doc: dict[str, DocScores]) -> DocScores:
    total = DocScores()
    for scores in per_doc.values():
        total.add(scores)
    return total


def render(results: dict[str, dict[str, DocScores]], citation_scores: dict[str, Any],
           all_cases: list[GoldCase], curve: list[dict[str, float]] | None = None,
           agreement: list[str] | None = None) -> str:
    cases = [c for c in all_cases if not c.extra]
    extra = [c for c in all_cases if c.extra]
    extra_labels = Counter(u.label for c in extra for u in c.gold.units)
    data_hash = training_data_hash(all_cases)
    units = sum(len(c.gold.units) for c in cases)
    labels = Counter(u.label for c in cases for u in c.gold.units)
    tokens = sum(bool(u.tokens) for c in cases for u in c.gold_doc.units)
    with_relations = [c.doc_id for c in cases if any(r["label"] in RELATION_LABELS
                                                     for r in c.gold.relations)]
    lines = [
        "# Argument stages: leave-one-document-out evaluation",
        "",
        "Written by `make eval` (`python -m pipeline.evaluate`); scored as ../shared/ANNOTATION.md §6.",
        "Each real gold document is held out in turn and every model (labels, major, attribution,",
        "supports pairs) is fitted on the other documents only. The supports pair model trains on the",
        "other documents as the label model labels them: each of them labelled once, before the loop, by",
        "a model fitted without its own fold of ten (`pipeline.train.cross_labelled`), so those labels",
        "may have learnt from the held-out document's gold labels, never from its relations. Every score",
        "below is on the real documents only: `corpus/gold/` (excerpts and articles of ../shared/corpus)",
        "and `corpus/gold-whole/` (whole theses of ../shared/corpus-whole).",
        "",
        (f"- extra training text (`corpus/written_by_us/`, written by the team): {len(extra)} documents, "
         f"{sum(extra_labels.values())} units "
         f"({', '.join(f'{k} {v}' for k, v in sorted(extra_labels.items()))}), in every training "
         "fold and in `make train`, never held out or scored"),
        (f"- gold documents: {len(cases)} ({len(with_relations)} with relations); units: {units} "
        f"({', '.join(f'{k} {v}' for k, v in sorted(labels.items()))})"),
        f"- gold units with Stanza tokens: {tokens} of {units} (the rest: regex tokens, no lemma/POS)",
        f"- training data sha256 (real + extra gold): `{data_hash}`",
        "- libraries: " + ", ".join(f"{k} {v}" for k, v in library_versions().items()),
        "",
        "## Micro-averaged over documents",
        "",
        ("| setting | docs | claim P / R / F1 | evidence P / R / F1 | none F1 | macro-F1 (claim, evidence) "
        "| accuracy | major P / R / F1 | supports F1 | attacks F1 | restates F1 | relations F1 |"),
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for setting in SETTINGS:
        per_doc = results[setting]
        if not per_doc:
            lines.append(f"| {setting} | 0 | (not run: the nlp stage produced no units) "
                         "| | | | | | | | | |")
            continue
        m = micro(per_doc)
        r = m.relations
        lines.append(
            f"| {setting} | {len(per_doc)} | {_prf(m.labels['claim'])} | {_prf(m.labels['evidence'])} "
            f"| {_f(m.labels['none'].f1)} | **{_f(m.macro_f1)}** | {_f(m.accuracy)} | {_prf(m.major)} "
            f"| {_f(r['supports'].f1)} | {_f(r['attacks'].f1)} | {_f(r['restates'].f1)} "
            f"| {_f(m.relation_total().f1)} |"
        )
    genre_of = {c.doc_id: c.genre for c in cases}
    lines += ["", "## By genre (classifier; every document held out in turn, trained on all the others)", "",
              ("| genre | setting | docs | units | claim F1 | evidence F1 | none F1 | macro-F1 | accuracy "
               "| major F1 | supports F1 | restates F1 | calibration error |"),
              "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for genre, title in GENRES.items():
        for setting in ("classifier", "classifier, predicted units"):
            per_doc = {d: v for d, v in results[setting].items() if genre_of.get(d) == genre}
            if not per_doc:
                continue
            m = micro(per_doc)
            lines.append(
                f"| {title} | {setting} | {len(per_doc)} | {m.units} | {_f(m.labels['claim'].f1)} "
                f"| {_f(m.labels['evidence'].f1)} | {_f(m.labels['none'].f1)} | **{_f(m.macro_f1)}** "
                f"| {_f(m.accuracy)} | {_f(m.major.f1)} | {_f(m.relations['supports'].f1)} "
                f"| {_f(m.relations['restates'].f1)} | {_f(m.calibration_error())} |")
    lines += ["", "Confusion (classifier, gold spans; rows gold, columns predicted):", ""]
    for genre, title in GENRES.items():
        m = micro({d: v for d, v in results["classifier"].items() if genre_of.get(d) == genre})
        if not m.units:
            continue
        lines += [f"| {title} | → claim | → evidence | → none |", "|---|---|---|---|"]
        lines += [f"| {gold} | " + " | ".join(str(m.confusion[gold, guess]) for guess in LABELS) + " |"
                  for gold in LABELS]
        lines.append("")
    m = micro(results["classifier"])
    lines += ["Reliability of the label probabilities (classifier, gold spans, all documents): the",
              "probability of the predicted label against how often that label is right.", "",
              "| probability | units | mean probability | accuracy |", "|---|---|---|---|"]
    for bin_ in sorted(m.reliability):
        n, right, confidence = m.reliability[bin_]
        lines.append(f"| {bin_ / RELIABILITY_BINS:.1f}–{(bin_ + 1) / RELIABILITY_BINS:.1f} | {int(n)} "
                     f"| {_f(confidence / n)} | {_f(right / n)} |")
    if curve:
        lines += ["", "## Learning curve (label model, gold spans, grouped 5-fold)", "",
                  "Macro-F1 (claim, evidence) against the number of real training documents drawn at",
                  "random from the other folds:", "",
                  "| training documents | all | excerpts | whole theses |", "|---|---|---|---|"]
        lines += [f"| {int(p['documents'])} | {_f(p['all'])} | {_opt(p.get('excerpt'))} "
                  f"| {_opt(p.get('whole'))} |" for p in curve]
    if agreement:
        lines += ["", "## Inter-annotator agreement (Cohen's κ, `scripts/agreement.py`)", "", *agreement]
    main = micro(results["classifier"])
    lines += [
        "",
        "Relation F1 counts only documents whose gold has relations; `relations from gold labels`",
        "feeds the relation stage the gold labels and majors, so it measures that stage alone (with a",
        "pair model trained on predicted labels, whose probabilities run lower, and so links more).",
        (f"Classifier, gold spans: attribution accuracy on correctly found claims "
        f"{_f(main.attribution_correct / max(main.attribution_total, 1))} "
        f"({main.attribution_total}); evidence kind accuracy on correctly found evidence "
        f"{_f(main.kind_correct / max(main.kind_total, 1))} ({main.kind_total})."),
        "",
        "## Per document (classifier, gold spans; predicted-units macro-F1 beside it)",
        "",
        "A document's macro-F1 averages claim and evidence F1 over the labels that occur in its",
        "gold or its prediction (a document without evidence is not scored 0 for it).",
        "",
        ("| document | units | claim F1 | evidence F1 | macro-F1 | accuracy | major F1 | supports F1 "
        "| relations F1 | rules macro-F1 | predicted-units macro-F1 |"),
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for doc_id, s in results["classifier"].items():
        rules = results["rules only"][doc_id]
        predicted = results["classifier, predicted units"].get(doc_id)
        relation_cells = (f"{_f(s.relations['supports'].f1)} | {_f(s.relation_total().f1)}"
                          if s.has_relation_gold else "– | –")
        major_cell = _f(s.major.f1) if s.major.support or s.major.fp else "–"
        lines.append(
            f"| {doc_id} | {s.units} | {_f(s.labels['claim'].f1)} | {_f(s.labels['evidence'].f1)} "
            f"| {_opt(s.document_macro_f1())} | {_f(s.accuracy)} | {major_cell} | {relation_cells} "
            f"| {_opt(rules.document_macro_f1())} "
            f"| {_opt(predicted.document_macro_f1()) if predicted else '–'} |"
        )
    lines += HISTORY
    lines += ["", "## Citations", ""]
    if not citation_scores:
        lines.append("`pipeline.citations.score_citations` is not available yet: no citation scores.")
    else:
        lines += _citation_table(citation_scores)
    return "\n".join(lines) + "\n"


# measured with `make eval` on one state of the upstream stages (build/stages), real documents only;
# classifier on gold spans; kept only what improved leave-one-document-out
HISTORY = [
    "",
    "## What changed and what it did (classifier, gold spans; same upstream stages for every row)",
    "",
    "| step | macro-F1 | major F1 | supports F1 | restates F1 | relations F1 |",
    "|---|---|---|---|---|---|",
    "| argument stages before this round, no extra text | 0.684 | 0.253 | 0.277 | 0.000 | 0.262 |",
    ("| + bilingual `restates` and the major-claim position features (no extra text) "
     "| 0.684 | 0.250 | 0.279 | 0.211 | 0.272 |"),
    ("| + extra training text in every fold, without the major-claim features "
     "| 0.688 | 0.276 | 0.270 | 0.211 | 0.263 |"),
    "| + extra training text, with them (the model of the last round) | 0.688 | 0.292 | 0.270 | 0.211 | 0.263 |",
    ("| this round, on the same 50 documents: + 10 whole theses in training, section-role, "
     "section-position, outline and procedure features, hashed TF-IDF, C=0.5 "
     "| 0.730 | 0.330 | 0.256 | 0.263 | – |"),
    ("| a claim the conclusion rule proposes needs the major model's probability ≥ 0.5 "
     "(all 60 documents: major 0.382 → 0.436; whole theses 0.408 → 0.494) "
     "| 0.662 | 0.436 | 0.207 | 0.168 | 0.206 |"),
    ("| all 63 documents (0.664 before): + sentence vectors of the unit, its paragraph neighbours and its "
     "section's and paragraph's means (multilingual Universal Sentence Encoder v3; excerpts 0.731 → 0.742, "
     "whole theses 0.653 → 0.675) | 0.684 | 0.433 | 0.212 | 0.181 | 0.213 |"),
    ("| majors from the major model alone, which reads where a claim stands in the abstract, "
     "introduction and conclusion (major P / R 0.317 / 0.681 → 0.373 / 0.672; whole theses "
     "0.474 → 0.542, excerpts 0.323 → 0.315) | 0.684 | 0.480 | 0.213 | 0.185 | 0.214 |"),
    ("| restates at cosine 0.4 for conclusion and major claims and 0.5 for other claims echoing the "
     "abstract (was 0.3), only major conclusion claims tied back at 0.2 (was every conclusion claim; "
     "from gold labels 0.256 → 0.320) | 0.684 | 0.480 | 0.213 | 0.203 | 0.217 |"),
    ("| the supports pair model trained on the gold documents as the label model labels them (each by a "
     "model fitted without its fold of ten), linking at a probability of 0.12 (was 0.2); "
     "from gold labels 0.360 → 0.340 | 0.684 | 0.480 | 0.240 | 0.203 | 0.240 |"),
    ("| the whole-thesis gold's relations completed by the guide (483 added, evidence with a relation "
     "726 → 1,182 of 1,501; agreement with the independent second relations 0.70 → 0.76), the pair "
     "model retrained on them; scored against the larger gold (from gold labels 0.340 → 0.346) "
     "| 0.684 | 0.480 | 0.237 | 0.215 | 0.238 |"),
    ("| a convention pass over the whole-thesis gold (104 units: novelty statements are claims and never "
     "major by themselves, worked calculations and algorithm steps `none`, the listed doubts decided; "
     "corpus/gold-whole/README.md), retrained; scored against the changed gold (whole theses 0.675 → "
     "0.680, excerpts 0.743 → 0.736; major 0.480 → 0.456, most of it the three majors the pass dropped, "
     "which the model still finds where majors stand) | 0.688 | 0.456 | 0.240 | 0.203 | 0.239 |"),
    ("| the unit's own sentence vector less its document's mean, shrunk for short documents "
     "(n / (n + 30) of it; 10-fold grouped 0.689 → 0.697, the full mean 0.694 with excerpts 0.733): "
     "whole theses 0.680 → 0.687, excerpts 0.736 → 0.739 | 0.695 | 0.464 | 0.240 | 0.204 | 0.240 |"),
    "",
    "Tried and dropped (no gain in leave-one-document-out): neighbour/paragraph context cues as label",
    "features (macro-F1 -0.004); C=3 and POS weight 1.0 for the label model (±0.000); a gradient-boosted",
    "or random-forest pair scorer and other `supports` thresholds (0.37 either way with gold labels).",
    "This round: a second, stacked label model over the neighbours' and the paragraph's and section's",
    "label probabilities (10-fold grouped: whole theses 0.638 against 0.636, excerpts 0.702 against 0.722);",
    "C=1 and C=3 for the label model (whole theses 0.637 and 0.623 against 0.642 with C=0.5).",
    "Major claims, 10-fold grouped: keeping only the top 3, 5 or 8 candidates of a document by the",
    "major model's probability lost recall faster than it gained precision (major F1 0.27–0.35 against 0.37).",
    "2026-11-30, 10-fold grouped (all / excerpts / whole theses; base 0.661 / 0.721 / 0.640): LSA of the",
    "lemmas (150 dimensions) 0.660 / 0.730 / 0.636; the lemmas conjoined with the section's thesis role",
    "(results__unggul) 0.661–0.666 / 0.718–0.727 / 0.640–0.645 over six weights and roles; rule features",
    "conjoined with it 0.662 / 0.707 / 0.646; per-label decision offsets tuned in nested folds 0.657.",
    "Linear-chain CRFs (python-crfsuite, 10-fold grouped; base 0.663 / 0.725 / 0.642): over the lemmas,",
    "lemma and POS bigrams, first words, roles and rule features, paragraphs as sequences 0.623–0.634",
    "(sections 0.619, each unit alone 0.617); over the label model's out-of-fold probabilities (nested",
    "5-fold) and the roles, each unit alone 0.646, paragraphs 0.645, sections 0.637: the transitions add",
    "nothing the label model lacks, and the CRF is not class-balanced.",
    "Sentence vectors (10-fold grouped; base 0.663 / 0.716 / 0.654, kept: unit, neighbours, section and",
    "paragraph means at 0.5, 0.691 / 0.740 / 0.683): the unit's own vector alone 0.676 / 0.724 / 0.668;",
    "context at weight 1.0 0.681; without the section mean 0.679; neighbours across paragraph breaks",
    "0.689; the document's mean as well 0.691; the second neighbours at 0.25 0.689; C=1.0 0.685; the mean of the encoder's subword vectors instead of its sentence vector 0.660",
    "(with the same context 0.672); a gradient-boosted stack over out-of-fold label probabilities, the",
    "neighbours', the paragraph's and section's means, roles and rule features 0.656–0.659.",
    "`supports` pair features (gold labels, 10-fold grouped, base 0.358): the source's label with the",
    "direction, places in the paragraph, first words, a target ending in a colon, the sentence-vector",
    "cosine: 0.355–0.369, within the folds' noise; among units the gold links, the pair model picks the",
    "gold target 53 % of the time, and whether a unit links at all it ranks at AUC 0.68.",
    "Major claims with the sentence-vector similarity to the abstract's, introduction's and conclusion's",
    "claims and to the research questions as features (10-fold grouped): F1 0.429 against 0.443.",
    "Later on 2026-11-30, 10-fold grouped. Major claims (base 0.441–0.447 over three splits): at most",
    "one or two majors per paragraph or section by the model's probability 0.23–0.46; place and cue",
    "features for every role at once, not one per framing role, 0.447; the major model trained on all",
    "gold units 0.418, or on the predicted claims of out-of-fold labels 0.429; C from 0.1 to 2.0",
    "0.448–0.473 (0.5 kept). Labels (base 0.691): a nearest-neighbour vote over the sentence vectors",
    "blended with the label model 0.662–0.693; a one-hidden-layer perceptron on the vectors 0.585 alone,",
    "0.666 blended. `supports` (gold labels, base 0.358): separate thresholds for evidence and claim",
    "sources and a second target per unit 0.359–0.363; the products and differences of source and",
    "target sentence vectors as pair features 0.321–0.345; a claim opened by a conclusion marker is",
    "supported by its adjacent unit in 96 of 116 gold cases, but by the unit before that in only 18 of 73.",
    "Later still (10-fold grouped, the pair model trained on out-of-fold labels, base 0.241): the",
    "source's and target's other label probabilities as pair features 0.241; gold-labelled and",
    "predicted-labelled pairs together 0.223. From gold labels (base 0.358): a gradient-boosted pair",
    "model 0.373 (its trees cannot be saved in the audited model format), the source label crossed with",
    "every pair feature 0.361, a pairwise ranking model for the target (57.5 % right, as the pair model).",
    "After the relation completion (10-fold grouped, out-of-fold labels, base 0.238 / excerpts 0.296 /",
    "whole theses 0.229): the same section, the target being its section's or paragraph's last or first",
    "claim, a target opened by a summing-up phrase, a source paragraph without a claim 0.234-0.238; a",
    "higher threshold for claim sources (0.16-0.4; they make 1,157 of the links, 303 right) 0.186-0.226;",
    "excerpts weighted 2.5 in the label model: excerpts 0.736 (per document 0.693 → 0.703), whole theses",
    "0.683 → 0.676. Majors (out-of-fold, base 0.474): the conclusion's majors capped at once or twice the",
    "number of research-question or objective units 0.455-0.479; the abstract's at 1-6 0.453-0.480.",
    "Claim -> claim links with no reason, conclusion or contrast marker on either end: 1,156 predicted,",
    "200 right (17 %; with a marker 41 %), still above the 12 % at which a link pays at F1 0.24, so a",
    "higher threshold for them scores 0.206-0.227; support windows of 5 or 12 units and 4 or 32 major",
    "candidates 0.237-0.241.",
    "Dependency-parse features for the label model (the project's parser on every gold unit, 10-fold",
    "grouped on the convention-pass gold, base 0.689 / excerpts 0.737 / whole theses 0.681): the root's",
    "part of speech and dependents, a subject and its part of speech, a passive subject, auxiliaries, a",
    "verb of saying with a clausal complement, a verb-first sentence without a subject (imperative",
    "steps), the numbers of clauses, numeric modifiers and conjuncts, tree depth, the root's place:",
    "0.689 / 0.739 / 0.680. The lemma, POS and sentence-vector features already carry what the parse",
    "adds, and the parser would double the Stanza stage's time.",
]


def _citation_table(citation_scores: dict[str, Any]) -> list[str]:
    keys = sorted({k for v in citation_scores.values() if isinstance(v, dict) for k in v})
    lines = [("Per document, as `pipeline.citations.score_citations(doc, gold)` returns them; the last "
              "row is micro-averaged: counts summed, rates recomputed from the summed counts "
              "(`X_accuracy` = Σ`X_correct` / Σ`X_total`; `X_precision/recall/f1` from Σ`X_tp/fp/fn`)."),
             "", "| document | " + " | ".join(keys) + " |", "|---" * (len(keys) + 1) + "|"]
    sums: dict[str, float] = dict.fromkeys(keys, 0.0)
    for doc_id, value in citation_scores.items():
        cells = []
        for k in keys:
            item = value.get(k, "") if isinstance(value, dict) else value
            if isinstance(item, int | float) and not isinstance(item, bool):
                sums[k] += float(item)
                cells.append(f"{item:.3f}" if isinstance(item, float) else str(item))
            else:
                cells.append(str(item))
        lines.append(f"| {doc_id} | " + " | ".join(cells) + " |")
    lines.append("| **micro** | " + " | ".join(_micro_cell(k, sums) for k in keys) + " |")
    return lines


def _micro_cell(key: str, sums: dict[str, float]) -> str:
    stem, _, measure = key.rpartition("_")
    if measure == "accuracy" and f"{stem}_total" in sums:
        total = sums[f"{stem}_total"]
        return _f(sums.get(f"{stem}_correct", 0.0) / total) if total else "–"
    if measure in ("precision", "recall", "f1") and f"{stem}_tp" in sums:
        counts = Counts(int(sums[f"{stem}_tp"]), int(sums.get(f"{stem}_fp", 0)),
                        int(sums.get(f"{stem}_fn", 0)))
        return _f(getattr(counts, measure))
    if measure in ("tp", "fp", "fn", "correct", "total"):
        return str(int(sums[key]))
    return ""


def agreement_lines() -> list[str]:
    """Cohen's κ of the second annotations (corpus/gold/second, corpus/gold-whole/second),
    then the relation agreement table (:func:`relation_agreement_lines`)."""
    from pipeline.agreement import FIRST_DIR, WHOLE_DIR, agreement

    lines = ["| gold | document | paired units | κ (3 labels) | κ claim | κ evidence | κ none |",
             "|---|---|---|---|---|---|---|"]
    for name, first_dir, whole in (("excerpts", FIRST_DIR, False), ("whole theses", WHOLE_DIR, True)):
        doc_ids = sorted(p.stem for p in (first_dir / "second").glob("*.jsonl")
                         if (first_dir / p.name).exists())
        if not doc_ids:
            continue
        per_doc, pooled = agreement(doc_ids, shared_dir(), whole)
        for row in (*per_doc, pooled):
            kappas = row.as_dict()["label_kappa"]
            lines.append(f"| {name} | {row.doc_id} | {len(row.pairs)} | {_f(row.kappa)} | "
                         + " | ".join(_f(kappas[label]) for label in LABELS) + " |")
    return lines + relation_agreement_lines()


def relation_agreement_lines() -> list[str]:
    """F1 between two annotators' relations over the same units (corpus/gold/second-relations,
    then corpus/gold-whole/second-relations, each with its pooled row)."""
    from pipeline.agreement import relation_agreement, relation_annotated

    about = ("Relations: a second annotator drew them alone on the first annotation's units and "
             "labels; F1 of one against the other over (from, to, label) triples, the measure of the "
             "relation columns above (for a thesis annotated in part, the relations whose source lies "
             "in that part). \"same target\": of the units both link onward, those linked to the "
             "same claim(s).")
    header = ("| gold | document | relations (first / second) | supports F1 | attacks F1 | restates F1 | "
              "all F1 | links F1 (any label) | same target |")
    rows: list[str] = []
    for name, whole in (("excerpts", False), ("whole theses", True)):
        doc_ids = relation_annotated(whole)
        if not doc_ids:
            continue
        per_doc, pooled = relation_agreement(doc_ids, shared_dir(), whole)
        for row in (*per_doc, pooled):
            agreeing, both = row.same_target()
            rows.append(f"| {name} | {row.doc_id} | {len(row.first)} / {len(row.second)} | "
                         + " | ".join(_opt(_no_nan(row.f1(label))) for label in RELATION_LABELS)
                         + f" | {_opt(_no_nan(row.f1()))} | {_opt(_no_nan(row.f1(labelled=False)))}"
                         + f" | {agreeing} of {both} |")
    return ["", about, "", header, "|---|---|---|---|---|---|---|---|---|", *rows] if rows else []


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gold", type=Path, default=None,
                        help="one gold folder of ../shared/corpus documents (default: corpus/gold "
                             "and the whole theses of corpus/gold-whole)")
    parser.add_argument("--out", type=Path, default=MODEL_DIR / "EVAL.md")
    parser.add_argument("--no-curve", action="store_true", help="skip the learning curve")
    parser.add_argument("--no-cache", action="store_true", help="rerun the upstream stages")
    parser.add_argument("-j", "--jobs", type=int, default=1, metavar="N",
                        help="fit the folds (cross-labelling, held-out documents, learning curve) in N "
                             "processes (forked, sharing the features; each about 1.2 GB); the scores "
                             "do not change")
    parser.add_argument("--no-extra", action="store_true",
                        help="leave the team's own training text (corpus/written_by_us) out of the folds")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    cases = (load_real_cases(use_cache=not args.no_cache) if args.gold is None
             else load_cases(args.gold, use_cache=not args.no_cache))
    if not args.no_extra:
        cases += load_extra_cases(use_cache=not args.no_cache)
    if len(cases) < 2:
        print("leave-one-document-out needs at least two gold documents", file=sys.stderr)
        return 1
    data = training_set(cases)  # every unit's features, computed once for both
    jobs = max(args.jobs, 1)
    results, citation_scores = evaluate(cases, data, jobs=jobs)
    curve = [] if args.no_curve else learning_curve(cases, data, jobs=jobs)
    report = render(results, citation_scores, cases, curve, agreement_lines())
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(report, encoding="utf-8")
    print(report.split("## Per document")[0])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
