"""Stage 'units': label every unit claim / evidence / none, with its attributes.

Reads: ``doc.units`` (text, tokens with lemma/upos when present, language),
``doc.citations``, ``doc.sections``, ``doc.paragraphs`` (through
:mod:`pipeline.features`).  Adds to every unit: ``label``, ``probabilities``
(claim/evidence/none), ``major`` and ``attribution`` (claims), ``kind``
(evidence) and ``producer``.

The classifier is a scikit-learn :class:`~sklearn.pipeline.Pipeline` — TF-IDF over
lemmas, character n-grams, POS n-grams, the rule features of :mod:`pipeline.features` and
the sentence vectors of the unit and its context (:mod:`pipeline.sentence_vectors`), into a
class-balanced logistic regression — trained by ``make train``
(:mod:`pipeline.train`) and stored under ``models/argument/`` (:mod:`pipeline.model_file`:
a format that can name only the estimator classes the model is made of; loaded once per
process).  Small companion models decide ``major`` (where a claim stands in the abstract,
introduction and conclusion and how closely the framing sections repeat it; the rule of
conclusion claims and announced results decides only without a model) and ``attribution``
(a sentence opening with a named source's reporting verb is always ``reported``); the
evidence ``kind`` comes from the rules.  A missing model is an error naming the file
(:class:`pipeline.models.ModelsMissing`); the rules label the units only when asked
(``rules_only``: the baseline of ``make eval``).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction import DictVectorizer
from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer, TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics.pairwise import cosine_similarity
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import MaxAbsScaler

from pipeline.config import Config
from pipeline.features import (
    LABELS,
    UnitView,
    describe_units,
    rule_attribution,
    rule_decision,
    rule_kind,
)
from pipeline.model import Document
from pipeline.models import ARGUMENT_SUBDIR, HOW_TO_GET, ModelsMissing, default_models_dir
from pipeline.sentence_vectors import StackVectors, attach_vectors, warm_up

log = logging.getLogger(__name__)

MODEL_DIR = default_models_dir() / ARGUMENT_SUBDIR
MODEL_FILE = "model.npz"
METADATA_FILE = "metadata.json"
RULES_PRODUCER = "rules:lexicon"
MAJOR_THRESHOLD = 0.8

LEMMAS, CHARS, POS, RULES, VECTORS = 0, 1, 2, 3, 4


def feature_rows(views: list[UnitView]) -> np.ndarray:
    """The classifier's input: one row per unit (lemmas, raw text, POS tags, rule features,
    sentence vectors: :func:`pipeline.sentence_vectors.attach_vectors` comes first)."""
    if any(view.vector is None for view in views):
        raise ValueError("feature_rows: attach the sentence vectors first "
                         "(pipeline.sentence_vectors.attach_vectors, once per document)")
    rows = np.empty((len(views), 5), dtype=object)
    for i, view in enumerate(views):
        rows[i, LEMMAS] = view.lemma_text
        rows[i, CHARS] = " ".join(view.unit.text.split()).lower()
        rows[i, POS] = "^ " + view.pos_text  # the sentinel keeps the vocabulary non-empty without POS
        rows[i, RULES] = view.features
        rows[i, VECTORS] = view.vector
    return rows


def _rule_block() -> Pipeline:
    return Pipeline([("vectorise", DictVectorizer()), ("scale", MaxAbsScaler())])


def _hashed_tfidf(n_features: int, **options: Any) -> Pipeline:
    """TF-IDF over hashed n-grams: no vocabulary to store, so the saved model stays small
    (a 50,000-entry vocabulary made it several times larger and slower to load)."""
    return Pipeline([("hash", HashingVectorizer(n_features=n_features, alternate_sign=False, norm=None,
                                                **options)),
                     ("tfidf", TfidfTransformer(sublinear_tf=True))])


def make_label_pipeline(random_state: int = 0) -> Pipeline:
    """TF-IDF (lemmas, char n-grams, POS n-grams) + rule features → logistic regression."""
    features = ColumnTransformer(
        [
            ("lemmas", _hashed_tfidf(2**16, ngram_range=(1, 2)), LEMMAS),
            ("chars", _hashed_tfidf(2**17, analyzer="char_wb", ngram_range=(2, 5)), CHARS),
            (
                "pos",
                TfidfVectorizer(ngram_range=(1, 3), token_pattern=r"\S+", lowercase=False,
                                sublinear_tf=True),
                POS,
            ),
            ("rules", _rule_block(), RULES),
            ("vectors", StackVectors(), VECTORS),
        ],
        transformer_weights={"lemmas": 1.0, "chars": 1.0, "pos": 0.5, "rules": 1.0, "vectors": 1.0},
    )
    # class-balanced logistic regression: in grouped cross-validation it beat a sigmoid-calibrated
    # LinearSVC (macro-F1 0.69 vs 0.65); C=0.5 beat 1.0 and 3.0 on the whole theses (10-fold
    # grouped, 0.642 / 0.637 / 0.623) at the same score on the excerpts; saga with a loose tolerance is 5x faster than lbfgs here
    # for the same scores, which keeps leave-one-document-out within minutes on two cores
    classifier = LogisticRegression(C=0.5, class_weight="balanced", solver="saga", tol=1e-3,
                                    max_iter=3000, random_state=random_state)
    return Pipeline([("features", features), ("classify", classifier)])


def make_attribute_pipeline(random_state: int = 0) -> Pipeline:
    """Lemma TF-IDF + rule features → logistic regression (attribution, evidence kind)."""
    features = ColumnTransformer(
        [
            ("lemmas", TfidfVectorizer(min_df=2, sublinear_tf=True), LEMMAS),
            ("rules", _rule_block(), RULES),
        ]
    )
    classifier = LogisticRegression(C=2.0, class_weight="balanced", max_iter=3000,
                                    random_state=random_state)
    return Pipeline([("features", features), ("classify", classifier)])


def make_major_pipeline(random_state: int = 0) -> Pipeline:
    classifier = LogisticRegression(C=0.5, class_weight="balanced", max_iter=3000,
                                    random_state=random_state)
    return Pipeline([("vectorise", DictVectorizer()), ("scale", MaxAbsScaler()),
                     ("classify", classifier)])


def make_pair_pipeline(random_state: int = 0) -> Pipeline:
    """Scores (unit, candidate claim) pairs for ``supports`` (see pipeline.relations)."""
    classifier = LogisticRegression(C=1.0, max_iter=3000, random_state=random_state)
    return Pipeline([("vectorise", DictVectorizer()), ("scale", MaxAbsScaler()),
                     ("classify", classifier)])


QUESTION_ROLES = ("research_question", "objectives", "hypothesis")
PREDICT_BLOCK = 512  # units the label model scores at once
SIMILARITY_BLOCK = 512  # rows of the unit-by-unit similarity held at once: memory stays linear


def major_features(views: list[UnitView], claim_probability: list[float]) -> list[dict[str, float]]:
    """Where a claim stands and how often the document says it again."""
    count = len(views)
    roles = [view.role for view in views]
    claim_set = [j for j in range(count) if claim_probability[j] >= 0.4]
    by_role: dict[str, list[int]] = {}
    for j in claim_set:
        by_role.setdefault(views[j].role, []).append(j)
    framing_roles = ("abstract", "introduction", "conclusion")
    framing = {role: by_role.get(role, []) for role in framing_roles}
    # the research questions, objectives and hypotheses (none units, all of them): a thesis's
    # major claims answer them
    framing["question"] = [j for j in range(count) if views[j].thesis_role in QUESTION_ROLES]
    best = _best_similarities(views, roles, claim_set, framing)
    intro_paragraphs = [v.paragraph for v in views if v.role == "introduction"]
    last_intro_paragraph = intro_paragraphs[-1] if intro_paragraphs else None
    role_names = sorted(set(roles))
    place = _claim_places(views, claim_probability)
    rows = []
    for i, view in enumerate(views):
        role_claims = by_role.get(view.role, [])
        elsewhere = [best["role"][i, k] for k, name in enumerate(role_names) if name != view.role]
        f = {
            f"role={view.role}": 1.0,
            "doc_position": view.features.get("doc_position", 0.0),
            "doc_end": float(view.features.get("doc_position", 0.0) > 0.8),
            "doc_start": float(view.features.get("doc_position", 0.0) < 0.2),
            "paragraph_first": view.features.get("paragraph_first", 0.0),
            "paragraph_last": view.features.get("paragraph_last", 0.0),
            "claim_probability": claim_probability[i],
            "similar_elsewhere": float(max(elsewhere, default=0.0)),
            "similar_claim": float(best["claim"][i]),
            "english": float(view.english),
            "has_citation": view.features.get("has_citation", 0.0),
            "log_words": view.features.get("log_words", 0.0),
            # where the thesis is stated: the opening or closing claim of its section, the end
            # of the introduction, and how closely the other framing sections repeat it
            "section_first_claim": float(bool(role_claims) and role_claims[0] == i),
            "section_last_claim": float(bool(role_claims) and role_claims[-1] == i),
            "introduction_end": float(view.role == "introduction" and view.paragraph == last_intro_paragraph),
        }
        for role in (*framing_roles, "question"):
            members = framing[role]
            if len(members) - (i in members) > 0:
                f[f"similar_{role}"] = float(best[role][i])
        if view.role in framing_roles:
            f.update(_place_in_framing_section(view, i, place))
        if view.thesis_role != view.role:
            f[f"thesis_role={view.thesis_role}"] = 1.0
        for cue in ("major_cue", "conclusion", "purpose", "reporting", "modality", "evaluative",
                    "conclusion_start", "numbers", "years"):
            if view.features.get(cue):
                f[cue] = min(view.features[cue], 2.0)
        rows.append(f)
    return rows


@dataclass
class ClaimPlaces:
    """Of the likely claims (probability ≥ 0.5): the first of each paragraph, and where each
    stands among those of its (section role, thesis role), 0 first to 1 last."""

    first_of_paragraph: set[int]
    rank_in_section: dict[int, float]


def _claim_places(views: list[UnitView], claim_probability: list[float]) -> ClaimPlaces:
    by_paragraph: dict[object, list[int]] = {}
    by_section: dict[tuple[str, str], list[int]] = {}
    for j, view in enumerate(views):
        if claim_probability[j] >= 0.5:
            by_paragraph.setdefault(view.paragraph, []).append(j)
            by_section.setdefault((view.role, view.thesis_role), []).append(j)
    return ClaimPlaces(
        first_of_paragraph={members[0] for members in by_paragraph.values()},
        rank_in_section={j: k / max(len(members) - 1, 1)
                         for members in by_section.values() for k, j in enumerate(members)},
    )


def _place_in_framing_section(view: UnitView, i: int, place: ClaimPlaces) -> dict[str, float]:
    """Where a unit of the abstract, introduction or conclusion stands, one feature per role:
    an abstract's findings come after its background, a conclusion's verdict opens its
    paragraph (10-fold grouped, three splits: major F1 0.441-0.447 -> 0.459-0.473 at the
    same recall)."""
    return {
        f"{view.role}:section_position": view.features.get("section_position", 0.0),
        f"{view.role}:paragraph_position": view.features.get("paragraph_position", 0.0),
        f"{view.role}:paragraph_first_claim": float(i in place.first_of_paragraph),
        f"{view.role}:section_claim_rank": place.rank_in_section.get(i, 0.0),
    }


def _best_similarities(views: list[UnitView], roles: list[str], claims: list[int],
                       framing: dict[str, list[int]]) -> dict[str, np.ndarray]:
    """For every unit, its highest lemma TF-IDF cosine (never with itself) to the units of
    each role ("role": units × roles), to the claims ("claim") and to each framing role's
    claims, computed a block of rows at a time: time and memory linear in the units."""
    count = len(views)
    role_names = sorted(set(roles))
    role_columns = [np.array([j for j in range(count) if roles[j] == name]) for name in role_names]
    best: dict[str, np.ndarray] = {"role": np.zeros((count, len(role_names))), "claim": np.zeros(count)}
    groups = {"claim": np.array(claims, dtype=int)}
    for role, members in framing.items():
        best[role] = np.zeros(count)
        groups[role] = np.array(members, dtype=int)
    texts = [v.lemma_text or v.unit.text.lower() for v in views]
    if count < 2 or not any(t.strip() for t in texts):
        return best
    try:
        matrix = TfidfVectorizer(sublinear_tf=True).fit_transform(texts)
    except ValueError:  # no vocabulary at all
        return best
    for start in range(0, count, SIMILARITY_BLOCK):
        stop = min(start + SIMILARITY_BLOCK, count)
        block = cosine_similarity(matrix[start:stop], matrix)
        block[np.arange(stop - start), np.arange(start, stop)] = 0.0
        for k, columns in enumerate(role_columns):
            best["role"][start:stop, k] = block[:, columns].max(axis=1)
        for name, columns in groups.items():
            if columns.size:
                best[name][start:stop] = block[:, columns].max(axis=1)
    return best


def rule_major(row: dict[str, float]) -> bool:
    """A claim of the conclusion (not of its suggestions), or one announcing a result
    ("hasil penelitian menunjukkan…")."""
    return bool((row.get("role=conclusion") and not row.get("thesis_role=suggestions"))
                or row.get("major_cue"))


@dataclass
class ArgumentModel:
    """The trained pipelines and their metadata; ``None`` pipelines fall back to the rules."""

    label: Pipeline
    attribution: Pipeline | None = None
    kind: Pipeline | None = None
    major: Pipeline | None = None
    supports: Pipeline | None = None  # pair scorer used by pipeline.relations
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def producer(self) -> str:
        return f"classifier:{self.metadata.get('model_id', 'unsaved')}"


def _fit_optional(pipeline: Pipeline, rows: Any, targets: list[str], min_count: int = 3) -> Pipeline | None:
    counts = {t: targets.count(t) for t in set(targets)}
    if len(counts) < 2 or min(counts.values()) < min_count:
        return None
    return pipeline.fit(rows, targets)


def fit_argument_model(
    views: list[UnitView],
    labels: list[str],
    attributions: list[str | None],
    kinds: list[str | None],
    majors: list[bool],
    documents: list[str],
    random_state: int = 0,
) -> ArgumentModel:
    """Fit every pipeline on gold-labelled units (``documents`` groups units by document)."""
    rows = feature_rows(views)
    label_pipeline = make_label_pipeline(random_state).fit(rows, labels)
    claims = [i for i, label in enumerate(labels) if label == "claim"]
    attribution = _fit_optional(make_attribute_pipeline(random_state), rows[claims],
                                [attributions[i] or "own" for i in claims])
    # evidence kind stays with the rules (pipeline.features.rule_kind): on the gold they are
    # right 69 % of the time, a kind model fitted on ~270 evidence units 59 % (leave-one-out)
    kind = None
    # major: features need the claim probability of each unit within its own document,
    # so compute them per document from the gold labels (1.0 for gold claims)
    major_rows: list[dict[str, float]] = []
    major_targets: list[str] = []
    for document in dict.fromkeys(documents):
        members = [i for i, d in enumerate(documents) if d == document]
        probability = [1.0 if labels[i] == "claim" else 0.0 for i in members]
        for local, row in enumerate(major_features([views[i] for i in members], probability)):
            if labels[members[local]] == "claim":
                major_rows.append(row)
                major_targets.append("major" if majors[members[local]] else "minor")
    major = _fit_optional(make_major_pipeline(random_state), major_rows, major_targets, min_count=2)
    return ArgumentModel(label=label_pipeline, attribution=attribution, kind=kind, major=major)


# ---------------------------------------------------------------- saving and loading


def save_model(model: ArgumentModel, directory: Path = MODEL_DIR) -> None:
    from pipeline.model_file import write_estimators

    directory.mkdir(parents=True, exist_ok=True)
    for pipeline in (model.label, model.attribution, model.kind):
        _drop_pruned_terms(pipeline)
    write_estimators(directory / MODEL_FILE, {"label": model.label, "attribution": model.attribution,
                                              "kind": model.kind, "major": model.major,
                                              "supports": model.supports})
    model.metadata.pop("types", None)  # the type audit of models saved with skops
    (directory / METADATA_FILE).write_text(
        json.dumps(model.metadata, indent=2, sort_keys=True, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )


def _drop_pruned_terms(estimator: object) -> None:
    """Delete the vectorisers' ``stop_words_`` (every pruned term: megabytes, unused at predict)."""
    if isinstance(estimator, TfidfVectorizer) and hasattr(estimator, "stop_words_"):
        del estimator.stop_words_
    for child in getattr(estimator, "steps", []):
        _drop_pruned_terms(child[1])
    for child in getattr(estimator, "transformers_", []):
        _drop_pruned_terms(child[1])


