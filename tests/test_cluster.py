"""The Dask batch (pipeline/cluster.py): `argmap extract --scheduler local|ADDRESS`.

The cluster runs go into the folder of a `-j 1` run of the same code with
--force, so every file (graphs, extracted text, index.jsonl, errors.jsonl) can be
compared byte for byte.  The real cluster is the venv's `dask scheduler` and two
`dask worker` processes on 127.0.0.1; workers are killed with SIGKILL mid-document.
"""

from __future__ import annotations

import json
import os
import pickle
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import cloudpickle
import docx
import pytest
from conftest import SEED, SHARED, without_text_path
from distributed import Client

from pipeline.batch import Job
from pipeline.cli import main
from pipeline.cluster import SHIP_LIMIT, WORKER_DIED, PipelinePlugin, _shipped_bytes
from pipeline.config import Config
from pipeline.graph import validate_file

CORPUS = SHARED / "corpus"
# SEED (conftest), the longest: a few seconds, long enough to kill a worker in
SHORT = ("ir-excerpt-b02_perdagangan_manusia_pbb_bab1.txt",
         "ir-excerpt-b09_tiongkok_maritim_kepentingan_nasional.txt",
         "ir-excerpt-b22_kerjasama_indonesia_timor_leste_bab5.txt")
DASK = Path(sys.executable).parent / "dask"
DOCX_PARAGRAPHS = (
    "Kerja Sama Maritim",
    "Pendahuluan",
    ("Indonesia menilai kerja sama maritim penting bagi stabilitas kawasan. "
     "Pada tahun 2020 kedua negara menandatangani perjanjian patroli bersama."),
    "Kesimpulan",
    "Oleh karena itu, kerja sama ini perlu diperluas ke bidang ekonomi.",
)


# the workers cannot import this module: what runs there travels by value
cloudpickle.register_pickle_by_value(sys.modules[__name__])


def snapshot(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())
            if path.is_file() and not path.name.startswith(".")}


def index_of(folder: Path) -> dict[str, dict]:
    lines = (folder / "index.jsonl").read_text(encoding="utf-8").splitlines()
    return {entry["id"]: entry for entry in map(json.loads, lines)}


def extract(*args: str) -> int:
    return main(["extract", *args, "-q"])


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed, three short shared documents, a DOCX of our own, an empty file
    and a file that is not a PDF."""
    if not SEED.is_file():
        pytest.fail(f"the shared corpus {CORPUS} is missing (SHARED_DIR)")
    folder = tmp_path_factory.mktemp("inputs")
    for path in (SEED, *(CORPUS / name for name in SHORT)):
        shutil.copy(path, folder / path.name)
    document = docx.Document()
    for number, text in enumerate(DOCX_PARAGRAPHS):
        if number in (1, 3):
            document.add_heading(text, level=1)
        else:
            document.add_paragraph(text)
    document.save(folder / "kerja_sama.docx")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "broken.pdf").write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 8)
    return folder


@pytest.fixture(scope="module")
def reference(inputs: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """A -j 1 run: its folder (the cluster runs write into it with --force) and its files."""
    out = tmp_path_factory.mktemp("out")
    assert extract(str(inputs), "-o", str(out)) == 1  # the two bad files fail
    files = snapshot(out)
    assert {"kerja_sama.jsonl", "kerja_sama.txt", "errors.jsonl"} <= set(files)
    assert len(files["errors.jsonl"].splitlines()) == 2
    return out, files


def scheduler_address(scheduler_file: Path) -> str:
    """The address a starting `dask scheduler` writes into its --scheduler-file (60 s at most)."""
    for _ in range(600):
        if scheduler_file.is_file() and scheduler_file.stat().st_size:
            break
        time.sleep(0.1)
    return json.loads(scheduler_file.read_text())["address"]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real `dask scheduler` and two `dask worker` processes on 127.0.0.1; its address."""
    folder = tmp_path_factory.mktemp("dask")
    scheduler_file = folder / "scheduler.json"
    common = ["--no-dashboard"]

    def start(command: list[str], log: str) -> subprocess.Popen:
        with open(folder / log, "wb") as stream:
            return subprocess.Popen([str(DASK), *command, *common], stdout=subprocess.DEVNULL,
                                    stderr=stream)

    processes = [start(["scheduler", "--host", "127.0.0.1", "--port", "0",
                        "--scheduler-file", str(scheduler_file)], "scheduler.log")]
    try:
        address = scheduler_address(scheduler_file)
        for number in (1, 2):
            processes.append(start(["worker", address, "--host", "127.0.0.1", "--nthreads", "1",
                                    "--nworkers", "1", "--name", f"worker-{number}"],
                                   f"worker-{number}.log"))
        with Client(address, timeout=60, set_as_default=False) as client:
            client.wait_for_workers(2, timeout=120)
        yield address
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


