"""The batch of :mod:`pipeline.batch` on a Dask cluster: ``argmap extract --scheduler``.

Dask (``dask.distributed``) schedules; this module only says what a document
task is.  The client (this process) finds the inputs, names them and decides
what is up to date exactly as the local batch does (:func:`pipeline.batch.plan.plan_batch`,
:func:`pipeline.batch.plan.skip_up_to_date`), then submits one task per document to
do.  Each worker builds the :class:`pipeline.language.Pipeline` once, in its own
process, through :class:`PipelinePlugin` (nothing is pickled from the client
but the config); a task runs the pipeline on one document and sends back the
rendered graph (:func:`pipeline.batch.work.render`), never writing a file.  The
client writes every output atomically and keeps ``index.jsonl`` and
``errors.jsonl`` (:class:`pipeline.batch.BatchProgress`), so the workers need
no shared file system for outputs.

Inputs travel with their task (bytes, for files up to :data:`SHIP_LIMIT`) or
are read by the worker from the path the client gave (``inputs_shared``, and
larger files).  A document whose worker dies under it is started once more on
another worker; a second death records it as failed (stage ``worker``).  The
starts are counted in the scheduler's metadata, so the count outlives the worker.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import sys
import tempfile
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import dask
from distributed import Client, Future, LocalCluster, as_completed, get_client, get_worker
from distributed.diagnostics.plugin import WorkerPlugin

from pipeline.batch import BatchProgress
from pipeline.batch.plan import (
    BatchSummary,
    Job,
    Outcome,
    UsageError,
    batch_config,
    plan_batch,
    skip_up_to_date,
)
from pipeline.batch.work import (
    Rendered,
    load_pipeline,
    measure,
    render,
    set_threads,
    write_rendered,
)
from pipeline.config import Config

LOCAL = "local"  # --scheduler local: a LocalCluster of -j single-threaded worker processes
SHIP_LIMIT = 64 * 2**20  # bytes; larger inputs are read by the workers from their path
MAX_STARTS = 2  # a document is started at most twice: once, and once more after its worker died
CONNECT_TIMEOUT_S = 10
STARTS_KEY = "argmap-starts"  # the scheduler's metadata: run id -> task key -> starts
# The LocalCluster's settings (BENCH.md).  Dask's nanny starts workers with
# MALLOC_TRIM_THRESHOLD_=65536, which also stops glibc adapting its mmap threshold:
# every tensor over 128 KiB is then mapped and unmapped again (4x the page faults).
# The event-loop health check, memory and system monitors wake every 20, 100 and
# 500 ms in every worker, nanny and the scheduler, on the cores the documents need;
# a document's memory is steady, and seconds are fine for them.
WORKER_CONFIG = {
    "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None,
    "distributed.admin.tick.interval": "1s",
    "distributed.worker.memory.monitor-interval": "1s",
    "distributed.admin.system-monitor.interval": "2s",
}
WORKER_DIED = ("the worker process died twice on this document "
               "(out of memory, a crash in native code, or the worker was killed)")


class SchedulerLost(RuntimeError):
    """The scheduler went away during the run; the finished documents were kept."""


@dataclass
class DocumentTask:
    """What a worker needs for one document: the job (paths as the client sees
    them), the input's bytes or None (read ``job.path``), and the versions the
    client decided resuming with."""

    job: Job
    data: bytes | None
    version: str
    models: dict[str, str]
    plugin: str  # the name of the PipelinePlugin holding this run's pipeline
    starts: list[str]  # where the scheduler's metadata counts this document's starts


# ---------------------------------------------------------------------------
# On the workers


class PipelinePlugin(WorkerPlugin):
    """Builds the pipeline once per worker process, when the worker joins (or
    when a run registers the plugin), with ``threads`` torch threads.

    The client pickles only the config; the models load from the worker's own
    models folder (``config.models_dir`` as the worker sees it).  A worker that
    cannot load them keeps the reason in :attr:`error`."""

    idempotent = True  # a second run with the same config reuses the loaded workers

    def __init__(self, config: Config, threads: int) -> None:
        self.config = config
        self.threads = threads
        self.pipeline: Any = None
        self.version = ""
        self.models: dict[str, str] = {}
        self.error = ""
        self.ready = False
        self._threads_set: set[int] = set()

    def __getstate__(self) -> dict[str, Any]:
        return {"config": self.config, "threads": self.threads}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["config"], state["threads"])  # type: ignore[misc]

    async def setup(self, worker: Any) -> None:
        # Dask's statistical profiler walks the running task's stack every 10 ms: 8 % of
        # each document's time here (BENCH.md), for a view of it no one needs
        for name in ("profile", "profile-cycle"):
            callback = worker.periodic_callbacks.pop(name, None)
            if callback is not None:
                callback.stop()
        # off the event loop: loading takes seconds, and the worker must keep answering
        await asyncio.to_thread(self._load)

    def _load(self) -> None:
        from pipeline.versions import model_versions, pipeline_version

        try:
            self.pipeline = load_pipeline(self.config, self.threads)
            self.version, self.models = pipeline_version(), model_versions(self.config)
        except UsageError as error:
            self.error = str(error)
        except Exception as error:  # noqa: BLE001 - reported to the client, not raised in the worker
            self.error = f"{type(error).__name__}: {error}"
        self.ready = True

    def use_threads(self) -> None:
        """Set the thread count in the calling thread too: OpenMP keeps it per thread,
        and Dask runs tasks in threads of its own."""
        ident = threading.get_ident()
        if ident not in self._threads_set:
            set_threads(self.threads)
            self._threads_set.add(ident)


async def _plugin_state(name: str, dask_worker: Any = None) -> tuple[str, str, dict[str, str]]:
    """(error, pipeline version, model versions) of this worker, once its plugin is ready."""
    while True:
        plugin = dask_worker.plugins.get(name)
        if plugin is not None and plugin.ready:
            return plugin.error, plugin.version, plugin.models
        await asyncio.sleep(0.2)


def _count_start(keys: list[str]) -> int:
    """How often the document was started before this start, which it counts.
    The count lives on the scheduler, so it outlives a worker that died."""
    client = get_client()  # the worker's own client, made once
    before = int(client.get_metadata(keys, default=0))
    client.set_metadata(keys, before + 1)
    return before


def extract_document(task: DocumentTask) -> tuple[Outcome, Rendered | None]:
    """The Dask task: one document through this worker's pipeline, rendered."""
    job = task.job
    worker = get_worker()
    failed = Outcome(job=job, status="failed", stage="worker", started=time.time(),
                     worker=os.getpid())
    plugin = worker.plugins.get(task.plugin)
    if plugin is None or not plugin.ready or plugin.error:
        failed.reason = (f"the worker {worker.address} has no pipeline: "
                         f"{plugin.error if plugin is not None else 'plugin not registered'}")
        return measure(failed), None
    if (plugin.version, plugin.models) != (task.version, task.models):
        failed.reason = (f"the worker {worker.address} runs pipeline {plugin.version} with other "
                         f"models than this run ({task.version}); give every worker the same "
                         "code and models")
        return measure(failed), None
    if _count_start(task.starts) >= MAX_STARTS:
        failed.reason = WORKER_DIED
        return measure(failed), None
    plugin.use_threads()
    if task.data is None:
        return _extract_from_path(job, plugin)
    with tempfile.TemporaryDirectory(prefix="argmap-", dir=worker.local_directory) as folder:
        copy = Path(folder) / f"input{job.path.suffix}"
        copy.write_bytes(task.data)
        outcome, rendered = render(job, plugin.pipeline, plugin.version, plugin.models,
                                   read_from=copy)
    return measure(outcome), rendered