MODEL_PARTS = ("label", "attribution", "kind", "major", "supports")


def read_model(directory: Path = MODEL_DIR) -> ArgumentModel | None:
    """Load a saved model (:mod:`pipeline.model_file`: only the estimator classes a model is
    made of can be named); ValueError naming the file when it cannot be read."""
    import sklearn

    from pipeline.model_file import read_estimators

    path = directory / MODEL_FILE
    if not path.exists():
        return None
    try:
        metadata = json.loads((directory / METADATA_FILE).read_text(encoding="utf-8"))
        parts = read_estimators(path)
        missing = [name for name in MODEL_PARTS if name not in parts]
        if missing or parts["label"] is None:
            raise ValueError(f"no {', '.join(missing) or 'label'} model in it")
    except Exception as error:  # any damage: one line that names the file
        raise ValueError(f"{path}: cannot load the argument model ({type(error).__name__}: "
                         f"{' '.join(str(error).split())}); retrain it with `make train`") from error
    saved_version = metadata.get("versions", {}).get("scikit-learn", "")
    if saved_version.split(".")[:2] != sklearn.__version__.split(".")[:2]:
        log.warning("%s was trained with scikit-learn %s, running %s: retrain with `make train`",
                    path, saved_version, sklearn.__version__)
    return ArgumentModel(metadata=metadata, **{name: parts[name] for name in MODEL_PARTS})


