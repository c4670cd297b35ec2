"""The batch engine behind ``argmap extract``: jobs, resume, ledger, retries.

Finds the input files, gives each a doc-id, skips documents already done by the
same code and models (input sha256, pipeline and model versions), runs
the :class:`pipeline.language.Pipeline` (built once, in this process, before any
worker is forked from it) here or in worker processes,
writes each graph with :func:`pipeline.graph.write_graph` and keeps
``index.jsonl`` / ``errors.jsonl`` in the output folder.  One bad document never
stops the batch; a document that kills its worker is retried alone once.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from multiprocessing import get_context
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self, TextIO

from pipeline.config import Config
from pipeline.models import file_sha256

if TYPE_CHECKING:
    from pipeline.language import Pipeline
    from pipeline.model import Document

SUFFIXES = (".txt", ".md", ".pdf", ".docx")
RESERVED_IDS = ("index", "errors")
# documentation files that sit in corpus folders; named explicitly they are still read
NOT_DOCUMENTS = ("readme", "license", "changelog", "contributing", "sources", "scores")
INDEX_NAME = "index.jsonl"
ERRORS_NAME = "errors.jsonl"
INDEX_INTERVAL_S = 2.0  # rewrite index/errors at most this often while a batch runs

EXIT_OK, EXIT_FAILURES, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """Bad command line or environment: exit status 2."""


@dataclass
class Job:
    path: Path
    doc_id: str
    output: Path
    sha256: str = ""


@dataclass
class Outcome:
    job: Job
    status: str  # ok | skipped | failed
    stage: str = ""
    reason: str = ""
    counts: dict[str, int] | None = None
    seconds: float = 0.0
    started: float = 0.0
    finished: float = 0.0
    peak_rss_mb: float = 0.0
    # proportional and unique set size after the document: what the worker really costs
    # when pages are shared with the parent it was forked from (Linux; 0 elsewhere)
    pss_mb: float = 0.0
    uss_mb: float = 0.0
    worker: int = 0

    def index_entry(self) -> dict[str, Any]:
        return {
            "id": self.job.doc_id,
            "source": str(self.job.path),
            "output": str(self.job.output) if self.status != "failed" else None,
            "status": self.status,
            "sha256": self.job.sha256,
            "counts": self.counts,
            "stage": self.stage or None,
            "reason": self.reason or None,
        }

    def error_entry(self) -> dict[str, Any]:
        return {"file": str(self.job.path), "id": self.job.doc_id, "stage": self.stage,
                "reason": self.reason}


@dataclass
class BatchSummary:
    out_dir: Path
    outcomes: list[Outcome] = field(default_factory=list)
    wall_s: float = 0.0
    jobs: int = 1

    def count(self, status: str) -> int:
        return sum(1 for outcome in self.outcomes if outcome.status == status)

    @property
    def exit_code(self) -> int:
        return EXIT_FAILURES if self.count("failed") else EXIT_OK

    @property
    def peak_rss_mb(self) -> float:
        return max((outcome.peak_rss_mb for outcome in self.outcomes), default=0.0)


# ---------------------------------------------------------------------------
# Finding inputs and naming them


def _hidden(path: Path, root: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(root).parts)


def discover(paths: Iterable[Path], out_dir: Path) -> tuple[list[Path], list[Path]]:
    """The input documents in a stable order, and files named explicitly that are
    not a supported type.  Raises UsageError for a path that does not exist."""
    found: list[Path] = []
    unsupported: list[Path] = []
    seen: set[Path] = set()
    out_resolved = out_dir.resolve()

    def add(path: Path) -> None:
        resolved = path.resolve()
        if resolved not in seen:
            seen.add(resolved)
            found.append(path)

    for path in paths:
        if path.is_dir():
            for candidate in sorted(path.rglob("*"), key=lambda item: item.as_posix()):
                if (
                    candidate.is_file()
                    and candidate.suffix.lower() in SUFFIXES
                    and not _hidden(candidate, path)
                    and candidate.stem.casefold() not in NOT_DOCUMENTS
                    and out_resolved not in candidate.resolve().parents
                ):
                    add(candidate)
        elif path.is_file():
            if path.suffix.lower() in SUFFIXES:
                add(path)
            else:
                unsupported.append(path)
        else:
            raise UsageError(f"input path does not exist: {path}")
    return found, unsupported


def assign_ids(files: Sequence[Path]) -> list[tuple[Path, str]]:
    """doc-id = file name without extension; later duplicates (compared without
    case, since some file systems ignore it) get -2, -3, ..."""
    taken = {reserved.casefold() for reserved in RESERVED_IDS}
    assigned = []
    for path in files:
        stem = path.stem or "document"
        doc_id, number = stem, 1
        while doc_id.casefold() in taken:
            number += 1
            doc_id = f"{stem}-{number}"
        taken.add(doc_id.casefold())
        assigned.append((path, doc_id))
    return assigned


def is_up_to_date(job: Job, version: str, models: dict[str, str]) -> dict[str, Any] | None:
    """The existing output's document record when it was made from the same input
    by the same pipeline and models (and its extracted text is still there)."""
    from pipeline.graph import SCHEMA_ID, read_document_record

    record = read_document_record(job.output)
    if not record or record.get("schema") != SCHEMA_ID:
        return None
    same = (
        record.get("sha256") == job.sha256
        and record.get("pipeline_version") == version
        and record.get("model_versions") == models
        and record.get("source") == str(job.path)
    )
    if not same:
        return None
    # text_path is written from the graph's folder (an absolute one stays as it is)
    if not (job.output.parent / record.get("text_path", "")).is_file():
        return None
    return record


# ---------------------------------------------------------------------------
# Working on one document (in a worker process, or in this one for -j 1)

_WORKER: dict[str, Any] = {}  # this process's pipeline and versions; forked workers inherit them


def _set_threads(threads: int) -> None:
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

    _set_threads(threads)
    try:
        pipeline = Pipeline(config).load()
    except (ModelsMissing, OSError, ValueError) as error:
        raise UsageError(str(error)) from error
    pipeline.warm_up()
    return pipeline


def _prepare_worker(config: Config, version: str, models: dict[str, str], threads: int) -> None:
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


def _process_group(jobs: list[Job]) -> list[Outcome]:
    if len(jobs) == 1:
        return [_process(jobs[0])]
    outcomes = []
    for outcome, rendered in render_group(jobs, _WORKER["pipeline"], _WORKER["version"], _WORKER["models"]):
        if rendered is not None:
            write_rendered(outcome, rendered)
        outcomes.append(measure(outcome))
    return outcomes


# short documents go through the stages together, up to this many bytes or documents a group
GROUP_FILE_BYTES = 16_000  # a larger file runs alone
GROUP_BYTES = 48_000
GROUP_DOCUMENTS = 16


def job_groups(todo: list[Job]) -> list[list[Job]]:
    """The jobs in groups for :func:`_process_group`, largest first (a long thesis started
    last would leave the other workers idle): each file over GROUP_FILE_BYTES alone, the
    others packed in batch order up to GROUP_BYTES and GROUP_DOCUMENTS."""
    sizes = {job.doc_id: _file_size(job) for job in todo}
    groups: list[list[Job]] = []
    current: list[Job] = []
    current_bytes = 0
    for job in todo:
        size = sizes[job.doc_id]
        if size > GROUP_FILE_BYTES or job.path.suffix.lower() not in (".txt", ".md"):
            groups.append([job])
            continue
        if current and (current_bytes + size > GROUP_BYTES or len(current) == GROUP_DOCUMENTS):
            groups.append(current)
            current, current_bytes = [], 0
        current.append(job)
        current_bytes += size
    if current:
        groups.append(current)
    return sorted(groups, key=lambda group: sum(sizes[job.doc_id] for job in group), reverse=True)


# ---------------------------------------------------------------------------
# The batch


def _write_jsonl(path: Path, entries: Iterable[dict[str, Any]]) -> None:
    from pipeline.graph import atomic_write_text

    atomic_write_text(path, "".join(json.dumps(entry, ensure_ascii=False) + "\n"
                                    for entry in entries))


def _previous_index(out_dir: Path) -> list[dict[str, Any]]:
    try:
        lines = (out_dir / INDEX_NAME).read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in lines if line.strip()]
    except (OSError, ValueError):
        return []


class _Ledger:
    """Keeps index.jsonl and errors.jsonl up to date while the batch runs."""

    def __init__(self, out_dir: Path, jobs: list[Job], previous: list[dict[str, Any]]) -> None:
        self.out_dir = out_dir
        self.order = [job.doc_id for job in jobs]
        self.outcomes: dict[str, Outcome] = {}
        ours = {str(job.path) for job in jobs} | {str(job.output) for job in jobs}
        # entries of earlier runs over other inputs stay, as long as their output does
        self.kept = [
            entry for entry in previous
            if entry.get("status") in ("ok", "skipped")
            and entry.get("source") not in ours and entry.get("output") not in ours
            and entry.get("output") and Path(entry["output"]).is_file()
        ]
        self.last_write = 0.0

    def add(self, outcome: Outcome) -> None:
        self.outcomes[outcome.job.doc_id] = outcome
        if time.monotonic() - self.last_write > INDEX_INTERVAL_S:
            self.write()

    def write(self) -> None:
        done = [self.outcomes[doc_id] for doc_id in self.order if doc_id in self.outcomes]
        _write_jsonl(self.out_dir / INDEX_NAME,
                     [outcome.index_entry() for outcome in done] + self.kept)
        _write_jsonl(self.out_dir / ERRORS_NAME,
                     [outcome.error_entry() for outcome in done if outcome.status == "failed"])
        self.last_write = time.monotonic()


def check_output_dir(out_dir: Path) -> None:
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        probe = out_dir / f".argmap-probe-{os.getpid()}.tmp"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as error:
        reason = error.strerror or str(error)
        raise UsageError(f"cannot write to the output folder {out_dir}: {reason}") from error
    # temporary files of a run killed mid-write (an hour old: not a run still going)
    for stale in out_dir.glob(".*.tmp"):
        try:
            if time.time() - stale.stat().st_mtime > 3600:
                stale.unlink()
        except OSError:
            pass


def run_batch(
    inputs: Sequence[Path | str],
    out_dir: Path | str,
    jobs: int = 1,
    force: bool = False,
    max_chars: int | None = None,
    progress: bool = True,
    stderr: TextIO | None = None,
    threads: int | None = None,
    config: Config | None = None,
) -> BatchSummary:
    """Process every input document into ``out_dir``; see ``argmap extract --help``.

    Raises :class:`UsageError` for a missing input, no documents, or an output
    folder that cannot be written; per-document failures are in the summary.
    """
    from pipeline.versions import model_versions, pipeline_version

    clock = time.perf_counter()
    out_dir = Path(out_dir)
    config = config or Config()
    if max_chars:
        config = replace(config, max_chars=max_chars)
    threads = threads or 1
    outcomes = plan_batch(inputs, out_dir)
    version, models = pipeline_version(), model_versions(config)
    if not force:
        outcomes = skip_up_to_date(outcomes, version, models)
    todo = [outcome.job for outcome in outcomes if outcome.status == "todo"]

    with BatchProgress(out_dir, outcomes, progress, stderr or sys.stderr) as run:
        if todo:
            _prepare_worker(config, version, models, threads)
        if jobs <= 1 or len(todo) <= 1:
            for group in job_groups(todo):
                for outcome in _process_group(group):
                    run.report(outcome)
        else:
            _run_pool(todo, jobs, threads, run.report)
    return run.summary(jobs, time.perf_counter() - clock)


def plan_batch(inputs: Sequence[Path | str], out_dir: Path) -> list[Outcome]:
    """Every input document as an Outcome, in batch order: 'todo' with its sha256,
    or 'failed' (a file of another type named explicitly, an unreadable file).
    Raises :class:`UsageError` for a missing input, no documents, or an output
    folder that cannot be written."""
    paths = [Path(item) for item in inputs]
    files, unsupported = discover(paths, out_dir)
    if not files and not unsupported:
        raise UsageError("no .txt, .md, .pdf or .docx documents found in: "
                         + ", ".join(str(path) for path in paths))
    check_output_dir(out_dir)
    outcomes: list[Outcome] = []
    for path, doc_id in assign_ids([*files, *unsupported]):
        job = Job(path=path, doc_id=doc_id, output=out_dir / f"{doc_id}.jsonl")
        if path in unsupported:
            outcomes.append(Outcome(job=job, status="failed", stage="discover",
                                    reason=f"unsupported file type {path.suffix!r} "
                                           f"(expected {', '.join(SUFFIXES)})"))
            continue
        try:
            job.sha256 = file_sha256(path)
        except OSError as error:
            outcomes.append(Outcome(job=job, status="failed", stage="ingest",
                                    reason=f"cannot read the file: {error.strerror or error}"))
            continue
        outcomes.append(Outcome(job=job, status="todo"))
    return outcomes


def skip_up_to_date(outcomes: list[Outcome], version: str, models: dict[str, str]) -> list[Outcome]:
    """The outcomes, each 'todo' whose output was made from the same input by the
    same pipeline and models turned 'skipped'."""
    result = []
    for outcome in outcomes:
        record = is_up_to_date(outcome.job, version, models) if outcome.status == "todo" else None
        result.append(outcome if record is None else
                      Outcome(job=outcome.job, status="skipped", counts=record.get("counts")))
    return result


class BatchProgress:
    """The ledger and the progress bar of one batch: :meth:`report` each outcome
    as it arrives; leaving the ``with`` block writes index.jsonl and errors.jsonl."""

    def __init__(self, out_dir: Path, outcomes: list[Outcome], progress: bool,
                 stderr: TextIO) -> None:
        from tqdm import tqdm

        self.out_dir = out_dir
        self.jobs = [outcome.job for outcome in outcomes]
        self.stderr = stderr
        self.ledger = _Ledger(out_dir, self.jobs, _previous_index(out_dir))
        finished = [outcome for outcome in outcomes if outcome.status != "todo"]
        self.bar = tqdm(total=len(self.jobs), initial=len(finished), unit="doc", file=stderr,
                        disable=None if progress else True, dynamic_ncols=True, smoothing=0.1,
                        desc="argmap", leave=True)
        for outcome in finished:
            self._record(outcome)

    def _record(self, outcome: Outcome) -> None:
        self.ledger.add(outcome)
        if outcome.status == "failed":
            self.bar.write(f"argmap: failed: {outcome.job.path}: {outcome.stage}: "
                           f"{outcome.reason}", file=self.stderr)

    def report(self, outcome: Outcome) -> None:
        self._record(outcome)
        self.bar.update(1)

    def write(self, message: str) -> None:
        """A line on stderr that does not break the bar."""
        self.bar.write(message, file=self.stderr)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.bar.close()
        self.ledger.write()

    def summary(self, jobs: int, wall_s: float) -> BatchSummary:
        done = self.ledger.outcomes
        return BatchSummary(out_dir=self.out_dir, jobs=jobs, wall_s=wall_s,
                            outcomes=[done[job.doc_id] for job in self.jobs if job.doc_id in done])


def _file_size(job: Job) -> int:
    try:
        return job.path.stat().st_size
    except OSError:
        return 0


def _run_pool(todo: list[Job], jobs: int, threads: int, report: Any) -> None:
    """Run ``todo`` on ``jobs`` worker processes forked from this one (which holds
    the built pipeline, so no worker loads a model), in :func:`job_groups`.

    At most ``jobs`` groups are in flight, so when a worker dies (out of
    memory, a crash in native code) the documents that may have killed it are
    known: each is then retried alone on a fresh pool, and a document that
    kills a worker on its own is reported as failed."""
    queue = job_groups(todo)
    suspects: list[Job] = []
    while queue or suspects:
        workers = min(jobs, len(queue) + len(suspects))
        pool = ProcessPoolExecutor(
            max_workers=workers, mp_context=get_context("fork"), initializer=_set_threads,
            initargs=(threads,),
        )
        in_flight: dict[Future[list[Outcome]], list[Job]] = {}
        crashed: list[Job] = []
        try:
            while (queue or suspects or in_flight) and not crashed:
                if suspects:
                    if not in_flight:
                        group = [suspects.pop(0)]
                        in_flight[pool.submit(_process_group, group)] = group
                else:
                    while queue and len(in_flight) < workers:
                        group = queue.pop(0)
                        in_flight[pool.submit(_process_group, group)] = group
                completed, _ = wait(in_flight, return_when=FIRST_COMPLETED)
                for future in completed:
                    group = in_flight.pop(future)
                    try:
                        outcomes = future.result()
                    except BrokenProcessPool:
                        crashed += group
                    except Exception as error:  # noqa: BLE001 - e.g. a result that cannot be sent back
                        for job in group:
                            report(Outcome(job=job, status="failed", stage="worker",
                                           reason=f"{type(error).__name__}: {error}"))
                    else:
                        for outcome in outcomes:
                            report(outcome)
            crashed += [job for group in in_flight.values() for job in group]
        finally:
            pool.shutdown(wait=not crashed, cancel_futures=True)
        if len(crashed) == 1:
            report(Outcome(job=crashed[0], status="failed", stage="worker",
                           reason="the worker process died on this document "
                                  "(out of memory or a crash in native code)"))
        else:
            suspects = crashed + suspects
