"""Inter-annotator agreement on unit labels: Cohen's kappa, per document and pooled
(the command is ``scripts/agreement.py``; ``make eval`` reports it too).

A second annotation of a whole thesis covers some chapters only: the first
annotation's units are then compared within the stretches of text the second
covers (its units, joined where they lie less than ``REGION_GAP`` characters
apart).  Besides the three-way kappa, each label gets a one-against-the-rest kappa.

The first annotation is ``corpus/gold/<doc>.jsonl``, the second
``corpus/gold/second/<doc>.jsonl``; both are loaded (and drift-checked) with
:func:`pipeline.gold.load_gold` against the document's text in the shared folder
(``corpus/`` or, for the whole theses, ``corpus-whole/``).

Relations are compared on the first annotation's own units: a second annotator
was given its units and labels and drew the relations alone
(``corpus/gold/second-relations/<doc>.jsonl`` and, for whole theses,
``corpus/gold-whole/second-relations/<doc>.jsonl``: relation records, and for an
annotation of some chapters only a first ``{"type": "scope", "from": "u1", "to":
"u150"}`` record: the relations of both annotators whose source lies outside that
range of units are then left out). :func:`relation_agreement` scores the two sets
of (from, to, label) triples with F1, the measure ``make eval`` gives the relation
stage.

Units are paired one-to-one when their character overlap covers at least half
of each unit (largest overlaps first).  A unit left without a partner is paired
with ``none`` from the other annotator, so a unit one annotator skipped as a
heading counts as a disagreement when the other labelled it claim or evidence.
Kappa is computed over these pairs with the labels claim / evidence / none.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.gold import LABELS, RELATION_LABELS, GoldDocument, GoldUnit, load_gold

REPO = Path(__file__).resolve().parents[1]
FIRST_DIR = REPO / "corpus" / "gold"
SECOND_DIR = FIRST_DIR / "second"
WHOLE_DIR = REPO / "corpus" / "gold-whole"
MIN_OVERLAP = 0.5
SECOND_RELATIONS_DIR = FIRST_DIR / "second-relations"
WHOLE_SECOND_RELATIONS_DIR = WHOLE_DIR / "second-relations"
REGION_GAP = 3000  # characters: a longer stretch without a second-annotation unit was not annotated


def _chars(unit: GoldUnit) -> set[int]:
    return {i for start, end in unit.spans for i in range(start, end)}


def pair_units(first: list[GoldUnit], second: list[GoldUnit]) -> list[tuple[str, str]]:
    """Pair units by character overlap (>= half of both); unmatched units meet ``none``."""
    chars_a = [_chars(u) for u in first]
    chars_b = [_chars(u) for u in second]
    candidates = []
    for i, a in enumerate(chars_a):
        for j, b in enumerate(chars_b):
            shared = len(a & b)
            if shared and shared >= MIN_OVERLAP * len(a) and shared >= MIN_OVERLAP * len(b):
                candidates.append((shared, i, j))
    used_a: set[int] = set()
    used_b: set[int] = set()
    pairs = []
    for _, i, j in sorted(candidates, reverse=True):
        if i in used_a or j in used_b:
            continue
        used_a.add(i)
        used_b.add(j)
        pairs.append((first[i].start, first[i].label, second[j].label))
    pairs += [(u.start, u.label, "none") for i, u in enumerate(first) if i not in used_a]
    pairs += [(u.start, "none", u.label) for j, u in enumerate(second) if j not in used_b]
    return [(a, b) for _, a, b in sorted(pairs)]


def covered(first: list[GoldUnit], second: list[GoldUnit], gap: int = REGION_GAP) -> list[GoldUnit]:
    """The units of ``first`` inside the stretches of text that ``second`` annotated."""
    regions: list[list[int]] = []
    for unit in sorted(second, key=lambda u: u.start):
        if regions and unit.start - regions[-1][1] < gap:
            regions[-1][1] = max(regions[-1][1], unit.end)
        else:
            regions.append([unit.start, unit.end])
    return [u for u in first if any(start <= u.start < end for start, end in regions)]


def label_kappas(pairs: list[tuple[str, str]]) -> dict[str, float]:
    """Per label, Cohen's kappa of "this label or not"."""
    kappas = {}
    for label in LABELS:
        binary = [("yes" if a == label else "no", "yes" if b == label else "no") for a, b in pairs]
        n = len(binary)
        observed = sum(a == b for a, b in binary) / n
        p_a = sum(a == "yes" for a, _ in binary) / n
        p_b = sum(b == "yes" for _, b in binary) / n
        expected = p_a * p_b + (1 - p_a) * (1 - p_b)
        kappas[label] = 1.0 if expected == 1.0 else (observed - expected) / (1.0 - expected)
    return kappas


def cohen_kappa(pairs: list[tuple[str, str]]) -> float:
    """Cohen's kappa for two raters over paired nominal labels (1.0 when both are constant and equal)."""
    n = len(pairs)
    if n == 0:
        return float("nan")
    observed = sum(a == b for a, b in pairs) / n
    rater_a = Counter(a for a, _ in pairs)
    rater_b = Counter(b for _, b in pairs)
    expected = sum(rater_a[label] * rater_b[label] for label in LABELS) / (n * n)
    if expected == 1.0:
        return 1.0 if observed == 1.0 else 0.0
    return (observed - expected) / (1.0 - expected)


