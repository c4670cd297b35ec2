"""Stage 'relations': connect the labelled units into an argument.

Reads: ``doc.units`` with ``label`` / ``major`` (the 'units' stage), their text and
lemmas, ``doc.citations``, sections and paragraphs (through
:mod:`pipeline.features`).  Adds ``doc.relations`` (ids ``r1``…), each with a
``score`` and the ``producer`` that made it:

- ``supports`` (evidence or claim → claim): a learned pair scorer
  (:func:`pair_features` → logistic regression, trained with the unit model by
  ``make train``) picks at most one target per unit among the claims near it and
  the major claims; without a model, rules: a claim opened by a conclusion marker
  ("oleh karena itu", "dengan demikian", "hal ini membuat", "jadi"…) is supported
  by the unit before it, a claim opened by a reason marker ("karena", "hal ini
  terlihat"…) supports the claim before it, evidence supports the nearest claim of
  its paragraph;
- ``attacks``: a unit opened by a contrast marker ("namun", "akan tetapi",
  "meskipun", "hanya saja") → the claim it qualifies (the nearest claim before it);
- ``restates``: a claim → the earlier claim it repeats (lemma TF-IDF cosine);
  every claim in the conclusion that reaches nothing yet is tied back to the most
  similar earlier claim when there is one;
- ``cites``: unit → each citation it carries.

``none`` units take part in no relation.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics.pairwise import cosine_similarity

from pipeline.features import (
    LEXICON_DIR,
    is_english,
    load_terms,
    paragraph_key,
    phrase_regex,
    section_role,
    unit_tokens,
)
from pipeline.model import Document, Relation, Unit

SUPPORT_WINDOW = 8
SUPPORT_THRESHOLD = 0.2
RESTATE_THRESHOLD = 0.3
CONCLUSION_LINK_THRESHOLD = 0.2
BILINGUAL_RESTATE_THRESHOLD = 0.12
BILINGUAL_WINDOW = 15  # the two versions of an abstract stand close together
LEADING_JUNK_RE = re.compile(r"^[\W_]+", re.UNICODE)
LinkAdder = Callable[[int, int, str, float, str], None]


def _opening(name: str, text: str) -> bool:
    stripped = LEADING_JUNK_RE.sub("", text.strip())
    match = phrase_regex(name).match(stripped)
    return match is not None and match.start() == 0


def _opens_with(terms: tuple[str, ...], text: str) -> bool:
    stripped = " ".join(LEADING_JUNK_RE.sub("", text.strip()).lower().split())
    return any(stripped.startswith(term) and not stripped[len(term):len(term) + 1].isalnum()
               for term in terms)


@dataclass
class UnitInfo:
    """What the relation rules know of one unit."""

    index: int
    unit: Unit
    role: str
    paragraph: str
    lemmas: str
    conclusion_start: bool  # "oleh karena itu…": inferred from what comes before
    reason_start: bool  # "karena…", "hal ini terlihat…": grounds what comes before
    contrast_start: bool  # "namun…": qualifies what comes before
    anaphor_start: bool  # "hal ini", "ini", "tersebut": points back
    english: bool = False
    bilingual: str = ""  # the words both an English and an Indonesian version would share


def _bilingual_lexicon() -> dict[str, str]:
    pairs = {}
    for line in (LEXICON_DIR / "bilingual_en_id.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#") and "\t" in line:
            english, indonesian = line.split("\t", 1)
            pairs[english.strip().lower()] = indonesian.strip().lower()
    return pairs


_LEXICON: dict[str, str] = {}


def bilingual_text(unit: Unit, english: bool, lemmas: str) -> str:
    """Language-neutral words of a unit: Indonesian lemmas, English words translated by
    ``lexicon/bilingual_en_id.txt``, and in both the names, acronyms and numbers it mentions."""
    if not _LEXICON:
        _LEXICON.update(_bilingual_lexicon())
    words = [t.text for t in unit_tokens(unit) if any(c.isalnum() for c in t.text)]
    names = [w.lower() for i, w in enumerate(words)
             if w[:1].isdigit() or (w[:1].isupper() and (i > 0 or w.isupper()))]
    if not english:
        return " ".join(lemmas.split() + names)
    translated = [_LEXICON[w.lower()] for w in words if w.lower() in _LEXICON]
    return " ".join(translated + names)


def unit_infos(doc: Document) -> list[UnitInfo]:
    infos = []
    backward = load_terms("relation_backward")
    anaphors = load_terms("relation_anaphor")
    for index, unit in enumerate(doc.units):
        text = unit.text
        tokens = unit_tokens(unit)
        lemmas = " ".join((t.lemma or t.text).lower() for t in tokens if any(c.isalnum() for c in t.text))
        english = is_english(unit, [t.text for t in tokens])
        infos.append(
            UnitInfo(
                index=index,
                unit=unit,
                role=section_role(doc, unit),
                paragraph=paragraph_key(doc, unit),
                lemmas=lemmas,
                conclusion_start=_opening("discourse_conclusion", text),
                reason_start=_opening("discourse_cause", text) or _opens_with(backward, text),
                contrast_start=_opening("discourse_contrast", text),
                anaphor_start=_opens_with(anaphors, text),
                english=english,
                bilingual=bilingual_text(unit, english, lemmas),
            )
        )
    return infos


def _cosine(texts: list[str]) -> np.ndarray:
    if len(texts) < 2 or not any(t.strip() for t in texts):
        return np.zeros((len(texts), len(texts)))
    try:
        matrix = TfidfVectorizer(sublinear_tf=True).fit_transform(texts)
    except ValueError:
        return np.zeros((len(texts), len(texts)))
    similarity = cosine_similarity(matrix)
    np.fill_diagonal(similarity, 0.0)
    return similarity


def similarity_matrix(infos: list[UnitInfo]) -> np.ndarray:
    """Lemma TF-IDF cosine; between an English and an Indonesian unit, the cosine of their
    :func:`bilingual_text` instead."""
    similarity = _cosine([i.lemmas for i in infos])
    english = np.array([i.english for i in infos], dtype=bool)
    if english.any() and not english.all():
        mixed = english[:, None] != english[None, :]
        similarity = np.where(mixed, _cosine([i.bilingual for i in infos]), similarity)
    return similarity


# ---------------------------------------------------------------- supports: candidate pairs


def support_candidates(infos: list[UnitInfo], source: int) -> list[int]:
    """Claims near the source (± SUPPORT_WINDOW units) and every major claim."""
    result = []
    for j, info in enumerate(infos):
        if j == source or info.unit.label != "claim":
            continue
        if abs(j - source) <= SUPPORT_WINDOW or info.unit.major:
            result.append(j)
    return result


def pair_features(infos: list[UnitInfo], similarity: np.ndarray, source: int, target: int) -> dict[str, float]:
    s, t = infos[source], infos[target]
    distance = target - source
    between = range(min(source, target) + 1, max(source, target))
    claims_between = sum(infos[k].unit.label == "claim" for k in between)
    f = {
        f"source={s.unit.label}": 1.0,
        "after": float(distance > 0),
        "distance": min(abs(distance), 20) / 20,
        "adjacent": float(abs(distance) == 1),
        f"distance={max(min(distance, 4), -4)}": 1.0,
        "claims_between": min(claims_between, 5) / 5,
        "nearest_claim": float(claims_between == 0),
        "same_paragraph": float(s.paragraph == t.paragraph),
        "same_role": float(s.role == t.role),
        "similarity": float(similarity[source, target]),
        "target_major": float(t.unit.major),
        f"target_role={t.role}": 1.0,
        f"source_role={s.role}": 1.0,
        "target_conclusion_start": float(t.conclusion_start),
        "target_reason_start": float(t.reason_start),
        "target_contrast_start": float(t.contrast_start),
        "source_conclusion_start": float(s.conclusion_start),
        "source_reason_start": float(s.reason_start),
        "source_anaphor_start": float(s.anaphor_start),
        "target_anaphor_start": float(t.anaphor_start),
        "target_claim_probability": t.unit.probabilities.get("claim", 1.0),
        "source_evidence_probability": s.unit.probabilities.get("evidence", 0.0),
    }
    # interactions the rules rely on
    f["forward_conclusion"] = float(distance > 0 and t.conclusion_start and claims_between == 0)
    f["backward_reason"] = float(distance < 0 and (s.reason_start or s.anaphor_start) and claims_between == 0)
    f["major_far"] = float(t.unit.major and abs(distance) > SUPPORT_WINDOW)
    return f


def candidate_rows(infos: list[UnitInfo], similarity: np.ndarray, source: int,
                   candidates: list[int]) -> list[dict[str, float]]:
    """:func:`pair_features` of every candidate, plus how each ranks among the candidates."""
    rows = [pair_features(infos, similarity, source, j) for j in candidates]
    before = [j for j in candidates if j < source]
    after = [j for j in candidates if j > source]
    best_similarity = max((similarity[source, j] for j in candidates), default=0.0)
    for j, row in zip(candidates, rows, strict=True):
        row["nearest_before"] = float(bool(before) and j == before[-1])
        row["nearest_after"] = float(bool(after) and j == after[0])
        row["most_similar"] = float(similarity[source, j] == best_similarity and best_similarity > 0)
        paragraph_claims = [k for k, info in enumerate(infos)
                            if info.paragraph == infos[j].paragraph and info.unit.label == "claim"]
        row["first_claim_of_paragraph"] = float(bool(paragraph_claims) and j == paragraph_claims[0])
        row["only_candidate_before"] = float(len(before) == 1 and j in before)
    return rows


def rule_support_target(infos: list[UnitInfo], source: int) -> tuple[int, float] | None:
    """The rules' choice of the claim a unit supports, with a confidence."""
    s = infos[source]
    following = source + 1
    if (following < len(infos) and infos[following].unit.label == "claim"
            and infos[following].conclusion_start and infos[following].paragraph == s.paragraph):
        return following, 0.8
    before = [j for j in range(source - 1, max(source - SUPPORT_WINDOW, 0) - 1, -1)
              if infos[j].unit.label == "claim" and infos[j].paragraph == s.paragraph]
    after = [j for j in range(source + 1, min(source + 4, len(infos)))
             if infos[j].unit.label == "claim" and infos[j].paragraph == s.paragraph]
    if s.unit.label == "claim":
        if (s.reason_start or s.anaphor_start) and before:
            return before[0], 0.6
        return None
    if before:
        return before[0], 0.6
    if after:
        return after[0], 0.5
    return None


