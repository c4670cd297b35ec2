"""Exports (pipeline/export/): AIF loads in arguebuf, brat spans are the text, CSV and
Parquet tables have one row per record, to_spacy spans are the units and citations.
On the seed's gold-labelled graph (tests/conftest.py: 94 claims, 50 evidence, 88
supports, 10 restates, 27 citations, 6 units cut by a note block)."""

from __future__ import annotations

import copy
import csv
import json
from collections import Counter
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.export import TABLES, export_folder, table_rows, to_aif, to_spacy
from pipeline.graph import Graph, read_graph


@pytest.fixture(scope="module")
def graph(seed_graph: Path) -> Graph:
    return read_graph(seed_graph)


def test_aif_has_i_nodes_for_units_and_ra_ma_nodes_for_relations(graph: Graph) -> None:
    aif = to_aif(graph)
    types = Counter(node["type"] for node in aif["nodes"])
    assert types == {"I": 94 + 50, "RA": 88, "MA": 10}
    nodes = {node["nodeID"]: node for node in aif["nodes"]}
    assert nodes["u2"] == {"nodeID": "u2", "text": graph.by_id()["u2"].text, "type": "I"}
    # a supports relation: premise → RA → conclusion
    relation = next(r for r in graph.relations if r.label == "supports")
    edges = {(edge["fromID"], edge["toID"]) for edge in aif["edges"]}
    assert {(relation.source, relation.id), (relation.id, relation.target)} <= edges
    assert len(aif["edges"]) == 2 * (88 + 10) and aif["locutions"] == []


def test_aif_files_load_in_arguebuf(seed_graph: Path, tmp_path: Path) -> None:
    arguebuf = pytest.importorskip("arguebuf")
    written = export_folder(seed_graph.parent, "aif", tmp_path)
    assert [path.name for path in written] == ["000_b7960c56fa7a1039.json"]
    loaded = arguebuf.load.file(written[0])
    assert len(loaded.atom_nodes) == 144 and len(loaded.scheme_nodes) == 98 and len(loaded.edges) == 196
    schemes = Counter(type(node.scheme).__name__ for node in loaded.scheme_nodes.values())
    assert schemes == {"Support": 88, "Rephrase": 10}
    assert loaded.atom_nodes["u2"].plain_text == read_graph(seed_graph).by_id()["u2"].text


def test_brat_spans_are_exact_slices_of_the_text(seed_graph: Path, tmp_path: Path) -> None:
    graph = read_graph(seed_graph)
    export_folder(seed_graph.parent, "brat", tmp_path)
    text = (tmp_path / "000_b7960c56fa7a1039.txt").read_text(encoding="utf-8")
    assert text == graph.text()
    kinds: Counter[str] = Counter()
    relations: Counter[str] = Counter()
    fragments_of: dict[str, list[tuple[int, int]]] = {}
    for line in (tmp_path / "000_b7960c56fa7a1039.ann").read_text(encoding="utf-8").splitlines():
        ident, annotation, *rest = line.split("\t")
        if ident.startswith("T"):
            kind, offsets = annotation.split(" ", 1)
            pieces = [tuple(map(int, piece.split())) for piece in offsets.split(";")]
            assert rest[0] == " ".join(text[start:end] for start, end in pieces), ident
            assert all("\n" not in text[start:end] for start, end in pieces)
            kinds[kind] += 1
            fragments_of[ident] = pieces
        elif ident.startswith("R"):
            relations[annotation.split()[0]] += 1
    assert kinds == {"Claim": 88, "MajorClaim": 6, "Evidence": 50, "Citation": 27}
    assert relations == {"supports": 88, "restates": 10, "cites": 27}
    # a unit cut by note blocks: its fragments cover both sides of the notes
    cut = graph.by_id()["u61"]
    assert any(pieces[0][0] == cut.start and pieces[-1][1] == cut.end for pieces in fragments_of.values())
    conf = (tmp_path / "annotation.conf").read_text(encoding="utf-8")
    assert "[entities]\nMajorClaim\nClaim\nEvidence\nCitation" in conf


def test_csv_tables_have_one_row_per_record(seed_graph: Path, tmp_path: Path) -> None:
    graph = read_graph(seed_graph)
    written = export_folder(seed_graph.parent, "csv", tmp_path)
    expected = {"documents": 1, "units": 146, "notes": 27, "sources": 14, "citations": 27,
                "relations": 125, "diagnostics": len(graph.diagnostics)}
    for name, count in expected.items():
        with open(tmp_path / f"{name}.csv", encoding="utf-8", newline="") as stream:
            rows = list(csv.DictReader(stream))
        assert len(rows) == count, name
        assert tuple(rows[0]) == TABLES[name] if rows else True
    with open(tmp_path / "citations.csv", encoding="utf-8", newline="") as stream:
        c26 = next(row for row in csv.DictReader(stream) if row["id"] == "c26")
    assert (c26["note"], c26["source"], c26["resolution"]) == ("n26", "", "missing_source")
    with open(tmp_path / "documents.csv", encoding="utf-8", newline="") as stream:
        document = next(csv.DictReader(stream))
    assert (document["claims"], document["unresolved_citation"], document["uncited_source"]) == ("94", "1", "0")
    pyarrow_parquet = pytest.importorskip("pyarrow.parquet")
    assert tmp_path / "units.parquet" in written
    table = pyarrow_parquet.read_table(tmp_path / "units.parquet")
    assert table.num_rows == 146 and table.column_names == list(TABLES["units"])


def test_table_rows_without_diagnostics_in_an_older_graph(graph: Graph) -> None:
    older = copy.copy(graph)
    older.diagnostics = []
    rows = table_rows([older])
    assert rows["diagnostics"] == [] and rows["documents"][0]["unsupported_claim"] == 0


def test_to_spacy_spans_are_the_units_and_citations(graph: Graph) -> None:
    doc = to_spacy(graph)
    assert doc.text == graph.text()
    claims = [unit for unit in graph.units if unit.label == "claim"]
    assert len(doc.spans["claim"]) == sum(len(unit.spans()) for unit in claims) == 97
    assert len(doc.spans["evidence"]) == 53 and len(doc.spans["citation"]) == 27
    units = graph.by_id()
    for span in doc.spans["claim"]:
        unit = units[span.id_]
        assert (span.start_char, span.end_char) in unit.spans()
        assert span.label_ == ("major_claim" if unit.major else "claim")
    marker = next(span for span in doc.spans["citation"] if span.id_ == "c26")
    assert marker.text == "²⁶" and marker.label_ == "footnote"


def test_export_of_a_folder_without_graphs_is_one_line_naming_it(tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", str(tmp_path), "--format", "aif", "-o", str(tmp_path / "x")]) == 1
    error = capsys.readouterr().err.strip()
    assert error == f"argmap: error: {tmp_path}: holds no <doc-id>.jsonl graph"
    broken = tmp_path / "broken.jsonl"
    broken.write_text(json.dumps({"type": "section"}) + "\n", encoding="utf-8")
    assert main(["export", str(tmp_path), "--format", "csv", "-o", str(tmp_path / "x")]) == 1
    assert capsys.readouterr().err.strip() == (
        f"argmap: error: {broken}: the first record is not a document record")
