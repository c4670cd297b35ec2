"""The argraph/1 writer and reader (pipeline/graph.py)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from conftest import ROOT, SEED

from pipeline.cli import default_threads
from pipeline.graph import (
    SCHEMA_ID,
    GraphError,
    graph_records,
    iter_graphs,
    read_graph,
    to_networkx,
    validate_file,
    validate_records,
    write_graph,
)
from pipeline.language import Pipeline
from pipeline.model import (
    Citation,
    Document,
    FrontMatter,
    Note,
    Paragraph,
    Relation,
    Section,
    Source,
    Token,
    Unit,
)
from pipeline.versions import model_versions, pipeline_version

SAMPLE = ROOT / "corpus" / "contoh_diplomasi_maritim.txt"

TEXT = (
    "Judul Uji\n\n"                                   # 0..9
    "Pendahuluan\n\n"                                 # 11..22
    "Laut itu penting.¹ Pada tahun 2019 ada 60 kapal\n\n"
    "¹ Budi, *Laut*, (Jakarta: Pustaka, 2018), hal. 4\n\n"
    "yang masuk.\n\n"
    "DAFTAR PUSTAKA\n\n"
    "Budi. 2018. *Laut*. Jakarta: Pustaka\n"
)


def span_of(fragment: str, after: int = 0) -> tuple[int, int]:
    start = TEXT.index(fragment, after)
    return start, start + len(fragment)


def synthetic_document(media_type: str = "text/plain", text_path: str = "uji.txt") -> Document:
    """A small finished document with every kind of record, one sentence cut by a note."""
    heading = span_of("Pendahuluan")
    references = span_of("DAFTAR PUSTAKA")
    first = span_of("Laut itu penting.¹")
    second_a = span_of("Pada tahun 2019 ada 60 kapal")
    second_b = span_of("yang masuk.")
    note = span_of("Budi, *Laut*, (Jakarta: Pustaka, 2018), hal. 4")
    source = span_of("Budi. 2018. *Laut*. Jakarta: Pustaka")
    marker = span_of("¹")
    doc = Document(
        id="uji", source_path="uji.txt", text=TEXT, text_path=text_path, sha256="0" * 64,
        media_type=media_type,
        front=FrontMatter(title="Judul Uji", title_span=(0, 9), authors=["Dimas"]),
    )
    doc.sections = [
        Section("s1", heading[0], references[0] - 2, "Pendahuluan", *heading, "introduction"),
        Section("s2", references[0], len(TEXT) - 1, "DAFTAR PUSTAKA", *references, "references"),
    ]
    doc.paragraphs = [Paragraph("p1", first[0], second_b[1], "s1",
                                parts=[(first[0], second_a[1]), second_b])]
    doc.units = [
        Unit("u1", *first, TEXT[slice(*first)], "s1", "p1", label="claim",
             probabilities={"none": 0.2, "claim": 0.7000000001, "evidence": 0.1},
             attribution="own", producer="classifier",
             tokens=[Token("Laut", first[0], first[0] + 4)]),
        Unit("u2", second_a[0], second_b[1], "", "s1", "p1", parts=[second_a, second_b],
             label="evidence", kind="statistic", producer="rule:number"),
    ]
    doc.notes = [Note("n1", "1", *note, TEXT[slice(*note)], fields={"year": "2018", "author": "Budi"},
                      resolves_to="n1", source="b1")]
    doc.sources = [Source("b1", *source, TEXT[slice(*source)], group="", fields={"year": "2018"})]
    doc.citations = [Citation("c1", "u1", *marker, "1", "footnote", note="n1", source="b1")]
    doc.relations = [Relation("r1", "u2", "u1", "supports", 0.8, "rule"),
                     Relation("r2", "u1", "c1", "cites", 1.0, "citations")]
    return doc


def test_records_come_in_file_order_with_fixed_keys(tmp_path: Path) -> None:
    records = write_graph(synthetic_document(), tmp_path / "uji.jsonl", "0.1.0+test", {"m": "1"})
    assert [record["type"] for record in records] == [
        "document", "section", "section", "paragraph", "unit", "unit", "note", "source",
        "citation", "relation", "relation",
    ]
    lines = (tmp_path / "uji.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == records
    assert lines[0].startswith('{"type": "document", "schema": "argraph/1", "id": "uji"')
    assert "penting.¹" in lines[4]  # non-ASCII kept as written
    document = records[0]
    assert document["counts"] == {
        "sections": 2, "paragraphs": 1, "units": 2, "tokens": 1, "claims": 1, "evidence": 1,
        "major_claims": 0, "notes": 1, "sources": 1, "citations": 1, "relations": 2,
        "diagnostics": 0,
    }
    unit = records[4]
    assert list(unit)[:5] == ["type", "id", "start", "end", "text"]  # no parts: not cut
    assert unit["probabilities"] == {"claim": 0.7, "evidence": 0.1, "none": 0.2}
    cut = records[5]
    assert cut["parts"] == [[cut["start"], TEXT.index(" kapal") + 6], list(span_of("yang masuk."))]
    assert cut["text"] == "Pada tahun 2019 ada 60 kapal yang masuk."
    assert records[9] == {"type": "relation", "id": "r1", "from": "u2", "to": "u1",
                          "label": "supports", "score": 0.8, "producer": "rule"}


def test_written_graph_is_valid_and_slices_the_text(tmp_path: Path) -> None:
    (tmp_path / "uji.txt").write_text(TEXT, encoding="utf-8")
    out = tmp_path / "out" / "uji.jsonl"
    doc = synthetic_document(text_path=str(tmp_path / "uji.txt"))
    records = write_graph(doc, out)
    assert validate_records(records, TEXT) == []
    assert validate_file(out) == []


def test_same_document_gives_byte_identical_output(tmp_path: Path) -> None:
    write_graph(synthetic_document(), tmp_path / "a.jsonl", "v", {"b": "2", "a": "1"})
    write_graph(synthetic_document(), tmp_path / "b.jsonl", "v", {"a": "1", "b": "2"})
    assert (tmp_path / "a.jsonl").read_bytes() == (tmp_path / "b.jsonl").read_bytes()
    assert not list(tmp_path.glob(".*.tmp"))  # temporary files renamed away


def test_extracted_text_is_written_beside_the_graph_for_pdf(tmp_path: Path) -> None:
    doc = synthetic_document(media_type="application/pdf", text_path="")
    out = tmp_path / "uji.jsonl"
    records = write_graph(doc, out)
    assert records[0]["text_path"] == "uji.txt"  # beside the graph, from the graph's folder
    assert (tmp_path / "uji.txt").read_text(encoding="utf-8") == TEXT
    assert validate_file(out) == []


def test_validation_catches_broken_records(tmp_path: Path) -> None:
    records = graph_records(synthetic_document(), "uji.txt")
    assert validate_records(records, TEXT) == []
    broken = [dict(record) for record in records]
    broken[4]["label"] = "opinion"
    broken[8]["note"] = "n9"
    assert any("opinion" in problem for problem in validate_records(broken))
    broken[4]["label"] = "claim"
    assert validate_records(broken) == ["citation c1: note 'n9' is not a note id"]
    shifted = [dict(record) for record in records]
    shifted[6]["start"] += 1
    assert validate_records(shifted, TEXT) == ["note n1: text is not the slice at its offsets"]
    assert "out of order" in validate_records([records[0], records[4], records[1]])[0]


def test_writer_refuses_offsets_outside_the_text(tmp_path: Path) -> None:
    doc = synthetic_document()
    doc.units[0].end = len(TEXT) + 5
    with pytest.raises(GraphError, match="unit u1"):
        write_graph(doc, tmp_path / "uji.jsonl")
    assert not (tmp_path / "uji.jsonl").exists()


def test_read_graph_round_trip_and_networkx(tmp_path: Path) -> None:
    (tmp_path / "uji.txt").write_text(TEXT, encoding="utf-8")
    doc = synthetic_document(text_path=str(tmp_path / "uji.txt"))
    write_graph(doc, tmp_path / "uji.jsonl", "v1", {"model.pt": "abc"})
    graph = read_graph(tmp_path / "uji.jsonl")
    assert graph.document.schema == SCHEMA_ID
    assert graph.document.title == "Judul Uji" and graph.document.title_span == (0, 9)
    assert graph.document.model_versions == {"model.pt": "abc"}
    assert graph.text() == TEXT
    assert graph.units[1].parts == doc.units[1].parts
    assert graph.units[1].text == "Pada tahun 2019 ada 60 kapal yang masuk."
    assert graph.units[0].label == "claim" and graph.units[0].attribution == "own"
    assert graph.notes[0].fields == {"author": "Budi", "year": "2018"}
    assert graph.citations[0] == doc.citations[0]
    assert graph.relations == doc.relations
    assert [item.document.id for item in iter_graphs(tmp_path)] == ["uji"]
    network = to_networkx(graph)
    assert network.nodes["u2"]["label"] == "evidence"
    assert network.has_edge("u2", "u1", key="supports")
    assert network.has_edge("u1", "c1", key="cites")
    assert network.has_edge("c1", "n1", key="note") and network.has_edge("c1", "b1", key="source")
    assert network.has_edge("u1", "p1", key="part_of") and network.has_edge("p1", "s1")


def check_offsets(path: Path) -> None:
    """Every record's offsets slice the document text exactly."""
    graph = read_graph(path)
    text = graph.text()
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert validate_records(records, text) == []
    for unit in graph.units:
        pieces = [text[start:end] for start, end in unit.spans()]
        assert unit.text == " ".join(pieces)
        assert all(piece and piece == piece.strip() for piece in pieces), unit.id
    for note in graph.notes:
        assert note.text == text[note.start:note.end] and note.text.strip()
    for source in graph.sources:
        assert source.text == text[source.start:source.end] and source.text.strip()
    units = {unit.id: unit for unit in graph.units}
    for citation in graph.citations:
        assert text[citation.start:citation.end].strip(), citation.id
        if citation.unit:
            unit = units[citation.unit]
            assert unit.start <= citation.start and citation.end <= unit.end + 3, citation.id


