"""The rule features (pipeline.features) and the 'units' stage (pipeline.units), on the seed."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import ROOT, SHARED

from pipeline import units as units_stage
from pipeline.features import (
    UnitView,
    describe_units,
    load_terms,
    pattern_counts,
    rule_decision,
    text_features,
)
from pipeline.gold import load_gold
from pipeline.ingest import read_document
from pipeline.model import Document, Token
from pipeline.structure import segment
from pipeline.train import gold_span_document

SEED = "000_b7960c56fa7a1039"

needs_shared = pytest.mark.skipif(not (SHARED / "corpus").exists(), reason="../shared not present")
needs_model = pytest.mark.skipif(not (units_stage.MODEL_DIR / units_stage.MODEL_FILE).exists(),
                                 reason="no trained model: run `make train`")


def seed_document() -> Document:
    """The seed with the gold sentences as its units (structure stage run, no Stanza tokens)."""
    doc = segment(read_document(SHARED / "corpus" / f"{SEED}.txt", SEED))
    gold = load_gold(ROOT / "corpus" / "gold" / f"{SEED}.jsonl", doc.text)
    return gold_span_document(doc, gold)


@pytest.fixture(scope="module")
def seed() -> Document:
    return seed_document()


def view_of(doc: Document, check: str) -> UnitView:
    views = describe_units(doc)
    return next(v for v in views if v.unit.text.startswith(check))


def test_lexicon_lists_are_one_term_per_line() -> None:
    for name in ("discourse_conclusion", "discourse_contrast", "reporting_verbs", "modality",
                 "purpose_structure", "months", "currency"):
        terms = load_terms(name)
        assert terms and all(t == t.strip() and "\t" not in t for t in terms)
    assert "oleh karena itu" in load_terms("discourse_conclusion")
    assert "menurut" in load_terms("reporting_verbs")


@needs_shared
def test_seed_statistic_sentence_features(seed: Document) -> None:
    view = view_of(seed, "Pihak kepolisian di Moscow")
    f = view.features
    assert f["percent"] == 1.0  # "80%"
    assert f["numbers"] >= 2  # 70.000, 80, 18
    assert f["reporting"] >= 1  # "menyatakan"
    assert f["role=introduction"] == 1.0
    assert not view.english
    assert rule_decision(f).label == "evidence"
    assert rule_decision(f).kind == "statistic"


@needs_shared
def test_word_prefilter_skips_lists_without_changing_features(monkeypatch: pytest.MonkeyPatch) -> None:
    """A word list runs its regular expressions only when all the words of one of its terms
    are in the sentence; over the shared documents the features are those of running all."""
    from pipeline import features

    texts = [text for path in sorted((SHARED / "corpus").glob("*.txt"))[:12]
             for text in path.read_text(encoding="utf-8").split(". ")]
    assert features.may_match("discourse_conclusion", {"oleh", "karena", "itu", "kami"})
    assert not features.may_match("discourse_conclusion", {"oleh", "karena"})  # only "oleh karena itu" starts so
    filtered = [text_features(text, []) for text in texts]
    monkeypatch.setattr(features, "may_match", lambda name, words: True)
    assert [text_features(text, []) for text in texts] == filtered
    assert sum("conclusion" in f for f in filtered) >= 5


@needs_shared
def test_english_abstract_is_detected_and_purpose_is_none_by_rules(seed: Document) -> None:
    view = view_of(seed, "This research describes")
    assert view.english
    assert view.role == "abstract"
    assert view.features["purpose_start"] == 1.0
    assert rule_decision(view.features).label == "none"


@needs_shared
def test_reported_definition_by_rules(seed: Document) -> None:
    view = view_of(seed, "Menurut Peter M. Haas")
    decision = rule_decision(view.features)
    assert decision.label == "claim"
    assert decision.attribution == "reported"


def test_year_and_date_features() -> None:
    f = text_features("Pada tahun 2008 pelatihan diadakan pada 12 Maret 2009 di Moscow.", [])
    assert f["years"] == 2 and f["dates"] == 1 and f["event"] >= 1
    f = text_features("Bisnis ini dapat menghasilkan USD 7 milyar.", [])
    assert f["currency"] == 1.0 and f["modality"] == 1.0
    # abbreviated and older-spelled months are dates too; a month after a year is not
    f = text_features("Perjanjian ditandatangani 2 Des. 2021, diratifikasi Pebruari 2022 dan Sept. 2023.", [])
    assert f.get("dates") == 3
    assert "dates" not in text_features("Pada 1619 Jan Pieterszoon Coen tiba di Batavia.", [])


def test_descriptive_and_stance_features() -> None:
    f = text_features("Organisasi Buruh Internasional didirikan pada tahun 1919 oleh Perjanjian Versailles.", [])
    assert f["no_stance"] == 1.0 and f["plain_happening"] == 1.0 and f["dated_happening"] == 1.0
    assert f["plain_named"] == 1.0 and f["name_runs"] >= 1 and f["legal_text"] >= 1
    f = text_features("Diplomasi publik merupakan faktor yang sangat penting dan harus diperkuat.", [])
    assert "no_stance" not in f and "copula_description" not in f
    f = text_features("ILO merupakan organisasi internasional yang didirikan untuk isu buruh.", [])
    assert f["copula_description"] == 1.0
    f = text_features('Konsep ini disebut "soft power" oleh Nye.', [])
    assert f["quote_marks"] == 1.0


def test_pos_patterns_need_stanza_tags() -> None:
    words = [("David", "PROPN"), ("Lewis", "PROPN"), ("mendefinisikan", "VERB"), ("NGO", "PROPN")]
    tokens, position = [], 0
    for word, upos in words:
        tokens.append(Token(text=word, start=position, end=position + len(word), lemma=word.lower(),
                            upos=upos))
        position += len(word) + 1
    assert pattern_counts(tokens)["reported_name"] == 1
    untagged = [Token(text=t.text, start=t.start, end=t.end) for t in tokens]
    assert "reported_name" not in pattern_counts(untagged)  # degrades: no POS, no POS pattern


def test_a_missing_model_is_an_error_not_a_rules_fallback(tmp_path: Path) -> None:
    from pipeline import Config, Pipeline
    from pipeline.models import ModelsMissing

    with pytest.raises(ModelsMissing, match=r"argument model missing: .*model\.npz.*make train"):
        Pipeline(Config(models_dir=tmp_path)).stage("units")
    with pytest.raises(ModelsMissing):
        units_stage.label_units(seed_document())  # no model given, rules not asked for


@needs_shared
def test_rules_only_is_asked_for(seed: Document) -> None:
    doc = units_stage.label_units(seed_document(), rules_only=True)
    assert {u.producer for u in doc.units} == {units_stage.RULES_PRODUCER}
    by_check = {u.text[:20]: u for u in doc.units}
    assert by_check["Pihak kepolisian di "].label == "evidence"


@needs_shared
@needs_model
def test_majors_come_from_the_model_in_the_framing_sections() -> None:
    """On the seed the major model finds all six gold majors; what it adds stands in the
    abstract, introduction or conclusion, never in a body section; a conclusion claim is no
    longer major just because the rule proposes it."""
    from pipeline.features import describe_units

    model = units_stage.load_model()
    gold = load_gold(ROOT / "corpus" / "gold" / f"{SEED}.jsonl", seed_document().text)
    gold_majors = {(g.start, g.end) for g in gold.units if g.major}
    doc = units_stage.label_units(seed_document(), model=model)
    views = describe_units(doc)
    majors = [v for v in views if v.unit.major]
    assert {(v.unit.start, v.unit.end) for v in majors} >= gold_majors and len(gold_majors) == 6
    assert {v.role for v in majors} <= {"abstract", "introduction", "conclusion"}
    rows = units_stage.major_features(views, [v.unit.probabilities.get("claim", 0.0) for v in views])
    proposed = [v for v, row in zip(views, rows, strict=True)
                if v.unit.label == "claim" and units_stage.rule_major(row)]
    assert any(not v.unit.major for v in proposed)


@needs_model
def test_trained_model_on_a_document_it_was_not_trained_on() -> None:
    """corpus/contoh_diplomasi_maritim.txt is our own sample article, in no training set."""
    from pipeline import Pipeline

    doc = Pipeline().process_file(ROOT / "corpus" / "contoh_diplomasi_maritim.txt", "contoh")
    units = {u.text[:24]: u for u in doc.units}
    for check in ("Sejak tahun 2016 kapal-k", "Pada Desember 2019 lebih", "Pada Januari 2020 Presid"):
        assert units[check].label == "evidence" and units[check].kind == "event", check
    # ("Namun, penolakan secara hukum saja tidak cukup…", a claim amid three evidence sentences
    # of its paragraph, went to evidence (0.62) when the label model began to read the context)
    for check in ("Kehadiran negara yang ny", "Langkah ini menunjukkan ", "Perpaduan ini terbukti m"):
        assert units[check].label == "claim" and units[check].attribution == "own", check
    assert units["Tulisan ini pertama-tama"].label == "none"  # the outline of the article
    assert units["Perpaduan ini terbukti m"].major  # a conclusion claim
    for unit in doc.units:
        assert set(unit.probabilities) == {"claim", "evidence", "none"}
        assert abs(sum(unit.probabilities.values()) - 1.0) < 0.01
        assert unit.producer.startswith("classifier:")
        assert (unit.attribution is not None) == (unit.label == "claim")
        assert (unit.kind is not None) == (unit.label == "evidence")
    assert all(u.label == "claim" for u in doc.units if u.major)


@needs_model
def test_model_loads_once_with_metadata() -> None:
    from pipeline import Pipeline

    pipeline = Pipeline()
    assert pipeline.stage("units").model is pipeline.stage("relations").model  # loaded once, shared
    assert pipeline.until("units").stage("units") is pipeline.stage("units")
    meta = pipeline.stage("units").model.metadata
    assert len(meta["training_data_sha256"]) == 64
    assert meta["versions"]["scikit-learn"]
    assert meta["random_state"] == 0
    assert SEED in meta["documents"] and "contoh_diplomasi_maritim" not in meta["documents"]
    # the team's own text (corpus/written_by_us) is trained on but kept apart from the real documents
    extra = sorted(p.stem for p in (ROOT / "corpus" / "written_by_us" / "gold").glob("*.jsonl"))
    assert meta["extra_documents"] == extra and meta["extra_units"] == 278
    assert not set(extra) & set(meta["documents"])


@needs_shared
def test_extra_cases_are_marked_and_real_ones_are_not() -> None:
    from pipeline.train import load_extra_cases

    extra = load_extra_cases()
    assert len(extra) == 14 and all(c.extra for c in extra)
    assert sum(len(c.gold.units) for c in extra) == 278


def test_read_model_without_files(tmp_path: Path) -> None:
    assert units_stage.read_model(tmp_path) is None


class _RunsACommand:
    """A pickled object whose loading would run a shell command."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple:
        import os

        return os.system, (f"touch {self.marker}",)