def load_model(directory: Path = MODEL_DIR) -> ArgumentModel:
    """The saved model; :class:`ModelsMissing` naming the file when there is none."""
    missing = [str(directory / name) for name in (MODEL_FILE, METADATA_FILE) if not (directory / name).is_file()]
    if missing:
        raise ModelsMissing(f"argument model missing: {', '.join(missing)}; {HOW_TO_GET['argument']}, "
                            "or point --models (or models_dir in the config) at a folder holding argument/")
    model = read_model(directory)
    if model is None:
        raise ModelsMissing(f"argument model missing: {directory / MODEL_FILE}")
    return model


# ---------------------------------------------------------------- the stage


def label_units(doc: Document, model: ArgumentModel | None = None, rules_only: bool = False) -> Document:
    """Label ``doc.units`` in place (see the module docstring); returns ``doc``."""
    if not doc.units:
        return doc
    views = describe_units(doc)
    if model is None and not rules_only:
        raise ModelsMissing("units: no argument model given (build the stage through pipeline.Pipeline, "
                            "or pass rules_only=True for the rules baseline)")
    rows = None
    if model is None or rules_only:
        probabilities = [rule_decision(v.features).probabilities for v in views]
        producer = RULES_PRODUCER
    else:
        attach_vectors(views)
        rows = feature_rows(views)
        # a block of rows at a time: the dense vector columns join the sparse TF-IDF ones as a
        # sparse float64 copy (about 90 kB a unit), so memory stays bounded on a long thesis
        matrix = np.vstack([model.label.predict_proba(rows[start:start + PREDICT_BLOCK])
                            for start in range(0, len(rows), PREDICT_BLOCK)])
        classes = list(model.label.classes_)
        probabilities = [
            {label: round(float(row[classes.index(label)]), 4) if label in classes else 0.0
             for label in LABELS}
            for row in matrix
        ]
        producer = model.producer
    for view, probability in zip(views, probabilities, strict=True):
        unit = view.unit
        unit.probabilities = probability
        unit.label = max(LABELS, key=lambda k: probability[k])
        unit.producer = producer
        unit.major = False
        unit.attribution = rule_attribution(view.features) if unit.label == "claim" else None
        unit.kind = rule_kind(view.features) if unit.label == "evidence" else None
    if model is not None and rows is not None:
        _attributes_from_model(model, views, rows)
    _mark_major(model if not rules_only else None, views)
    return doc


