"""The batch command line (pipeline/cli.py): `argmap extract PATH... -o DIR`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, SEED, without_text_path

from pipeline.batch import assign_ids, discover
from pipeline.cli import main
from pipeline.graph import read_graph, validate_file

CORPUS = ROOT / "corpus"
SAMPLES = discover([CORPUS], ROOT / "outputs")[0]  # what `make extract` reads


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def seed() -> Path:
    if not SEED.is_file():
        pytest.fail(f"the seed article {SEED} is missing: the tests need ../shared beside the "
                    "checkout (or SHARED_DIR pointing at it)")
    return SEED


@pytest.fixture(scope="module")
def batch(seed: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int, dict]:
    """One run over the sample corpus and the seed; returns (DIR, exit status, file bytes)."""
    out = tmp_path_factory.mktemp("extract")
    status = main(["extract", str(CORPUS), str(seed), "-o", str(out), "-q"])
    contents = {path.name: path.read_bytes() for path in out.glob("*.jsonl")}
    return out, status, contents


def test_corpus_has_samples() -> None:
    names = {path.name for path in SAMPLES}
    assert {"contoh_diplomasi_maritim.txt", "contoh_kerja_sama_perdagangan.txt"} <= names


def test_extract_writes_one_valid_graph_per_document(batch: tuple[Path, int, dict]) -> None:
    out, status, contents = batch
    assert status == 0
    expected = {f"{path.stem}.jsonl" for path in SAMPLES} | {f"{SEED.stem}.jsonl"}
    assert set(contents) == expected | {"index.jsonl", "errors.jsonl"}
    assert contents["errors.jsonl"] == b""
    for name in sorted(expected):
        assert validate_file(out / name) == [], name
        graph = read_graph(out / name)
        assert graph.document.id == name.removesuffix(".jsonl")
        assert graph.document.sha256 and graph.document.pipeline_version


def test_seed_graph_points_at_the_seed(batch: tuple[Path, int, dict]) -> None:
    out, _, _ = batch
    graph = read_graph(out / f"{SEED.stem}.jsonl")
    assert graph.document.source == str(SEED)
    # recorded from the graph's folder, so the graph opens from any working folder
    assert (out / graph.document.text_path).resolve() == SEED.resolve()
    assert graph.text() == SEED.read_text(encoding="utf-8")
    assert graph.document.text_length == len(graph.text())


def test_a_graph_opens_from_another_working_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Relative inputs and output folder, then the report made from another folder."""
    (tmp_path / "work" / "docs").mkdir(parents=True)
    (tmp_path / "work" / "docs" / "doc.txt").write_text(TINY, encoding="utf-8")
    monkeypatch.chdir(tmp_path / "work")
    assert main(["extract", "docs/doc.txt", "-o", "out", "-q"]) == 0
    assert read_graph(Path("out/doc.jsonl")).document.text_path == "../docs/doc.txt"
    assert main(["extract", "docs/doc.txt", "-o", "out", "-q"]) == 0  # up to date: skipped
    assert read_jsonl(Path("out/index.jsonl"))[0]["status"] == "skipped"
    monkeypatch.chdir(tmp_path)
    assert read_graph(Path("work/out/doc.jsonl")).text() == TINY
    assert main(["report", "work/out", "-o", "html"]) == 0
    assert "kerja sama maritim" in (tmp_path / "html" / "doc.html").read_text(encoding="utf-8")


def test_index_has_one_line_per_document(batch: tuple[Path, int, dict]) -> None:
    out, _, _ = batch
    index = read_jsonl(out / "index.jsonl")
    assert [entry["source"] for entry in index] == [*map(str, SAMPLES), str(SEED)]
    assert {entry["status"] for entry in index} == {"ok"}
    for entry in index:
        assert Path(entry["output"]).is_file()
        assert entry["counts"] == read_graph(entry["output"]).document.counts


def test_second_run_skips_everything_and_changes_nothing(batch: tuple[Path, int, dict]) -> None:
    out, _, contents = batch
    stamps = {name: (out / name).stat().st_mtime_ns for name in contents if name != "index.jsonl"
              and name != "errors.jsonl"}
    assert main(["extract", str(CORPUS), str(SEED), "-o", str(out), "-q"]) == 0
    assert {entry["status"] for entry in read_jsonl(out / "index.jsonl")} == {"skipped"}
    for name, stamp in stamps.items():
        assert (out / name).stat().st_mtime_ns == stamp, name
        assert (out / name).read_bytes() == contents[name]