# ---------------------------------------------------------------- the stage


def link_relations(doc: Document, model: object | None = None, rules_only: bool = False) -> Document:
    """Add supports / attacks / restates / cites relations to ``doc`` (see module docstring)."""
    infos = unit_infos(doc)
    similarity = similarity_matrix(infos)
    if model is None and not rules_only:
        from pipeline.units import load_model

        model = load_model()
    supports_model = None if rules_only or model is None else getattr(model, "supports", None)
    producer = ("rules:markers" if supports_model is None
                else f"pair-model:{getattr(model, 'metadata', {}).get('model_id', 'unsaved')}")
    triples: list[tuple[str, str, str, float, str]] = []
    linked: set[tuple[str, str]] = set()

    def add(source: int, target: int, label: str, score: float, made_by: str) -> None:
        key = (infos[source].unit.id, infos[target].unit.id)
        if key in linked or source == target:
            return
        linked.add(key)
        triples.append((key[0], key[1], label, round(float(score), 4), made_by))

    arguing = [i for i, info in enumerate(infos) if info.unit.label in ("claim", "evidence")]
    # attacks first: a contrast-opened unit qualifies the claim before it
    for i in arguing:
        if not infos[i].contrast_start:
            continue
        before = [j for j in range(i - 1, max(i - 4, 0) - 1, -1) if infos[j].unit.label == "claim"]
        if before:
            add(i, before[0], "attacks", 0.7, "rules:contrast-marker")
    attacked = {(s, t) for s, t, label, _, _ in triples if label == "attacks"}
    for i in arguing:
        candidates = support_candidates(infos, i)
        if not candidates:
            continue
        if supports_model is not None:
            rows = candidate_rows(infos, similarity, i, candidates)
            classes = list(supports_model.classes_)
            scores = supports_model.predict_proba(rows)[:, classes.index(True)]
            best = int(np.argmax(scores))
            threshold = float(getattr(model, "metadata", {}).get("support_threshold", SUPPORT_THRESHOLD))
            if scores[best] >= threshold:
                target = candidates[best]
                if (infos[i].unit.id, infos[target].unit.id) not in attacked:
                    add(i, target, "supports", scores[best], producer)
        else:
            choice = rule_support_target(infos, i)
            if choice is not None and (infos[i].unit.id, infos[choice[0]].unit.id) not in attacked:
                add(i, choice[0], "supports", choice[1], "rules:markers")
    index_of = {info.unit.id: info.index for info in infos}
    reaching = {index_of[s] for s, t, _, _, _ in triples if infos[index_of[t]].role != "conclusion"}
    _restatements(infos, similarity, add, reaching)
    relations = [
        Relation(id="", source=s, target=t, label=label, score=score, producer=made_by)
        for s, t, label, score, made_by in triples
    ]
    for citation in doc.citations:
        if citation.unit:
            relations.append(Relation(id="", source=citation.unit, target=citation.id, label="cites",
                                      score=1.0, producer="citations"))
    for number, relation in enumerate(relations, 1):
        relation.id = f"r{number}"
    doc.relations = relations
    return doc