def _extract_from_path(job: Job, plugin: PipelinePlugin) -> tuple[Outcome, Rendered | None]:
    """Read the input where the client named it; it must be the same bytes the client hashed."""
    outcome = Outcome(job=job, status="failed", stage="ingest", started=time.time(),
                      worker=os.getpid())
    try:
        digest = hashlib.sha256(job.path.read_bytes()).hexdigest()
    except OSError as error:
        outcome.reason = (f"the worker cannot read {job.path}: {error.strerror or error} "
                          "(inputs read by the workers must be at the same path there)")
        return measure(outcome), None
    if digest != job.sha256:
        outcome.reason = (f"the worker reads other bytes at {job.path} than the client "
                          "(sha256 differs): a changed file, or another file at that path")
        return measure(outcome), None
    outcome, rendered = render(job, plugin.pipeline, plugin.version, plugin.models)
    return measure(outcome), rendered


# ---------------------------------------------------------------------------
# On the client


def run_cluster(
    inputs: Sequence[Path | str],
    out_dir: Path | str,
    scheduler: str,
    jobs: int = 1,
    force: bool = False,
    max_chars: int | None = None,
    progress: bool = True,
    stderr: TextIO | None = None,
    threads: int | None = None,
    config: Config | None = None,
    inputs_shared: bool = False,
    ship_limit: int = SHIP_LIMIT,
) -> BatchSummary:
    """Process every input document into ``out_dir`` on the Dask cluster whose
    scheduler is at ``scheduler`` (``"local"``: a LocalCluster of ``jobs`` worker
    processes started here); see ``argmap extract --help``.

    Raises :class:`UsageError` as :func:`pipeline.batch.run_batch` does, and when
    the scheduler cannot be reached or no worker can load the models;
    :class:`SchedulerLost` when the scheduler goes away during the run (after
    writing the index of what finished)."""
    clock = time.perf_counter()
    stderr = stderr or sys.stderr
    out_dir = Path(out_dir)
    config = batch_config(config, max_chars)
    threads = threads or 1
    outcomes = plan_batch(inputs, out_dir)
    with _client(scheduler, jobs, stderr, progress) as client:
        plugin = _start_pipelines(client, config, threads, stderr, progress)
        version, models = _worker_versions(client, plugin)
        if not force:
            outcomes = skip_up_to_date(outcomes, version, models)
        todo = [outcome.job for outcome in outcomes if outcome.status == "todo"]
        run_id = uuid.uuid4().hex[:12]
        with BatchProgress(out_dir, outcomes, progress, stderr) as run:

            def task_for(job: Job, key: str) -> DocumentTask:
                return DocumentTask(job=job, data=_shipped_bytes(job, inputs_shared, ship_limit),
                                    version=version, models=models, plugin=plugin,
                                    starts=[STARTS_KEY, run_id, key])

            try:
                _submit_all(client, todo, task_for, run.report, scheduler)
            finally:
                _forget_starts(client, run_id)
    return run.summary(jobs, time.perf_counter() - clock)


