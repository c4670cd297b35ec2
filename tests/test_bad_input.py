"""Bad input: one batch holding every kind of trouble plus good documents.

Each bad file gets one clear line in errors.jsonl and on stderr (or a sensible
result), and every good document in the same batch is still written.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import time
from pathlib import Path

import pytest
from conftest import ROOT

from pipeline.batch import Job, Outcome
from pipeline.cli import main
from pipeline.graph import read_graph, validate_file

SAMPLE = ROOT / "corpus" / "contoh_diplomasi_maritim.txt"

NO_HEADINGS = (
    "Kerja sama maritim antara Indonesia dan Malaysia meningkat dalam sepuluh tahun terakhir. "
    "Pada tahun 2018 kedua negara mengadakan patroli bersama di Selat Malaka sebanyak dua belas "
    "kali. Oleh karena itu, ancaman perompakan di kawasan tersebut menurun secara nyata.\n\n"
    "Namun, kerja sama ini masih menghadapi kendala anggaran. Pemerintah perlu memperkuat "
    "koordinasi antarlembaga agar patroli dapat berjalan secara rutin.\n"
)
ENGLISH = (
    "Maritime Cooperation in Southeast Asia\n\n"
    "Introduction\n\n"
    "Maritime cooperation between Indonesia and Malaysia has grown over the last decade. "
    "In 2018 the two navies held twelve joint patrols in the Strait of Malacca. "
    "Piracy in the strait therefore declined markedly.\n\n"
    "Conclusion\n\n"
    "Joint patrols work, but they need stable funding to last.\n"
)
CP1252 = (
    "Diplomasi Kebudayaan\n\n"
    "Pendahuluan\n\n"
    "Menurut Andr\u00e9 Siregar, \u201cdiplomasi kebudayaan\u201d adalah sarana yang efektif "
    "untuk membangun citra negara \u2013 terutama di Eropa. Pada tahun 2015 pemerintah "
    "menyelenggarakan 40 pertunjukan seni di Paris.\n"
)
TWENTY_MB = 20 * 1024 * 1024


def make_pdf(path: Path, text: str | None) -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    pdf = canvas.Canvas(str(path), pagesize=A4)
    pdf.setFillGray(0.5)
    pdf.rect(72, 500, 300, 200, fill=1)  # a "scan": marks on the page, no text layer
    if text:
        y = 800
        for line in text.splitlines():
            pdf.drawString(72, y, line)
            y -= 14
    pdf.showPage()
    pdf.save()


def make_docx(path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_heading("Kerja Sama Maritim", level=1)
    document.add_heading("Pendahuluan", level=2)
    for paragraph in NO_HEADINGS.split("\n\n"):
        document.add_paragraph(paragraph.strip())
    document.save(str(path))


@pytest.fixture(scope="module")
def bad_batch(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("bad")
    inputs = root / "inputs"
    (inputs / "a").mkdir(parents=True)
    (inputs / "b").mkdir()
    (inputs / "empty.txt").write_bytes(b"")
    rng = random.Random(6)
    (inputs / "junk.txt").write_bytes(bytes(rng.randrange(256) for _ in range(4096)) + b"\0" * 64)
    (inputs / "cp1252.txt").write_bytes(CP1252.encode("cp1252"))
    make_pdf(inputs / "scan.pdf", None)
    make_pdf(root / "full.pdf", "Judul\n\nPendahuluan\n\n" + NO_HEADINGS.replace("\n\n", "\n"))
    data = (root / "full.pdf").read_bytes()
    (inputs / "truncated.pdf").write_bytes(data[: len(data) // 2])
    shutil.copy(root / "full.pdf", inputs / "report.pdf")
    make_docx(inputs / "paper.docx")
    with open(inputs / "huge.txt", "wb") as stream:
        block = (NO_HEADINGS * 40).encode("utf-8")
        while stream.tell() < TWENTY_MB:
            stream.write(block)
    (inputs / "no_headings.txt").write_text(NO_HEADINGS, encoding="utf-8")
    (inputs / "english.txt").write_text(ENGLISH, encoding="utf-8")
    (inputs / "a" / "same.txt").write_text(ENGLISH, encoding="utf-8")
    (inputs / "b" / "same.txt").write_text(NO_HEADINGS, encoding="utf-8")
    shutil.copy(SAMPLE, inputs / "good.txt")
    (inputs / "notes.rtf").write_text("{\\rtf1 bukan dokumen}", encoding="utf-8")

    out = root / "out"
    out.mkdir()
    (out / "blocked.jsonl").mkdir()  # the output path of blocked.txt cannot be written
    (inputs / "blocked.txt").write_text(NO_HEADINGS, encoding="utf-8")

    started = time.perf_counter()
    status = main(["extract", str(inputs), str(inputs / "notes.rtf"), "-o", str(out), "-q"])
    seconds = time.perf_counter() - started
    index = {Path(entry["source"]).relative_to(inputs).as_posix(): entry
             for entry in map(json.loads, (out / "index.jsonl").read_text().splitlines())}
    errors = {Path(entry["file"]).relative_to(inputs).as_posix(): entry
              for entry in map(json.loads, (out / "errors.jsonl").read_text().splitlines())}
    return {"status": status, "index": index, "errors": errors, "out": out, "seconds": seconds}


def failure(bad_batch: dict, name: str) -> dict:
    entry = bad_batch["index"][name]
    assert entry["status"] == "failed", f"{name} was expected to fail: {entry}"
    error = bad_batch["errors"][name]
    assert error["stage"] and error["reason"], error
    assert "\n" not in error["reason"] and len(error["reason"]) <= 400
    assert "Traceback" not in error["reason"]
    return error


def success(bad_batch: dict, name: str) -> dict:
    entry = bad_batch["index"][name]
    assert entry["status"] == "ok", f"{name}: {entry.get('stage')}: {entry.get('reason')}"
    assert validate_file(entry["output"]) == []
    return entry


def test_batch_reports_failures_with_exit_status_1(bad_batch: dict) -> None:
    assert bad_batch["status"] == 1
    assert set(bad_batch["errors"]) <= set(bad_batch["index"])


def test_good_documents_survive(bad_batch: dict) -> None:
    entry = success(bad_batch, "good.txt")
    assert read_graph(entry["output"]).document.counts == entry["counts"]


def test_empty_file(bad_batch: dict) -> None:
    error = failure(bad_batch, "empty.txt")
    assert error["stage"] == "ingest" and "empty" in error["reason"]


def test_binary_junk_named_txt(bad_batch: dict) -> None:
    error = failure(bad_batch, "junk.txt")
    assert error["stage"] == "ingest"
    assert any(word in error["reason"].lower() for word in ("binary", "not text", "not a text"))


@pytest.mark.parametrize("name", ["report.pdf", "paper.docx"])
def test_pdf_and_docx_text_is_written_beside_the_graph(bad_batch: dict, name: str) -> None:
    entry = success(bad_batch, name)
    graph = read_graph(entry["output"])
    assert graph.document.text_path == Path(entry["output"]).with_suffix(".txt").name
    assert "patroli bersama" in graph.text()


def test_cp1252_text_is_decoded(bad_batch: dict) -> None:
    entry = success(bad_batch, "cp1252.txt")
    graph = read_graph(entry["output"])
    text = graph.text()
    assert "\u201cdiplomasi kebudayaan\u201d" in text and "Andr\u00e9" in text
    assert graph.document.text_path.endswith("cp1252.txt")


def test_pdf_without_text_layer(bad_batch: dict) -> None:
    error = failure(bad_batch, "scan.pdf")
    assert error["stage"] == "ingest"
    assert any(word in error["reason"].lower() for word in ("no text", "text layer", "ocr", "scan"))


def test_truncated_pdf(bad_batch: dict) -> None:
    error = failure(bad_batch, "truncated.pdf")
    assert error["stage"] == "ingest"
    assert "pdf" in error["reason"].lower()


def test_twenty_megabyte_text_is_refused_quickly(bad_batch: dict) -> None:
    assert (Path(bad_batch["out"]).parent / "inputs" / "huge.txt").stat().st_size >= TWENTY_MB
    error = failure(bad_batch, "huge.txt")
    assert error["stage"] == "ingest" and "--max-chars" in error["reason"]
    assert bad_batch["seconds"] < 300


def test_document_without_headings(bad_batch: dict) -> None:
    entry = success(bad_batch, "no_headings.txt")
    assert entry["counts"]["units"] >= 5


def test_english_document(bad_batch: dict) -> None:
    entry = success(bad_batch, "english.txt")
    graph = read_graph(entry["output"])
    assert graph.document.language == "en"
    assert entry["counts"]["units"] >= 4


def test_same_name_in_two_folders(bad_batch: dict) -> None:
    first = success(bad_batch, "a/same.txt")
    second = success(bad_batch, "b/same.txt")
    assert Path(first["output"]).name == "same.jsonl"
    assert Path(second["output"]).name == "same-2.jsonl"
    assert read_graph(second["output"]).document.source.endswith(os.path.join("b", "same.txt"))


def test_unsupported_file_named_explicitly(bad_batch: dict) -> None:
    error = failure(bad_batch, "notes.rtf")
    assert error["stage"] == "discover" and ".rtf" in error["reason"]


def test_output_file_that_cannot_be_written(bad_batch: dict) -> None:
    error = failure(bad_batch, "blocked.txt")
    assert error["stage"] == "write" and "blocked.jsonl" in error["reason"]


def test_output_folder_that_cannot_be_written(tmp_path: Path,
                                              capsys: pytest.CaptureFixture) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    assert main(["extract", str(SAMPLE), "-o", str(blocker / "out")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "cannot write to the output folder" in err[0]
    if os.geteuid() != 0:  # root writes anywhere; the file-as-folder case above covers it
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        assert main(["extract", str(SAMPLE), "-o", str(locked)]) == 2


def test_failures_are_reported_on_stderr(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    shutil.copy(SAMPLE, tmp_path / "good.txt")
    assert main(["extract", str(tmp_path), "-o", str(tmp_path / "out"), "-q"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert err[0].startswith("argmap: failed: ") and "empty.txt" in err[0] and "ingest" in err[0]
    assert (tmp_path / "out" / "good.jsonl").is_file()


def crash_on_request(group: list[Job]) -> list[Outcome]:  # stands in for pipeline.batch.work.process_group
    """A worker that dies (as on out-of-memory) on any group holding a document named crash*."""
    if any(job.doc_id.startswith("crash") for job in group):
        os._exit(9)
    time.sleep(0.2)
    return [Outcome(job=job, status="ok", counts={}, worker=os.getpid()) for job in group]


def test_a_dying_worker_loses_only_its_document(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    from pipeline import batch
    from pipeline.batch import work

    inputs = tmp_path / "inputs"
    inputs.mkdir()
    for name in ("a.txt", "crash.txt", "b.txt", "c.txt"):
        (inputs / name).write_text(NO_HEADINGS, encoding="utf-8")
    monkeypatch.setattr(work, "process_group", crash_on_request)
    assert len(batch.job_groups([Job(path=path, doc_id=path.stem, output=tmp_path / path.name)
                                 for path in sorted(inputs.iterdir())])) == 1  # one group dies
    monkeypatch.setattr(work, "prepare_worker", lambda *args: None)
    assert main(["extract", str(inputs), "-o", str(tmp_path / "out"), "-j", "2", "-q"]) == 1
    index = {entry["id"]: entry for entry in
             map(json.loads, (tmp_path / "out" / "index.jsonl").read_text().splitlines())}
    assert index["crash"]["status"] == "failed" and index["crash"]["stage"] == "worker"
    assert [index[name]["status"] for name in ("a", "b", "c")] == ["ok", "ok", "ok"]
