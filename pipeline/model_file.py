"""The argument model's file: its scikit-learn estimators as a pickle whose NumPy arrays are
kept apart, all in one zip archive (``models/argument/model.npz``).

Loading a pickle runs whatever the file names, so this format narrows what it may name:

- the pickle resolves only the estimator classes the model is made of
  (:data:`ESTIMATOR_CLASSES`) and ``builtins.slice`` (ColumnTransformer's columns);
- every NumPy array is an ``.npy`` entry of the archive, read with ``allow_pickle=False``
  (booleans, numbers and strings only) and handed to the pickle by reference; NumPy's own
  pickling names (``numpy.dtype``, ``_frombuffer``, ``_reconstruct``) never appear, so a file
  cannot forge a dtype whose flags lie about the memory behind an array.

A file from elsewhere can still give an estimator odd attribute values, which makes
scikit-learn raise at prediction; it cannot name other code.  skops, which saved the model
before, did the same audit, but its import alone took 1.3-1.7 s of every start.
"""

from __future__ import annotations

import io
import pickle
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction import DictVectorizer
from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer, TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import MaxAbsScaler

from pipeline.sentence_vectors import StackVectors

ESTIMATOR_CLASSES = (Pipeline, ColumnTransformer, DictVectorizer, HashingVectorizer, TfidfTransformer,
                     TfidfVectorizer, MaxAbsScaler, LogisticRegression, StackVectors)
RESOLVABLE = {f"{cls.__module__}.{cls.__qualname__}": cls for cls in ESTIMATOR_CLASSES} | {"builtins.slice": slice}
# scalar types an estimator keeps as values (HashingVectorizer's dtype) or parameters
NUMPY_TYPES = {cls.__name__: cls for cls in (np.float64, np.float32, np.int64, np.int32, np.bool_)}
ARRAY_KINDS = "biufU"  # booleans, integers, floats, strings: no objects
PICKLE_ENTRY = "estimators.pickle"
ENTRY_TIME = (1980, 1, 1, 0, 0, 0)  # the same model gives the same bytes (the manifest's hash)


class _EstimatorPickler(pickle.Pickler):
    def __init__(self, file: io.BytesIO) -> None:
        super().__init__(file, protocol=5)
        self.arrays: list[np.ndarray] = []
        self.array_numbers: dict[int, int] = {}

    def persistent_id(self, obj: Any) -> tuple | None:
        if isinstance(obj, np.ndarray):
            if obj.dtype.kind not in ARRAY_KINDS:
                raise pickle.PicklingError(f"cannot save an array of {obj.dtype}: not booleans, numbers or strings")
            if id(obj) not in self.array_numbers:
                self.array_numbers[id(obj)] = len(self.arrays)
                self.arrays.append(obj)
            return ("array", self.array_numbers[id(obj)])
        if isinstance(obj, np.generic):
            if type(obj).__name__ not in NUMPY_TYPES:
                raise pickle.PicklingError(f"cannot save a NumPy {type(obj).__name__}")
            return ("scalar", type(obj).__name__, obj.item())
        if isinstance(obj, type) and issubclass(obj, np.generic):
            if obj.__name__ not in NUMPY_TYPES:
                raise pickle.PicklingError(f"cannot save the NumPy type {obj.__name__}")
            return ("numpy type", obj.__name__)
        return None


class _EstimatorUnpickler(pickle.Unpickler):
    def __init__(self, file: io.BytesIO, archive: zipfile.ZipFile) -> None:
        super().__init__(file)
        self.archive = archive

    def find_class(self, module: str, name: str) -> Any:
        found = RESOLVABLE.get(f"{module}.{name}")
        if found is None:
            raise pickle.UnpicklingError(f"refusing to load {module}.{name}: "
                                         "not one of the estimator classes a model is made of")
        return found

    def persistent_load(self, pid: Any) -> Any:
        match pid:
            case ("array", int(number)):
                return self._array(number)
            case ("scalar", str(kind), value) if kind in NUMPY_TYPES:
                return NUMPY_TYPES[kind](value)
            case ("numpy type", str(kind)) if kind in NUMPY_TYPES:
                return NUMPY_TYPES[kind]
        raise pickle.UnpicklingError(f"refusing the reference {pid!r:.80}")

    def _array(self, number: int) -> np.ndarray:
        with self.archive.open(f"array_{number}.npy") as entry:
            array = np.lib.format.read_array(entry, allow_pickle=False)
        if array.dtype.kind not in ARRAY_KINDS:
            raise pickle.UnpicklingError(f"refusing an array of {array.dtype}")
        return array


def _entry(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    archive.writestr(zipfile.ZipInfo(name, ENTRY_TIME), data, compress_type=zipfile.ZIP_DEFLATED,
                     compresslevel=9)


def write_estimators(path: Path, estimators: dict[str, Any]) -> None:
    """Save ``estimators`` (names to fitted estimators or None) to ``path``, atomically."""
    buffer = io.BytesIO()
    pickler = _EstimatorPickler(buffer)
    pickler.dump(estimators)
    partial = path.with_name(f".{path.name}.tmp")
    with zipfile.ZipFile(partial, "w") as archive:
        _entry(archive, PICKLE_ENTRY, buffer.getvalue())
        for number, array in enumerate(pickler.arrays):
            out = io.BytesIO()
            np.lib.format.write_array(out, array, allow_pickle=False)
            _entry(archive, f"array_{number}.npy", out.getvalue())
    partial.replace(path)


def read_estimators(path: Path) -> dict[str, Any]:
    """The estimators saved by :func:`write_estimators`; raises (pickle.UnpicklingError,
    zipfile.BadZipFile, KeyError, ...) on a file that is damaged or names anything else."""
    with zipfile.ZipFile(path) as archive:
        estimators = _EstimatorUnpickler(io.BytesIO(archive.read(PICKLE_ENTRY)), archive).load()
    if not isinstance(estimators, dict):
        raise pickle.UnpicklingError("not a model: the pickle holds no table of estimators")
    return estimators
