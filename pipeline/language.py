"""The Pipeline: stages built once from one config, run in reading order.

In the spirit of spaCy's ``Language`` and Stanza's ``Pipeline``::

    from pipeline import Pipeline
    nlp = Pipeline()                        # every stage, models from the default folder
    doc = nlp.process_file("skripsi.pdf", "skripsi")
    upstream = nlp.until("citations")      # shares the built stages; no argument model

Each stage is a class with a ``name``, the document attributes it ``requires``
and ``assigns``, and ``__call__(doc) -> doc``; the order is checked when the
pipeline is made.  A stage loads its models in its constructor, once; a
pipeline loaded in a parent process is shared by the workers it forks.  Ingest
(file → Document) comes first and is not a stage object: it reads a path.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

from pipeline.config import STAGE_NAMES, Config
from pipeline.ingest import read_document
from pipeline.model import Document

INGEST_ASSIGNS = ("text", "sha256", "media_type", "marker_hints", "non_prose")
WARM_UP_TEXT = (
    "Judul Contoh\n\nPendahuluan\n\n"
    "Indonesia menilai kerja sama maritim penting bagi kawasan.¹ Pada tahun 2020 "
    "kedua negara menandatangani perjanjian (Nugroho, 2021: 4).\n\n"
    "¹ Budi Santoso, *Laut Kita*, (Jakarta: Pustaka, 2019), hal. 3\n"
)


class Stage(Protocol):
    name: str
    requires: tuple[str, ...]
    assigns: tuple[str, ...]

    def __call__(self, doc: Document) -> Document: ...


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


def describe(error: BaseException) -> str:
    message = one_line(error)
    name = type(error).__name__
    # InputError and friends already say what is wrong in words; others need the type
    return message if name in ("InputError", "StageError") else f"{name}: {message}"


def stage_class(name: str) -> type:
    """The class of the stage called ``name`` (imported only when asked for)."""
    if name == "structure":
        from pipeline.structure import Structure

        return Structure
    if name == "nlp":
        from pipeline.nlp import NLP

        return NLP
    if name == "citations":
        from pipeline.citations import Citations

        return Citations
    if name == "units":
        from pipeline.units import Units

        return Units
    if name == "relations":
        from pipeline.relations import Relations

        return Relations
    if name == "diagnostics":
        from pipeline.diagnostics import Diagnostics

        return Diagnostics
    raise ValueError(f"unknown stage {name!r}; stages: {', '.join(STAGE_NAMES)}")


def check_order(stages: Sequence[type]) -> None:
    """Every stage finds what it requires among what ingest and the stages before it assign."""
    available = set(INGEST_ASSIGNS)
    for stage in stages:
        missing = [item for item in stage.requires if item not in available]
        if missing:
            raise ValueError(f"stage {stage.name!r} requires {', '.join(missing)}, "
                             "which no stage before it assigns")
        available.update(stage.assigns)


class Pipeline:
    """ingest → structure → nlp → citations → units → relations → diagnostics, from one :class:`Config`.

    The order is checked when the pipeline is made; each stage is built (and loads
    its models) the first time it is needed, once: :meth:`load` builds them all
    at once, as the batch does before it forks its workers."""

    def __init__(self, config: Config | None = None, stages: Sequence[str] = STAGE_NAMES,
                 *, _built: dict[str, Stage] | None = None, _shared: dict[str, object] | None = None) -> None:
        self.config = config or Config()
        self.names = list(stages)
        check_order([stage_class(name) for name in self.names])
        self._built: dict[str, Stage] = {} if _built is None else _built
        self._shared: dict[str, object] = {} if _shared is None else _shared

    def stage(self, name: str) -> Stage:
        if name not in self.names:
            raise ValueError(f"no stage {name!r} in this pipeline: {', '.join(self.names)}")
        if name not in self._built:
            cls = stage_class(name)
            self._built[name] = cls(self.config, self._shared) if name in ("units", "relations") else cls(self.config)
        return self._built[name]

    @property
    def stages(self) -> list[Stage]:
        return [self.stage(name) for name in self.names]

    def load(self) -> Pipeline:
        """Build every stage now (every model loads); returns the pipeline."""
        self.stages  # noqa: B018 - building is the point
        return self

    def until(self, name: str) -> Pipeline:
        """The stages up to and including ``name``, sharing what this pipeline has built."""
        if name not in self.names:
            raise ValueError(f"no stage {name!r} in this pipeline: {', '.join(self.names)}")
        return Pipeline(self.config, self.names[: self.names.index(name) + 1],
                        _built=self._built, _shared=self._shared)

    def __call__(self, doc: Document) -> Document:
        for name in self.names:
            stage = self.stage(name)
            try:
                doc = stage(doc)
            except Exception as error:  # one bad document must not stop a batch
                raise StageError(name, describe(error)) from error
        doc.language = main_language(doc)
        return doc

    def pipe(self, docs: list[Document]) -> list[Document | StageError]:
        """Run the stages over several documents, a stage at a time; a stage with a ``many``
        method (the nlp stage: one Stanza call for all their paragraphs) takes them together.
        Each document comes back processed, or as the :class:`StageError` that stopped it:
        when a joint call fails, the stage runs on each document alone to find which."""
        results: list[Document | StageError] = list(docs)
        for name in self.names:
            stage = self.stage(name)
            alive = [k for k, item in enumerate(results) if isinstance(item, Document)]
            together = getattr(stage, "many", None)
            if together is not None and len(alive) > 1:
                try:
                    for k, doc in zip(alive, together([results[k] for k in alive]), strict=True):
                        results[k] = doc
                    continue
                except Exception:  # noqa: BLE001, S110 - each document alone, below, finds which failed
                    pass
            for k in alive:
                try:
                    results[k] = stage(results[k])
                except Exception as error:  # noqa: BLE001 - one bad document must not stop the others
                    results[k] = StageError(name, describe(error))
        for item in results:
            if isinstance(item, Document):
                item.language = main_language(item)
        return results

    def timed(self, doc: Document, clock: Callable[[], float] = time.perf_counter) -> tuple[Document, dict[str, float]]:
        """Run every stage on ``doc`` and say how long each took (benchmarks, scale tests)."""
        seconds: dict[str, float] = {}
        for name in self.names:
            started = clock()
            doc = self.stage(name)(doc)
            seconds[name] = clock() - started
        return doc, seconds

    def read(self, path: Path | str, doc_id: str) -> Document:
        """Ingest ``path``, refusing texts over ``config.max_chars`` characters; raises
        :class:`StageError` naming the stage."""
        path = Path(path)
        max_chars = self.config.max_chars
        try:
            size = path.stat().st_size
        except OSError as error:
            raise StageError("ingest", describe(error)) from error
        if size == 0:
            raise StageError("ingest", "the file is empty")
        # more bytes than max_chars characters can take in UTF-8: refuse before reading
        if path.suffix.lower() in (".txt", ".md") and size > 4 * max_chars:
            raise StageError("ingest", f"file is {size:,} bytes, more text than the limit of "
                             f"{max_chars:,} characters (--max-chars)")
        try:
            doc = read_document(path, doc_id)
        except Exception as error:
            raise StageError("ingest", describe(error)) from error
        if not doc.text.strip():
            raise StageError("ingest", "the file holds no text (only white space)")
        if len(doc.text) > max_chars:
            raise StageError("ingest", f"text has {len(doc.text):,} characters, over the limit of "
                             f"{max_chars:,} (--max-chars)")
        return doc

    def process_file(self, path: Path | str, doc_id: str) -> Document:
        return self(self.read(path, doc_id))

    def warm_up(self) -> None:
        """Build every stage and run a tiny document through them, so lazy parts of
        the libraries load now; a failing document is left for the real ones to report."""
        self.load()
        try:
            self(Document(id="warm-up", source_path="", text=WARM_UP_TEXT))
        except StageError:
            pass


def main_language(doc: Document) -> str:
    """The language of most of the document's sentence characters (the units say
    which language each sentence is in); the document's own setting when it has none."""
    weights: dict[str, int] = {}
    for unit in doc.units:
        weights[unit.language] = weights.get(unit.language, 0) + (unit.end - unit.start)
    if not weights:
        return doc.language
    return max(sorted(weights), key=lambda language: weights[language])
