"""Sentence vectors (pipeline.sentence_vectors): the encoder on real sentences of the seed, the
context rows the label model reads, and the column that carries them through a saved model."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import SHARED
from test_units import SEED, seed_document

from pipeline import units as units_stage
from pipeline.features import describe_units
from pipeline.sentence_vectors import (
    CONTEXT_SIZE,
    CONTEXT_WEIGHT,
    VECTOR_SIZE,
    StackVectors,
    attach_vectors,
    sentence_vectors,
)

needs_shared = pytest.mark.skipif(not (SHARED / "corpus" / f"{SEED}.txt").exists(),
                                  reason="../shared not present")


def test_vectors_are_unit_length_and_close_for_the_same_statement() -> None:
    vectors = sentence_vectors([
        "Hasil penelitian menunjukkan bahwa akurasi model mencapai 85,66 persen.",
        "Penelitian ini menunjukkan bahwa model mencapai akurasi 85,66 persen.",
        "Bab II membahas landasan teori tentang diplomasi publik.",
    ])
    assert vectors.shape == (3, VECTOR_SIZE) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-3)
    paraphrase, unrelated = float(vectors[0] @ vectors[1]), float(vectors[0] @ vectors[2])
    assert paraphrase > 0.8 > unrelated + 0.3
    # whitespace and line breaks of the source do not change a vector
    again = sentence_vectors(["Hasil penelitian  menunjukkan bahwa akurasi model\nmencapai 85,66 persen."])
    assert np.allclose(again[0], vectors[0], atol=1e-5)
    assert sentence_vectors([]).shape == (0, VECTOR_SIZE)


@needs_shared
def test_context_rows_of_the_seed() -> None:
    views = describe_units(seed_document())
    attach_vectors(views)
    rows = np.vstack([view.vector for view in views])
    assert rows.shape == (len(views), CONTEXT_SIZE)
    # the unit's own block is its vector less 146 / (146 + 30) of the document's mean vector
    own = sentence_vectors([view.unit.text for view in views])
    assert len(views) == 146
    assert np.allclose(rows[:, :VECTOR_SIZE], own - 146 / 176 * own.mean(axis=0), atol=1e-5)
    previous = rows[:, VECTOR_SIZE:2 * VECTOR_SIZE] / CONTEXT_WEIGHT
    following = rows[:, 2 * VECTOR_SIZE:3 * VECTOR_SIZE] / CONTEXT_WEIGHT
    for index, view in enumerate(views):
        starts_paragraph = index == 0 or views[index - 1].paragraph != view.paragraph
        if starts_paragraph:
            assert not previous[index].any()
        else:
            assert np.allclose(previous[index], own[index - 1])
        ends_paragraph = index == len(views) - 1 or views[index + 1].paragraph != view.paragraph
        assert not following[index].any() if ends_paragraph else np.allclose(following[index], own[index + 1])
    # a paragraph's units share its mean; the seed has paragraphs of several sentences
    section_mean = rows[:, 3 * VECTOR_SIZE:4 * VECTOR_SIZE] / CONTEXT_WEIGHT
    section = [i for i, v in enumerate(views) if (v.unit.section or v.role) == (views[10].unit.section
                                                                            or views[10].role)]
    assert len(section) > 1
    expected = own[section].mean(axis=0)
    assert np.allclose(section_mean[section[-1]], expected / np.linalg.norm(expected), atol=1e-5)
    paragraph_mean = rows[:, 4 * VECTOR_SIZE:] / CONTEXT_WEIGHT
    members = [i for i, v in enumerate(views) if v.paragraph == views[10].paragraph]
    assert len(members) > 1
    expected = own[members].mean(axis=0)
    assert np.allclose(paragraph_mean[members[0]], expected / np.linalg.norm(expected), atol=1e-5)
    assert all(np.allclose(paragraph_mean[i], paragraph_mean[members[0]]) for i in members)


def test_feature_rows_want_the_vectors_first() -> None:
    views = describe_units(seed_document()) if (SHARED / "corpus").exists() else []
    if not views:
        pytest.skip("../shared not present")
    with pytest.raises(ValueError, match="attach the sentence vectors first"):
        units_stage.feature_rows(views[:3])


def test_the_vector_column_stacks_rows() -> None:
    cells = np.empty(2, dtype=object)
    cells[0], cells[1] = np.ones(CONTEXT_SIZE), np.zeros(CONTEXT_SIZE)
    matrix = StackVectors().fit(cells).transform(cells)
    assert matrix.shape == (2, CONTEXT_SIZE) and matrix[0].sum() == CONTEXT_SIZE
    assert StackVectors().transform(np.empty(0, dtype=object)).shape == (0, CONTEXT_SIZE)


@pytest.mark.skipif(not (units_stage.MODEL_DIR / units_stage.MODEL_FILE).exists(),
                    reason="no trained model: run `make train`")
def test_the_shipped_label_model_reads_the_vectors() -> None:
    model = units_stage.read_model()
    assert model is not None
    blocks = {name: columns for name, _, columns in model.label.named_steps["features"].transformers}
    assert blocks["vectors"] == units_stage.VECTORS
    # the vectors carry weight in the fitted model: their coefficients are not all zero
    coefficients = model.label.named_steps["classify"].coef_
    assert coefficients.shape[1] > CONTEXT_SIZE
    assert np.abs(coefficients[:, -CONTEXT_SIZE:]).max() > 0.1