def _model_file_holding(directory: Path, parts: object) -> None:
    """A model file laid out as pipeline.model_file writes one, holding a plain pickle of ``parts``."""
    import json
    import pickle
    import zipfile

    (directory / units_stage.METADATA_FILE).write_text(json.dumps({"versions": {}}), encoding="utf-8")
    with zipfile.ZipFile(directory / units_stage.MODEL_FILE, "w") as archive:
        archive.writestr("estimators.pickle", pickle.dumps(parts, protocol=5))


@pytest.mark.parametrize("named", ["a command", "numpy.dtype", "sklearn.base.clone"])
def test_a_model_file_naming_other_code_is_refused(named: str, tmp_path: Path) -> None:
    """The model file can name only the estimator classes a model is made of: a file that would
    run a command, forge a NumPy dtype (whose flags could lie about an array's memory) or call
    other scikit-learn code is refused in one line naming the file, and the command never runs."""
    import numpy as np
    from sklearn.base import clone

    marker = tmp_path / "ran"
    part = {"a command": _RunsACommand(marker), "numpy.dtype": np.dtype("float64"), "sklearn.base.clone": clone}[named]
    _model_file_holding(tmp_path, {"label": part})
    with pytest.raises(ValueError) as refused:
        units_stage.read_model(tmp_path)
    message = str(refused.value)
    assert "\n" not in message and "model.npz: cannot load the argument model" in message
    assert "refusing to load" in message and "retrain it with `make train`" in message
    assert not marker.exists()


def test_a_damaged_model_file_is_one_line_naming_it(tmp_path: Path) -> None:
    (tmp_path / units_stage.METADATA_FILE).write_text("{}", encoding="utf-8")
    (tmp_path / units_stage.MODEL_FILE).write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(ValueError, match=r"^\S*model\.npz: cannot load the argument model \(BadZipFile"):
        units_stage.read_model(tmp_path)


def test_the_shipped_model_loads_as_its_estimators() -> None:
    model = units_stage.read_model()
    assert model is not None
    assert list(model.label.classes_) == ["claim", "evidence", "none"]
    assert type(model.label.named_steps["classify"]).__name__ == "LogisticRegression"
