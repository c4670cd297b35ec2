"""The batch engine behind ``argmap extract``: jobs, resume, ledger, retries.

Finds the input files, gives each a doc-id, skips documents already done by the
same code and models (input sha256, pipeline and model versions), runs
the :class:`pipeline.language.Pipeline` (built once, in this process, before any
worker is forked from it) here or in worker processes,
writes each graph with :func:`pipeline.graph.write_graph` and keeps
``index.jsonl`` / ``errors.jsonl`` in the output folder.  One bad document never
stops the batch; a document that kills its worker is retried alone once.

- :mod:`pipeline.batch.plan`: the inputs, their doc-ids, what is up to date, the groups;
- :mod:`pipeline.batch.work`: one document (or group) in a worker;
- here: the run itself, its ledger and progress bar, and the worker pool.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import get_context
from pathlib import Path
from typing import Any, Self, TextIO

from pipeline.batch import work
from pipeline.batch.plan import (
    EXIT_FAILURES,
    EXIT_OK,
    EXIT_USAGE,
    BatchSummary,
    Job,
    Outcome,
    UsageError,
    assign_ids,
    batch_config,
    discover,
    job_groups,
    plan_batch,
    skip_up_to_date,
)
from pipeline.batch.work import set_threads
from pipeline.config import Config

# what the command line, the tests and the benchmarks use; the Dask batch imports the
# parts it shares from plan and work themselves
__all__ = [
    "ERRORS_NAME", "EXIT_FAILURES", "EXIT_OK", "EXIT_USAGE", "INDEX_NAME", "BatchProgress", "BatchSummary",
    "Job", "Outcome", "UsageError", "assign_ids", "discover", "job_groups", "plan_batch", "run_batch",
    "skip_up_to_date",
]

INDEX_NAME = "index.jsonl"
ERRORS_NAME = "errors.jsonl"
INDEX_INTERVAL_S = 2.0  # rewrite index/errors at most this often while a batch runs


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
    config = batch_config(config, max_chars)
    threads = threads or 1
    outcomes = plan_batch(inputs, out_dir)
    version, models = pipeline_version(), model_versions(config)
    if not force:
        outcomes = skip_up_to_date(outcomes, version, models)
    todo = [outcome.job for outcome in outcomes if outcome.status == "todo"]

    with BatchProgress(out_dir, outcomes, progress, stderr or sys.stderr) as run:
        if todo:
            work.prepare_worker(config, version, models, threads)
        if jobs <= 1 or len(todo) <= 1:
            for group in job_groups(todo):
                for outcome in work.process_group(group):
                    run.report(outcome)
        else:
            _run_pool(todo, jobs, threads, run.report)
    return run.summary(jobs, time.perf_counter() - clock)


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
            max_workers=workers, mp_context=get_context("fork"), initializer=set_threads,
            initargs=(threads,),
        )
        in_flight: dict[Future[list[Outcome]], list[Job]] = {}
        crashed: list[Job] = []
        try:
            while (queue or suspects or in_flight) and not crashed:
                if suspects:
                    if not in_flight:
                        group = [suspects.pop(0)]
                        in_flight[pool.submit(work.process_group, group)] = group
                else:
                    while queue and len(in_flight) < workers:
                        group = queue.pop(0)
                        in_flight[pool.submit(work.process_group, group)] = group
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