@contextmanager
def _client(scheduler: str, jobs: int, stderr: TextIO, progress: bool) -> Iterator[Client]:
    """A client of the scheduler at ``scheduler``, or of a LocalCluster started here."""
    if scheduler == LOCAL:
        with dask.config.set(WORKER_CONFIG):
            cluster = LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True,
                                   host="127.0.0.1", dashboard_address=None,
                                   silence_logs=logging.ERROR)
        try:
            with Client(cluster) as client:
                yield client
        finally:
            cluster.close()
        return
    # distributed logs each retry and reconnection; what matters reaches the user as one line
    logging.getLogger("distributed").setLevel(logging.CRITICAL)
    try:
        client = Client(scheduler, timeout=CONNECT_TIMEOUT_S)
    except (OSError, ValueError, TypeError) as error:
        raise UsageError(f"cannot reach the Dask scheduler at {scheduler}: {error}") from error
    with client:
        if not client.scheduler_info().get("workers"):
            if progress:
                print(f"argmap: waiting for a worker to join {scheduler}", file=stderr)
            client.wait_for_workers(1)
        yield client


def _start_pipelines(client: Client, config: Config, threads: int, stderr: TextIO,
                     progress: bool) -> str:
    """Register the plugin that builds the pipeline on every worker (now and as
    they join); returns its name, one per config and thread count."""
    digest = hashlib.sha256(repr((config, threads)).encode()).hexdigest()[:12]
    name = f"argmap-pipeline-{digest}"
    if progress:
        print("argmap: loading the models on the workers", file=stderr)
    client.register_plugin(PipelinePlugin(config, threads), name=name)
    return name