@dataclass
class Agreement:
    doc_id: str
    pairs: list[tuple[str, str]] = field(default_factory=list)

    @property
    def kappa(self) -> float:
        return cohen_kappa(self.pairs)

    @property
    def observed(self) -> float:
        return sum(a == b for a, b in self.pairs) / len(self.pairs) if self.pairs else float("nan")

    def as_dict(self) -> dict:
        confusion = Counter(f"{a}/{b}" for a, b in self.pairs)
        return {
            "doc": self.doc_id,
            "items": len(self.pairs),
            "observed": round(self.observed, 3),
            "kappa": round(self.kappa, 3),
            "label_kappa": {label: round(k, 3) for label, k in label_kappas(self.pairs).items()},
            "confusion": dict(sorted(confusion.items())),
        }


def load_pair(doc_id: str, shared: Path, whole: bool = False) -> tuple[GoldDocument, GoldDocument]:
    """The first and second annotation of ``doc_id``, checked against its text in ``shared``."""
    first_dir, corpus = (WHOLE_DIR, "corpus-whole") if whole else (FIRST_DIR, "corpus")
    text = (shared / corpus / f"{doc_id}.txt").read_text(encoding="utf-8")
    return (
        load_gold(first_dir / f"{doc_id}.jsonl", text),
        load_gold(first_dir / "second" / f"{doc_id}.jsonl", text),
    )


def agreement(doc_ids: list[str], shared: Path, whole: bool = False) -> tuple[list[Agreement], Agreement]:
    """Per-document agreements and the pooled one over all their unit pairs."""
    per_doc = []
    for doc_id in doc_ids:
        first, second = load_pair(doc_id, shared, whole)
        first_units = covered(first.units, second.units) if whole else first.units
        per_doc.append(Agreement(doc_id, pair_units(first_units, second.units)))
    pooled = Agreement("POOLED", [p for a in per_doc for p in a.pairs])
    return per_doc, pooled


# ---------------------------------------------------------------- relations


@dataclass
class RelationAgreement:
    """Two annotators' relations over the same units: (from, to, label) triples."""

    doc_id: str
    first: set[tuple[str, str, str]] = field(default_factory=set)
    second: set[tuple[str, str, str]] = field(default_factory=set)

    def f1(self, label: str | None = None, labelled: bool = True) -> float:
        """F1 of one annotator against the other (symmetric); ``labelled=False`` compares
        (from, to) links whatever their label.  NaN when neither has any."""
        def pick(triples: set[tuple[str, str, str]]) -> set[tuple[str, ...]]:
            chosen = {t for t in triples if label is None or t[2] == label}
            return chosen if labelled else {t[:2] for t in chosen}

        a, b = pick(self.first), pick(self.second)
        if not a and not b:
            return float("nan")
        return 2 * len(a & b) / (len(a) + len(b))

    def same_target(self) -> tuple[int, int]:
        """Of the units both annotators link onward, how many go to the same target(s):
        (agreeing, both linked)."""
        def targets(triples: set[tuple[str, str, str]]) -> dict[str, set[str]]:
            found: dict[str, set[str]] = {}
            for source, target, _ in triples:
                found.setdefault(source, set()).add(target)
            return found

        a, b = targets(self.first), targets(self.second)
        both = set(a) & set(b)
        return sum(a[u] == b[u] for u in both), len(both)


def _triples(relations: list[dict]) -> set[tuple[str, str, str]]:
    return {(r["from"], r["to"], r["label"]) for r in relations if r["label"] in RELATION_LABELS}


def relation_dirs(whole: bool) -> tuple[Path, Path]:
    """The first annotation's folder and the second relation annotations' folder: of the
    excerpts and articles, or (``whole``) of the whole theses."""
    return (WHOLE_DIR, WHOLE_SECOND_RELATIONS_DIR) if whole else (FIRST_DIR, SECOND_RELATIONS_DIR)


def relation_annotated(whole: bool) -> list[str]:
    """The documents with both a first annotation and a second relation annotation."""
    first_dir, second_dir = relation_dirs(whole)
    return sorted(p.stem for p in second_dir.glob("*.jsonl") if (first_dir / p.name).exists())


def relation_agreement(doc_ids: list[str], shared: Path, whole: bool = False
                       ) -> tuple[list[RelationAgreement], RelationAgreement]:
    """Per document and pooled (triples prefixed by document) relation agreement; ``whole``:
    the whole theses of corpus/gold-whole."""
    first_dir, second_dir = relation_dirs(whole)
    corpus = "corpus-whole" if whole else "corpus"
    per_doc = []
    for doc_id in doc_ids:
        text = (shared / corpus / f"{doc_id}.txt").read_text(encoding="utf-8")
        first = load_gold(first_dir / f"{doc_id}.jsonl", text)
        # the second annotation names the first's units: check them against that file
        records = [json.loads(line) for line in
                   (second_dir / f"{doc_id}.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
        order = {unit.id: number for number, unit in enumerate(first.units)}
        scope = range(len(first.units))
        if records and records[0].get("type") == "scope":
            bounds = records.pop(0)
            scope = range(order[bounds["from"]], order[bounds["to"]] + 1)
        for record in records:
            if (record.get("type") != "relation" or record.get("label") not in RELATION_LABELS
                    or record["from"] not in order or record["to"] not in order):
                raise ValueError(f"{second_dir / doc_id}.jsonl: not a relation between "
                                 f"units of {first_dir / doc_id}.jsonl: {record}")
        first_triples, second_triples = ({t for t in _triples(relations) if order[t[0]] in scope}
                                         for relations in (first.relations, records))
        per_doc.append(RelationAgreement(doc_id, first_triples, second_triples))
    pooled = RelationAgreement(
        "POOLED",
        {(a.doc_id + ":" + f, a.doc_id + ":" + t, label) for a in per_doc for f, t, label in a.first},
        {(a.doc_id + ":" + f, a.doc_id + ":" + t, label) for a in per_doc for f, t, label in a.second},
    )
    return per_doc, pooled
