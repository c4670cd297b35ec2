"""Compose the stages: one file in, one Document out.

Also says which pipeline and models produced an output (:func:`pipeline_version`,
:func:`model_versions`), so that a batch can skip documents already done by the
same code and models, and warms a worker up (:func:`warm_up`) so that the models
load once per process, before the first real document.
"""

from __future__ import annotations

import hashlib
import os
from functools import lru_cache
from pathlib import Path

from pipeline import __version__
from pipeline.citations import link_citations
from pipeline.ingest import read_document
from pipeline.model import Document
from pipeline.nlp import annotate
from pipeline.relations import link_relations
from pipeline.structure import segment
from pipeline.units import label_units

STAGES = (
    ("structure", segment),
    ("nlp", annotate),
    ("citations", link_citations),
    ("units", label_units),
    ("relations", link_relations),
)

PACKAGE_DIR = Path(__file__).resolve().parent
MODELS_DIR = PACKAGE_DIR.parent / "models"
MODEL_SUFFIXES = (".pt", ".skops", ".joblib", ".pkl", ".bin")
# Texts longer than this are refused with a clear error rather than left running
# for hours (a 300-page thesis is well under a million characters).
MAX_CHARS = 2_000_000
WARM_UP_TEXT = (
    "Judul Contoh\n\nPendahuluan\n\n"
    "Indonesia menilai kerja sama maritim penting bagi kawasan.¹ Pada tahun 2020 "
    "kedua negara menandatangani perjanjian (Nugroho, 2021: 4).\n\n"
    "¹ Budi Santoso, *Laut Kita*, (Jakarta: Pustaka, 2019), hal. 3\n"
)


class StageError(RuntimeError):
    """A stage failed on one document; carries the stage name for errors.jsonl."""

    def __init__(self, stage: str, reason: str) -> None:
        super().__init__(reason)
        self.stage = stage
        self.reason = reason


def one_line(reason: object, limit: int = 400) -> str:
    """An error message fit for one line of errors.jsonl and stderr."""
    text = " ".join(str(reason).split()) or "no message"
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _describe(error: BaseException) -> str:
    message = one_line(error)
    name = type(error).__name__
    # InputError and friends already say what is wrong in words; others need the type.
    return message if name in ("InputError", "StageError") else f"{name}: {message}"


def process_document(doc: Document) -> Document:
    for name, stage in STAGES:
        try:
            doc = stage(doc)
        except Exception as error:  # one bad document must not stop a batch
            raise StageError(name, _describe(error)) from error
    doc.language = main_language(doc)
    return doc


def main_language(doc: Document) -> str:
    """The language of most of the document's sentence characters (the units say
    which language each sentence is in); the document's own setting when it has none."""
    weights: dict[str, int] = {}
    for unit in doc.units:
        weights[unit.language] = weights.get(unit.language, 0) + (unit.end - unit.start)
    if not weights:
        return doc.language
    return max(sorted(weights), key=lambda language: weights[language])


def process_file(path: Path, doc_id: str, max_chars: int = MAX_CHARS) -> Document:
    """Read ``path`` and run every stage; raises :class:`StageError` naming the stage.

    Plain-text inputs larger than ``max_chars`` characters could take hours and
    are refused before they are read; any input whose text exceeds the limit is
    refused after ingest.
    """
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as error:
        raise StageError("ingest", _describe(error)) from error
    if size == 0:
        raise StageError("ingest", "the file is empty")
    # more bytes than max_chars characters can take in UTF-8: refuse before reading
    if path.suffix.lower() in (".txt", ".md") and size > 4 * max_chars:
        raise StageError("ingest", f"file is {size:,} bytes, more text than the limit of "
                         f"{max_chars:,} characters (--max-chars)")
    try:
        doc = read_document(path, doc_id)
    except Exception as error:
        raise StageError("ingest", _describe(error)) from error
    if not doc.text.strip():
        raise StageError("ingest", "the file holds no text (only white space)")
    if len(doc.text) > max_chars:
        raise StageError("ingest", f"text has {len(doc.text):,} characters, over the limit of "
                         f"{max_chars:,} (--max-chars)")
    return process_document(doc)


def warm_up() -> None:
    """Run a tiny document through every stage so each loads its models now
    (once per process); failures are left for the real documents to report."""
    try:
        process_document(Document(id="warm-up", source_path="", text=WARM_UP_TEXT))
    except StageError:
        pass


@lru_cache(maxsize=1)
def pipeline_version() -> str:
    """``<package version>+<hash of the pipeline's code, word lists and schema>``:
    any change to what produces an output changes the version."""
    digest = hashlib.sha256()
    files = [
        path for path in PACKAGE_DIR.rglob("*")
        if path.is_file() and path.suffix in (".py", ".txt", ".json")
        and "__pycache__" not in path.parts
    ]
    for path in sorted(files, key=lambda item: item.relative_to(PACKAGE_DIR).as_posix()):
        digest.update(path.relative_to(PACKAGE_DIR).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return f"{__version__}+{digest.hexdigest()[:12]}"


# settings that change what the stages produce (see pipeline/nlp.py)
MODEL_SETTINGS = ("ARGMAP_NLP_PROCESSORS", "ARGMAP_STANZA_MODELS", "ARGMAP_STANZA_RESOURCES")


def _hash_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()[:12]


@lru_cache(maxsize=1)
def model_versions() -> dict[str, str]:
    """Library versions, a content hash of every model file under ``models/`` and
    of any model folder named in the environment, and those settings themselves."""
    from importlib.metadata import PackageNotFoundError, version

    versions: dict[str, str] = {}
    for package in ("stanza", "scikit-learn"):
        try:
            versions[package] = version(package)
        except PackageNotFoundError:
            versions[package] = "unknown"
    folders = [("", MODELS_DIR)]
    for name in MODEL_SETTINGS:
        value = os.environ.get(name)
        if value:
            versions[name] = value
            if name != "ARGMAP_NLP_PROCESSORS":
                folders.append((f"{name}:", Path(value)))
    for prefix, folder in folders:
        if folder.is_dir():
            for path in sorted(folder.rglob("*")):
                if path.is_file() and path.suffix in MODEL_SUFFIXES:
                    versions[prefix + path.relative_to(folder).as_posix()] = _hash_file(path)
    return versions