def _running(dask_worker: object = None) -> tuple[int, list[str]]:
    """This worker's process id and the keys of the tasks it is executing."""
    return os.getpid(), [str(task.key) for task in dask_worker.state.executing]  # type: ignore[attr-defined]


class Killer(threading.Thread):
    """Kills (SIGKILL) each worker seen running ``doc_id``, up to ``times`` workers."""

    def __init__(self, address: str, doc_id: str, times: int) -> None:
        super().__init__(daemon=True)
        self.address, self.prefix, self.times = address, f"argmap-{doc_id}-", times
        self.killed: list[int] = []
        self.stop = threading.Event()

    def run(self) -> None:
        with Client(self.address, timeout=60, set_as_default=False) as client:
            while len(self.killed) < self.times and not self.stop.is_set():
                states = client.run(_running, on_error="return")
                for state in states.values():
                    if isinstance(state, BaseException) or state[0] in self.killed:
                        continue
                    if any(key.startswith(self.prefix) for key in state[1]):
                        os.kill(state[0], signal.SIGKILL)
                        self.killed.append(state[0])
                        break
                time.sleep(0.05)


# ---------------------------------------------------------------------------
# Quick checks


def test_small_inputs_travel_with_the_task_unless_shared(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes(b"Teks pendek.\n")
    job = Job(path=path, doc_id="a", output=tmp_path / "a.jsonl")
    assert _shipped_bytes(job, inputs_shared=False, ship_limit=SHIP_LIMIT) == b"Teks pendek.\n"
    assert _shipped_bytes(job, inputs_shared=True, ship_limit=SHIP_LIMIT) is None
    assert _shipped_bytes(job, inputs_shared=False, ship_limit=5) is None


def test_the_plugin_pickles_its_config_never_a_pipeline() -> None:
    plugin = PipelinePlugin(Config(), threads=2)
    plugin.pipeline, plugin.ready = object(), True
    copy = pickle.loads(pickle.dumps(plugin))
    assert copy.config == plugin.config and copy.threads == 2
    assert copy.pipeline is None and not copy.ready


def test_inputs_shared_needs_a_scheduler(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert extract(str(SEED), "-o", str(tmp_path), "--inputs-shared") == 2
    assert "--inputs-shared goes with --scheduler" in capsys.readouterr().err


def test_workers_without_models_stop_the_run(tmp_path: Path,
                                             capsys: pytest.CaptureFixture) -> None:
    assert extract(str(SEED), "-o", str(tmp_path / "out"), "--scheduler", "local",
                   "--models", str(tmp_path / "no-models")) == 2
    err = capsys.readouterr().err
    assert "cannot load the pipeline" in err and "no-models" in err
    assert not (tmp_path / "out" / f"{SEED.stem}.jsonl").exists()


# ---------------------------------------------------------------------------
# LocalCluster and a real scheduler: the same bytes as -j 1


@pytest.mark.slow
def test_local_cluster_writes_the_same_bytes_as_j1(reference: tuple[Path, dict],
                                                   inputs: Path) -> None:
    out, files = reference
    assert extract(str(inputs), "-o", str(out), "--scheduler", "local", "-j", "2",
                   "--force") == 1
    assert snapshot(out) == files


@pytest.mark.slow
def test_real_scheduler_and_two_workers_write_the_same_bytes_as_j1(
        reference: tuple[Path, dict], inputs: Path, cluster: str) -> None:
    out, files = reference
    assert extract(str(inputs), "-o", str(out), "--scheduler", cluster, "--force") == 1
    assert snapshot(out) == files
    errors = [json.loads(line) for line in files["errors.jsonl"].splitlines()]
    assert {(error["id"], error["stage"]) for error in errors} == {("empty", "ingest"),
                                                                   ("broken", "ingest")}
    # --inputs-shared: the workers read the same paths (one machine here)
    assert extract(str(inputs), "-o", str(out), "--scheduler", cluster, "--force",
                   "--inputs-shared") == 1
    assert snapshot(out) == files


@pytest.mark.slow
def test_cluster_resumes_without_resubmitting(reference: tuple[Path, dict], inputs: Path,
                                              cluster: str) -> None:
    out, files = reference
    stamps = {path.name: path.stat().st_mtime_ns for path in out.glob("*.jsonl")
              if path.name not in ("index.jsonl", "errors.jsonl")}
    assert extract(str(inputs), "-o", str(out), "--scheduler", cluster) == 1
    statuses = {doc_id: entry["status"] for doc_id, entry in index_of(out).items()}
    assert statuses == {**{name.removesuffix(".jsonl"): "skipped" for name in stamps},
                        "empty": "failed", "broken": "failed"}
    assert {path.name: path.stat().st_mtime_ns for path in out.glob("*.jsonl")
            if path.name in stamps} == stamps
    now = snapshot(out)
    assert now.pop("index.jsonl") != files["index.jsonl"]  # "skipped" where it said "ok"
    assert now == {name: data for name, data in files.items() if name != "index.jsonl"}


# ---------------------------------------------------------------------------
# Faults


@pytest.mark.slow
def test_a_killed_worker_loses_no_document(reference: tuple[Path, dict], inputs: Path,
                                           cluster: str) -> None:
    out, files = reference
    killer = Killer(cluster, SEED.stem, times=1)
    killer.start()
    try:
        assert extract(str(inputs), "-o", str(out), "--scheduler", cluster, "--force") == 1
    finally:
        killer.stop.set()
        killer.join()
    assert len(killer.killed) == 1
    assert index_of(out)[SEED.stem]["status"] == "ok"
    assert snapshot(out) == files


@pytest.mark.slow
def test_a_document_that_kills_two_workers_is_recorded_as_failed(
        reference: tuple[Path, dict], inputs: Path, cluster: str, tmp_path: Path) -> None:
    _, files = reference
    killer = Killer(cluster, SEED.stem, times=2)
    killer.start()
    try:
        assert extract(str(inputs), "-o", str(tmp_path / "out"), "--scheduler", cluster) == 1
    finally:
        killer.stop.set()
        killer.join()
    assert len(killer.killed) == 2
    index = index_of(tmp_path / "out")
    assert index[SEED.stem]["status"] == "failed"
    assert (index[SEED.stem]["stage"], index[SEED.stem]["reason"]) == ("worker", WORKER_DIED)
    errors = (tmp_path / "out" / "errors.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["id"] for line in errors] == [SEED.stem, "broken", "empty"]
    for name in SHORT:  # .txt inputs: the graph depends on the output folder only in text_path
        graph = name.replace(".txt", ".jsonl")
        assert without_text_path((tmp_path / "out" / graph).read_bytes()) == without_text_path(files[graph])


@pytest.mark.slow
def test_a_scheduler_that_goes_away_ends_the_run_and_keeps_what_finished(
        tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    documents = tmp_path / "inputs"
    documents.mkdir()
    for path in sorted(CORPUS.glob("*.txt"))[:12]:
        shutil.copy(path, documents / path.name)
    scheduler_file = tmp_path / "scheduler.json"
    scheduler = subprocess.Popen(
        [str(DASK), "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
         "--scheduler-file", str(scheduler_file)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    worker = None
    try:
        address = scheduler_address(scheduler_file)
        worker = subprocess.Popen(
            [str(DASK), "worker", address, "--host", "127.0.0.1", "--nthreads", "1",
             "--no-dashboard"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        out = tmp_path / "out"

        def kill_after_first_graph() -> None:
            while scheduler.poll() is None:
                if any(path.name not in ("index.jsonl", "errors.jsonl")
                       for path in out.glob("*.jsonl")):
                    scheduler.kill()
                    return
                time.sleep(0.02)

        watcher = threading.Thread(target=kill_after_first_graph, daemon=True)
        watcher.start()
        assert extract(str(documents), "-o", str(out), "--scheduler", address) == 1
        watcher.join()
        assert "lost the Dask scheduler" in capsys.readouterr().err
        index = index_of(out)
        written = {path.stem for path in out.glob("*.jsonl")} - {"index", "errors"}
        assert 1 <= len(index) < 12
        assert set(index) == written
        for doc_id in written:
            assert index[doc_id]["status"] == "ok"
            assert validate_file(out / f"{doc_id}.jsonl") == []
        # the address no longer answers: a usage error
        assert extract(str(documents), "-o", str(out), "--scheduler", address) == 2
        assert "cannot reach the Dask scheduler" in capsys.readouterr().err
    finally:
        scheduler.kill()
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=30)