def _attributes_from_model(model: ArgumentModel, views: list[UnitView], rows: np.ndarray) -> None:
    claims = [i for i, v in enumerate(views) if v.unit.label == "claim"]
    evidence = [i for i, v in enumerate(views) if v.unit.label == "evidence"]
    if model.attribution is not None and claims:
        for i, value in zip(claims, model.attribution.predict(rows[claims]), strict=True):
            # a sentence that opens with a named source's reporting verb is reported whatever
            # the model says (ANNOTATION.md §2: "Menurut …", "David Lewis mendefinisikan …")
            named = views[i].features.get("named_report_start", 0.0)
            views[i].unit.attribution = "reported" if named else str(value)
    if model.kind is not None and evidence:
        for i, value in zip(evidence, model.kind.predict(rows[evidence]), strict=True):
            views[i].unit.kind = str(value)


def _mark_major(model: ArgumentModel | None, views: list[UnitView]) -> None:
    claims = [i for i, v in enumerate(views) if v.unit.label == "claim"]
    if not claims:
        return
    rows = major_features(views, [v.unit.probabilities.get("claim", 0.0) for v in views])
    if model is not None and model.major is not None:
        classes = list(model.major.classes_)
        scores = model.major.predict_proba([rows[i] for i in claims])[:, classes.index("major")]
        threshold = float(model.metadata.get("major_threshold", MAJOR_THRESHOLD))
        # the model alone: since it reads where a claim stands in the abstract, introduction
        # and conclusion, adding the rule's conclusion claims (at a model floor of 0.5) costs
        # precision (10-fold grouped, three splits: major F1 0.459-0.473 with the rule,
        # 0.485-0.503 without, at recall 0.69 against 0.72)
        for i, score in zip(claims, scores, strict=True):
            views[i].unit.major = bool(score >= threshold)
    else:
        for i in claims:
            views[i].unit.major = rule_major(rows[i])


class Units:
    """The stage: every unit labelled claim / evidence / none with its attributes.
    The argument model loads when the stage is built (shared with relations)."""

    name = "units"
    requires = ("units", "citations", "sections")
    assigns = ("units.label", "units.major", "units.attribution", "units.kind")

    def __init__(self, config: Config, shared: dict[str, object]) -> None:
        from pipeline.features import spacy_matchers

        self.rules_only = config.rules_only
        self.model = None if self.rules_only else shared_argument_model(config, shared)
        spacy_matchers()  # spaCy's Indonesian vocabulary and the pattern matchers, built once here
        if not self.rules_only:
            warm_up()  # the sentence encoder's weights, loaded once here

    def __call__(self, doc: Document) -> Document:
        return label_units(doc, model=self.model, rules_only=self.rules_only)


def shared_argument_model(config: Config, shared: dict[str, object]) -> ArgumentModel:
    """The argument model of ``config``, loaded once for the stages that use it."""
    if "argument" not in shared:
        shared["argument"] = load_model(config.models_dir / ARGUMENT_SUBDIR)
    model = shared["argument"]
    assert isinstance(model, ArgumentModel)
    return model