def _worker_versions(client: Client, plugin: str) -> tuple[str, dict[str, str]]:
    """The pipeline and model versions of the workers: what their outputs will
    say, and what resuming compares.  Every worker must agree."""
    states = client.run(_plugin_state, plugin, on_error="return")
    loaded: dict[str, tuple[str, dict[str, str]]] = {}
    errors: dict[str, str] = {}
    for address, state in states.items():
        if isinstance(state, BaseException):
            errors[address] = f"{type(state).__name__}: {state}"
        elif state[0]:
            errors[address] = state[0]
        else:
            loaded[address] = (state[1], state[2])
    if errors:
        # a later run registers the plugin afresh, after the models are fixed
        client.unregister_worker_plugin(plugin)
        address, error = next(iter(errors.items()))
        raise UsageError(f"worker {address} cannot load the pipeline: {error}")
    versions = {(version, tuple(sorted(models.items()))) for version, models in loaded.values()}
    if len(versions) > 1:
        raise UsageError("the workers run different code or models: "
                         + "; ".join(f"{address}: {version}" for address, (version, _) in
                                     sorted(loaded.items())))
    return next(iter(loaded.values()))


def _shipped_bytes(job: Job, inputs_shared: bool, ship_limit: int) -> bytes | None:
    """The input's bytes to send with the task, or None when the worker reads the path."""
    if inputs_shared:
        return None
    try:
        if job.path.stat().st_size > ship_limit:
            return None
        return job.path.read_bytes()
    except OSError:
        return None  # the worker reports it cannot read the file


def _submit_all(client: Client, todo: list[Job], task_for: Callable[[Job, str], DocumentTask],
                report: Callable[[Outcome], None], scheduler: str) -> None:
    """Submit the documents, a few per worker thread at a time (shipped inputs
    wait here, not in the scheduler's memory), and report each as it finishes."""
    queue = deque(todo)
    in_flight: dict[Future, Job] = {}
    completed = as_completed()
    limit, limit_checked = 2, 0.0

    def submit_more() -> None:
        nonlocal limit, limit_checked
        if time.monotonic() - limit_checked > 5:
            limit = max(2, 2 * sum(client.nthreads().values()))
            limit_checked = time.monotonic()
        while queue and len(in_flight) < limit:
            job = queue.popleft()
            key = f"argmap-{job.doc_id}-{uuid.uuid4().hex[:8]}"
            future = client.submit(extract_document, task_for(job, key), key=key, pure=False)
            in_flight[future] = job
            completed.add(future)

    try:
        submit_more()
        for future in completed:
            job = in_flight.pop(future)
            report(_outcome(future, job, scheduler))
            future.release()
            submit_more()
    finally:
        for future in in_flight:
            future.cancel()


def _forget_starts(client: Client, run_id: str) -> None:
    """Drop this run's start counts from the scheduler's metadata (when it is still there)."""
    with suppress(Exception):  # a lost scheduler has nothing left to drop
        client.set_metadata([STARTS_KEY, run_id], None)


def _outcome(future: Future, job: Job, scheduler: str) -> Outcome:
    """The finished document, its files written here; or why it failed."""
    from distributed.scheduler import KilledWorker
    from distributed.utils import CancelledError

    lost = SchedulerLost(f"lost the Dask scheduler at {scheduler}; the documents that finished "
                         "are written and in index.jsonl: run the same command again to do "
                         "the rest")
    if future.status == "cancelled":
        raise lost
    try:
        # a result lost with its worker after finishing is computed again, and waited for
        outcome, rendered = future.result()
    except CancelledError as error:
        raise lost from error
    except KilledWorker:
        return Outcome(job=job, status="failed", stage="worker", reason=WORKER_DIED)
    except Exception as error:  # noqa: BLE001 - e.g. a result that could not be sent back
        return Outcome(job=job, status="failed", stage="worker",
                       reason=f"{type(error).__name__}: {error}")
    outcome.job = job
    if rendered is not None:
        write_rendered(outcome, rendered)
    return outcome
