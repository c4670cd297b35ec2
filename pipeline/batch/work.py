"""Working on one document, in a worker process or, for -j 1, in the batch's own: the
pipeline built once per process, each document rendered to text before anything is written
(see :mod:`pipeline.batch`)."""

from __future__ import annotations

import os
import resource
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.batch.plan import Job, Outcome, UsageError
from pipeline.config import Config

if TYPE_CHECKING:
    from pipeline.language import Pipeline
    from pipeline.model import Document

_WORKER: dict[str, Any] = {}  # this process's pipeline and versions; forked workers inherit them


def set_threads(threads: int) -> None:
    """Torch's threads, and the BLAS/OpenMP pools NumPy and scikit-learn use, to
    ``threads``: a BLAS pool of its own per worker makes -j 2 workers spin against
    each other (measured: -j 1 steady 26.2 s with the default pool, 18.9 s with one thread)."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=threads)
    try:
        import torch

        torch.set_num_threads(threads)
    except ImportError:
        pass


def load_pipeline(config: Config, threads: int) -> Pipeline:
    """Set this process's threads and build the pipeline (every model loads here,
    once), warmed up; raises UsageError when a model is missing."""
    from pipeline.language import Pipeline
    from pipeline.models import ModelsMissing

    set_threads(threads)
    try:
        pipeline = Pipeline(config).load()
    except (ModelsMissing, OSError, ValueError) as error:
        raise UsageError(str(error)) from error
    pipeline.warm_up()
    return pipeline


def prepare_worker(config: Config, version: str, models: dict[str, str], threads: int) -> None:
    """Build the pipeline in the parent process, so the workers forked from it
    share its pages instead of loading their own."""
    _WORKER.update(pipeline=load_pipeline(config, threads), version=version, models=models)


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _shared_memory_mb() -> tuple[float, float]:
    """(PSS, USS) of this process in MB, from /proc/self/smaps_rollup."""
    sizes: dict[str, float] = {}
    try:
        for line in Path("/proc/self/smaps_rollup").read_text().splitlines():
            name, _, value = line.partition(":")
            if value.strip().endswith("kB"):
                sizes[name] = float(value.split()[0]) / 1024
    except OSError:
        return 0.0, 0.0
    return sizes.get("Pss", 0.0), sizes.get("Private_Clean", 0.0) + sizes.get("Private_Dirty", 0.0)


@dataclass
class Rendered:
    """One document's output files as text, before anything is written."""

    graph: str  # the JSONL, written to job.output
    text_file: str  # the file the graph's offsets refer to
    text: str | None  # the extracted text (.pdf/.docx), written to text_path; None for .txt/.md


def render(job: Job, pipeline: Pipeline, version: str, models: dict[str, str],
           read_from: Path | None = None) -> tuple[Outcome, Rendered | None]:
    """Run ``pipeline`` on one document and render its graph, writing nothing;
    ``read_from`` is a copy of ``job.path``'s bytes when the file itself is elsewhere
    (a Dask worker).  The outcome is 'ok' with the rendering, or 'failed' naming the stage."""
    from pipeline.language import StageError

    outcome = Outcome(job=job, status="failed", started=time.time(), worker=os.getpid())
    try:
        doc: Document | StageError = pipeline.process_file(read_from or job.path, job.doc_id)
    except StageError as error:
        doc = error
    except Exception as error:  # noqa: BLE001 - one bad document must not stop a batch
        outcome.stage, outcome.reason = "pipeline", f"{type(error).__name__}: {error}"
        return _one_line(outcome), None
    return finish(outcome, doc, version, models)


