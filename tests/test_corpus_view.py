"""The corpus view (pipeline/corpus_view.py): the spelling-variant matcher, author–year
parsing, and works and authors shared across theses — the seed with a small thesis
citing two of its books under other spellings, and two real excerpts that both cite
Mochtar (Mohtar) Mas'oed."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from conftest import SHARED, write_gold_graph

from pipeline.citations import link_citations
from pipeline.cli import main
from pipeline.corpus_view import (
    Mention,
    build_corpus_view,
    family_name,
    parse_author_year,
    same_author,
    same_person,
    same_work,
    write_corpus_view,
)
from pipeline.diagnostics import find_diagnostics
from pipeline.graph import read_output_folder, write_graph
from pipeline.model import Document
from pipeline.structure import segment

SEED = "000_b7960c56fa7a1039"
B07 = "ir-excerpt-b07_isu_nontradisional_hi_footnote"
B08 = "ir-excerpt-b08_soft_power_korea_selatan_footnote"
# our own small thesis: Archer's and Bennett's books, which the seed lists as
# "Archer, Clive., 2001" and "Bennet, A. Leroy., 1995"
SMALL_THESIS = (
    "Peran Organisasi Internasional\n\nPendahuluan\n\n"
    "Organisasi internasional berperan penting dalam politik dunia.¹ "
    "NGO juga berperan dalam hubungan transnasional.²\n\n"
    "¹ Clive Archer, *International Organizations*, (London: Routledge, 2001), hal. 5\n\n"
    "² A. Leroy Bennett, *Transnational Relations and International Organization*, "
    "(New Jersey: Prentice Hall, 1995), hal. 12\n\n"
    "DAFTAR PUSTAKA\n\n"
    "Archer, Clive. 2001. *International Organizations*. London: Routledge\n\n"
    "Bennett, A. Leroy. 1995. *Transnational Relations and International Organization*. "
    "New Jersey: Prentice Hall\n"
)


@pytest.mark.parametrize(("a", "b"), [
    ("Bennet, A. Leroy", "A. Leroy Bennett"),         # one t or two, inverted or not
    ("Archer, Clive", "Clive Archer"),
    ("David, S. McLellan", "David S. McLellan"),      # the seed's misplaced comma
    ("ECPAT Internasional", "ECPAT International"),   # an organisation, Indonesian spelling
    ("Mochtar Mas'oed", "Mohtar Mas’oed"),            # given name and apostrophe vary
])
def test_same_author_spelling_variants(a: str, b: str) -> None:
    assert same_author(a, b) and same_author(b, a)


@pytest.mark.parametrize(("a", "b"), [
    ("David Lewis", "David S. McLellan"),
    ("Clive Archer", "Peter M. Haas"),
    ("ECPAT International", "Angel Coalition"),
])
def test_different_authors(a: str, b: str) -> None:
    assert not same_author(a, b)


def test_same_work_needs_year_and_title_to_agree() -> None:
    archer = Mention("a", "b1", "Archer, Clive", "2001", "International Organizations")
    assert same_work(archer, Mention("b", "n1", "Clive Archer", "2001", "International Organisations: 3rd ed."))
    assert same_work(archer, Mention("b", "c1", "Archer", "2001", ""))  # author–year: no title to compare
    assert not same_work(archer, Mention("b", "b2", "Clive Archer", "1983", "International Organizations"))
    assert not same_work(archer, Mention("b", "b3", "Clive Archer", "2001", "Politics and Security in Europe"))
    assert same_person("Mochtar Mas'oed", "Mohtar Mas’oed") and not same_person("China Power", "Soft Power")
    assert family_name("Bennet, A. Leroy") == "bennet" and family_name("A. Leroy Bennett") == "bennett"


@pytest.mark.parametrize(("marker", "expected"), [
    ("(Hadi, 2015: 4)", ("Hadi", "2015")),
    ("Wendt (1999)", ("Wendt", "1999")),
    ("(dalam Bakry, 2017)", ("Bakry", "2017")),
    ("(Krasner. 1982 : 1)", ("Krasner", "1982")),
    ("(Dunford and Liu 2018, 1-21)", ("Dunford and Liu", "2018")),
    ("(tanpa tahun)", ("", "")),
])
def test_parse_author_year(marker: str, expected: tuple[str, str]) -> None:
    assert parse_author_year(marker) == expected


@pytest.fixture(scope="module")
def corpus_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("corpus")
    for doc_id in (SEED, B07, B08):
        write_gold_graph(doc_id, folder)
    text_path = folder / "skripsi_kecil.txt"
    text_path.write_text(SMALL_THESIS, encoding="utf-8")
    doc = Document(id="skripsi_kecil", source_path=str(text_path), text=SMALL_THESIS, text_path=str(text_path))
    write_graph(find_diagnostics(link_citations(segment(doc))), folder / "skripsi_kecil.jsonl")
    return folder


def test_works_shared_across_theses(corpus_folder: Path) -> None:
    view = build_corpus_view(read_output_folder(corpus_folder))
    shared = {(work.best("year"), work.best("title")): work for work in view.shared_works}
    assert sorted(shared) == [("1995", "Transnational Relations and International Organization"),
                              ("2001", "International Organizations")]
    bennett = shared["1995", "Transnational Relations and International Organization"]
    assert bennett.theses == [SEED, "skripsi_kecil"]
    assert {(m.doc_id, m.record, m.author) for m in bennett.mentions} == {
        (SEED, "b2", "Bennet, A. Leroy"), ("skripsi_kecil", "b2", "Bennett, A. Leroy")}
    assert bennett.citation_count == 3 + 1  # the seed's notes 13-15, the small thesis's note 2
    assert view.works[0].id == "w1" and len(view.works[0].theses) == 2
    assert view.shared_pairs() == [(SEED, "skripsi_kecil", sorted(work.id for work in shared.values()))]
    names = [(name, theses) for name, _, theses in view.shared_authors()]
    assert ("Mochtar Mas’oed", [B07, B08]) in names


def test_argmap_corpus_writes_tables_and_lists_shared_sources(corpus_folder: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["corpus", str(corpus_folder)]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in printed if line.startswith("shared work")] == [
        "shared work w1", "shared work w2"]
    assert any(line.startswith("shared author Mochtar Mas’oed (Mochtar Mas’oed | Mohtar Mas’oed)")
               for line in printed)
    folder = corpus_folder / "corpus"
    with open(folder / "sources.csv", encoding="utf-8", newline="") as stream:
        works = list(csv.DictReader(stream))
    assert works[0]["theses"] == "2" and works[0]["key"].count("|") == 2
    with open(folder / "diagnostics.csv", encoding="utf-8", newline="") as stream:
        diagnostics = {row["doc_id"]: row for row in csv.DictReader(stream)}
    assert diagnostics[SEED]["unresolved_citation"] == "1" and diagnostics["skripsi_kecil"]["uncited_source"] == "0"
    with open(folder / "citing.csv", encoding="utf-8", newline="") as stream:
        assert sum(1 for row in csv.DictReader(stream) if row["work"] == "w1") == 2
    assert write_corpus_view(corpus_folder, corpus_folder / "elsewhere").folder == corpus_folder / "elsewhere"


def test_argmap_corpus_over_the_50_shared_documents(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Every document of ../shared/corpus (gold-labelled graphs): no work is cited by two
    excerpts (only the seed has a bibliography), and one author is, spelled two ways."""
    for path in sorted((SHARED / "corpus").glob("*.txt")):
        write_gold_graph(path.stem, tmp_path)
    assert main(["corpus", str(tmp_path)]) == 0
    captured = capsys.readouterr()
    assert captured.out.splitlines() == [
        f"shared author Mochtar Mas’oed (Mochtar Mas’oed | Mohtar Mas’oed): {B07}, {B08}"]
    assert captured.err.startswith("argmap: 50 theses, ")
    with open(tmp_path / "corpus" / "diagnostics.csv", encoding="utf-8", newline="") as stream:
        rows = {row["doc_id"]: row for row in csv.DictReader(stream)}
    assert len(rows) == 50 and rows[SEED]["unresolved_citation"] == "1"