def test_force_redoes_and_output_is_byte_identical(batch: tuple[Path, int, dict]) -> None:
    out, _, contents = batch
    sample = SAMPLES[0]
    before = (out / f"{sample.stem}.jsonl").stat().st_mtime_ns
    assert main(["extract", str(sample), "-o", str(out), "--force", "-q"]) == 0
    assert (out / f"{sample.stem}.jsonl").stat().st_mtime_ns != before
    assert (out / f"{sample.stem}.jsonl").read_bytes() == contents[f"{sample.stem}.jsonl"]
    index = read_jsonl(out / "index.jsonl")
    # this run's document first, then the earlier runs' documents still in the folder
    assert index[0]["source"] == str(sample) and index[0]["status"] == "ok"
    assert len(index) == len(SAMPLES) + 1


TINY = ("Judul\n\nPendahuluan\n\nIndonesia menilai kerja sama maritim penting bagi kawasan. "
        "Pada tahun 2020 kedua negara menandatangani perjanjian baru.\n")


def test_changed_input_is_redone(tmp_path: Path) -> None:
    document = tmp_path / "doc.txt"
    document.write_text(TINY, encoding="utf-8")
    out = tmp_path / "out"
    assert main(["extract", str(document), "-o", str(out), "-q"]) == 0
    document.write_text(document.read_text(encoding="utf-8") + "\nTambahan.\n", encoding="utf-8")
    assert main(["extract", str(document), "-o", str(out), "-q"]) == 0
    assert read_jsonl(out / "index.jsonl")[0]["status"] == "ok"
    assert validate_file(out / "doc.jsonl") == []


def test_two_workers_give_the_same_bytes(batch: tuple[Path, int, dict], tmp_path: Path) -> None:
    _, _, contents = batch
    out = tmp_path / "j2"
    some = SAMPLES[:4]
    assert main(["extract", *map(str, some), "-o", str(out), "-j", "2", "-q"]) == 0
    for path in some:
        name = f"{path.stem}.jsonl"
        # equal but for text_path, which each output folder writes from itself
        graph = (out / name).read_bytes()
        assert without_text_path(graph) == without_text_path(contents[name]), name
        assert (out / json.loads(graph.split(b"\n", 1)[0])["text_path"]).resolve() == path.resolve()


def test_discover_and_ids(tmp_path: Path) -> None:
    for name in ("a/x.txt", "b/x.md", "b/X.pdf", "b/index.txt", "b/.hidden.txt", "b/notes.rtf",
                 "out/y.txt", "b/README.md"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("isi", encoding="utf-8")
    files, unsupported = discover([tmp_path, tmp_path / "a" / "x.txt"], tmp_path / "out")
    relative = [path.relative_to(tmp_path).as_posix() for path in files]
    assert relative == ["a/x.txt", "b/X.pdf", "b/index.txt", "b/x.md"]
    assert unsupported == []
    ids = [doc_id for _, doc_id in assign_ids(files)]
    assert ids == ["x", "X-2", "index-2", "x-3"]


def test_missing_input_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["extract", str(tmp_path / "nope.txt"), "-o", str(tmp_path / "out")]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert main(["extract", str(tmp_path), "-o", str(tmp_path / "out")]) == 2  # no documents


def test_help_documents_exit_status_and_resume() -> None:
    result = subprocess.run([sys.executable, "-m", "pipeline", "extract", "--help"],
                            capture_output=True, text=True, cwd=ROOT, check=True)
    for words in ("exit status", "errors.jsonl", "index.jsonl", "--force", "-j N", "resum"):
        assert words in result.stdout, words


def test_console_script_runs(tmp_path: Path) -> None:
    script = Path(sys.executable).with_name("argmap")
    if not script.exists():
        pytest.fail(f"console script {script} is not installed: pip install -e .")
    (tmp_path / "tiny.txt").write_text(TINY, encoding="utf-8")
    result = subprocess.run([str(script), "extract", str(tmp_path / "tiny.txt"), "-o",
                             str(tmp_path / "out")], check=False, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "1 document: 1 written" in result.stderr
    assert validate_file(tmp_path / "out" / "tiny.jsonl") == []


def test_validate_command(batch: tuple[Path, int, dict], tmp_path: Path,
                          capsys: pytest.CaptureFixture) -> None:
    out, _, _ = batch
    assert main(["validate", str(out)]) == 0
    broken = tmp_path / "broken.jsonl"
    lines = (out / f"{SEED.stem}.jsonl").read_text(encoding="utf-8").splitlines()
    record = json.loads(lines[1])
    record["start"] = -1
    broken.write_text("\n".join([lines[0], json.dumps(record), *lines[2:]]) + "\n",
                      encoding="utf-8")
    capsys.readouterr()
    assert main(["validate", str(broken)]) == 1
    assert "-1" in capsys.readouterr().out


def test_no_command_is_a_usage_error() -> None:
    assert main([]) == 2