def _restatements(infos: list[UnitInfo], similarity: np.ndarray, add: LinkAdder,
                  reaching: set[int]) -> None:
    """``restates`` by similarity; ``reaching`` holds the units already tied to the body."""
    claims = [i for i, info in enumerate(infos) if info.unit.label == "claim"]
    # the two languages of an abstract: a claim says again what an earlier claim in the other
    # language said (each earlier claim restated once, the most similar first)
    # (or are both major claims: the conclusion's verdicts restating the English abstract)
    pairs = sorted(((similarity[later, j], later, j) for later in claims for j in claims
                    if j < later and infos[j].english != infos[later].english
                    and (later - j <= BILINGUAL_WINDOW or (infos[j].unit.major and infos[later].unit.major))),
                   reverse=True)
    used_later: set[int] = set()
    used_earlier: set[int] = set()
    for score, later, j in pairs:
        if score < BILINGUAL_RESTATE_THRESHOLD:
            break
        if later in used_later or j in used_earlier:
            continue
        used_later.add(later)
        used_earlier.add(j)
        add(later, j, "restates", score, "rules:bilingual-overlap")
        reaching.add(later)
    # a restatement is a framing claim (conclusion, major, or the introduction echoing the
    # abstract) saying again what an earlier section said; body claims that merely resemble
    # each other are left alone
    for later in claims:
        if later in used_later:
            continue
        framing = infos[later].role == "conclusion" or infos[later].unit.major
        earlier = [j for j in claims if j < later and infos[j].role != infos[later].role
                   and infos[j].english == infos[later].english
                   and (framing or infos[j].role == "abstract")]
        if not earlier:
            continue
        best = max(earlier, key=lambda j: similarity[later, j])
        if similarity[later, best] >= RESTATE_THRESHOLD:
            add(later, best, "restates", similarity[later, best], "rules:lemma-tfidf")
            reaching.add(later)
    # every conclusion claim should reach back to the body where the text allows
    for later in claims:
        if infos[later].role != "conclusion" or later in reaching:
            continue
        earlier = [j for j in claims if j < later and infos[j].role != "conclusion"
                   and infos[j].english == infos[later].english]
        if not earlier:
            continue
        best = max(earlier, key=lambda j: similarity[later, j])
        if similarity[later, best] >= CONCLUSION_LINK_THRESHOLD:
            add(later, best, "restates", similarity[later, best], "rules:conclusion-backlink")