def render_group(jobs: list[Job], pipeline: Pipeline, version: str, models: dict[str, str]
                 ) -> list[tuple[Outcome, Rendered | None]]:
    """:func:`render` for several documents at once: each is read, then the stages run over
    them together (``Pipeline.pipe``: one Stanza call for all their paragraphs, which is
    faster for short documents); a document that fails fails alone."""
    from pipeline.language import StageError

    started = time.time()
    results: list[Document | StageError] = []
    for job in jobs:
        try:
            results.append(pipeline.read(job.path, job.doc_id))
        except StageError as error:
            results.append(error)
    readable = [k for k, item in enumerate(results) if not isinstance(item, StageError)]
    try:
        for k, processed in zip(readable, pipeline.pipe([results[k] for k in readable]), strict=True):
            results[k] = processed
    except Exception:  # noqa: BLE001 - pipe itself failing: each document alone finds which
        return [render(job, pipeline, version, models) for job in jobs]
    return [finish(Outcome(job=job, status="failed", started=started, worker=os.getpid()), item,
                   version, models) for job, item in zip(jobs, results, strict=True)]


def finish(outcome: Outcome, doc: Document | Exception, version: str, models: dict[str, str]
           ) -> tuple[Outcome, Rendered | None]:
    """The graph of a processed document, or the outcome of the stage error that stopped it."""
    from pipeline.graph import GraphError, graph_records
    from pipeline.graph.write import dumps, text_path_for
    from pipeline.language import StageError

    job = outcome.job
    if isinstance(doc, StageError):
        outcome.stage, outcome.reason = doc.stage, doc.reason
        return _one_line(outcome), None
    doc.sha256 = job.sha256  # the input file's bytes: what resuming compares
    doc.source_path = str(job.path)
    if doc.text_path:  # a .txt/.md input is its own text
        doc.text_path = str(job.path)
    try:
        text_path, text_file, write_text = text_path_for(doc, job.output)
        records = graph_records(doc, text_path, version, models)
        graph = "".join(dumps(record) + "\n" for record in records)
    except GraphError as error:
        outcome.stage, outcome.reason = "graph", str(error)
        return _one_line(outcome), None
    except Exception as error:  # noqa: BLE001
        outcome.stage, outcome.reason = "graph", f"{type(error).__name__}: {error}"
        return _one_line(outcome), None
    outcome.status, outcome.counts = "ok", records[0]["counts"]
    return outcome, Rendered(graph=graph, text_file=str(text_file), text=doc.text if write_text else None)


def _one_line(outcome: Outcome) -> Outcome:
    from pipeline.language import one_line

    outcome.reason = one_line(outcome.reason)
    return outcome


def write_rendered(outcome: Outcome, rendered: Rendered) -> None:
    """Write the extracted text, then the graph, each atomically; a write that
    fails turns the outcome into a 'write' failure."""
    from pipeline.graph import atomic_write_text
    from pipeline.language import one_line

    try:
        if rendered.text is not None:
            atomic_write_text(Path(rendered.text_file), rendered.text)
        atomic_write_text(outcome.job.output, rendered.graph)
    except OSError as error:
        outcome.status, outcome.counts = "failed", None
        outcome.stage = "write"
        outcome.reason = one_line(f"cannot write {outcome.job.output}: {error}")


def measure(outcome: Outcome) -> Outcome:
    """Stamp the outcome with its end time and this process's memory."""
    outcome.finished = time.time()
    outcome.seconds = outcome.finished - outcome.started
    outcome.peak_rss_mb = _peak_rss_mb()
    outcome.pss_mb, outcome.uss_mb = _shared_memory_mb()
    return outcome


def _process(job: Job) -> Outcome:
    outcome, rendered = render(job, _WORKER["pipeline"], _WORKER["version"], _WORKER["models"])
    if rendered is not None:
        write_rendered(outcome, rendered)
    return measure(outcome)


def process_group(jobs: list[Job]) -> list[Outcome]:
    if len(jobs) == 1:
        return [_process(jobs[0])]
    outcomes = []
    for outcome, rendered in render_group(jobs, _WORKER["pipeline"], _WORKER["version"], _WORKER["models"]):
        if rendered is not None:
            write_rendered(outcome, rendered)
        outcomes.append(measure(outcome))
    return outcomes