@pytest.mark.parametrize("path", [SAMPLE, SEED], ids=["sample", "seed"])
def test_real_documents_write_valid_graphs(path: Path, tmp_path: Path) -> None:
    if not path.exists():
        pytest.fail(f"{path} is missing: tests need ../shared beside the checkout (or SHARED_DIR)")
    import torch

    torch.set_num_threads(default_threads())  # as an argmap worker runs
    doc = Pipeline().process_file(path, path.stem)
    out = tmp_path / f"{path.stem}.jsonl"
    write_graph(doc, out, pipeline_version(), model_versions())
    assert validate_file(out) == []
    check_offsets(out)
    graph = read_graph(out)
    assert graph.document.counts["units"] == len(graph.units) > 10
    assert graph.document.counts["notes"] >= 4


def test_interrupted_write_leaves_the_old_file_whole(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "uji.jsonl"
    write_graph(synthetic_document(), out, "v1")
    before = out.read_bytes()

    def killed(*_: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", killed)
    with pytest.raises(KeyboardInterrupt):
        write_graph(synthetic_document(), out, "v2")
    assert out.read_bytes() == before
    assert [path.name for path in tmp_path.iterdir()] == ["uji.jsonl"]


def test_the_version_hashes_the_stages_not_the_batch_engine() -> None:
    """Resuming redoes a document when the code that shapes its graph changes, not when the
    command line or the batch engine (a package of its own) does."""
    from pipeline.versions import PACKAGE_DIR, output_code_files

    hashed = {path.relative_to(PACKAGE_DIR).as_posix() for path in output_code_files()}
    assert {"nlp.py", "units.py", "relations.py", "graph/write.py", "language.py"} <= hashed
    assert not {name for name in hashed if name.startswith("batch/")}
    assert "cli.py" not in hashed and "cluster.py" not in hashed
