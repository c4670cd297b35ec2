"""Citations stage: note parsing, Ibid./op.cit. resolution, bibliography links,
citation detection in units, and the citation scorer."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import SEED, SHARED

from pipeline.citations import (
    link_citations,
    micro_average,
    parse_note,
    parse_source,
    score_citations,
)
from pipeline.gold import GoldDocument, GoldUnit
from pipeline.ingest import read_document
from pipeline.model import Document, Unit
from pipeline.structure import segment

CORPUS = SHARED / "corpus"

needs_corpus = pytest.mark.skipif(not SEED.exists(), reason="needs ../shared/corpus")

# Test-only sentence splitter standing in for the nlp stage: it cuts after . ! ?
# (and a marker glued to them) before a capital, keeping paragraph parts.
SENTENCE_END = re.compile(
    r"(?<=[.!?])[\"”’)]?(?:[⁰¹²³⁴⁵⁶⁷⁸⁹]+|\^\d{1,3}|\[\^\d{1,3}\]|\d{1,3}(?=\s+[A-Z]))?\s+"
    r"(?=[\"“(\[A-Z0-9⁰¹²³⁴⁵⁶⁷⁸⁹])"
)
ABBREVIATIONS = {"hal.", "hlm.", "dkk.", "al.", "No.", "Vol.", "St.", "M.", "Dr.", "Prof.", "dll.", "dsb.", "S."}


def split_units(doc: Document) -> Document:
    units: list[Unit] = []
    for paragraph in doc.paragraphs:
        sentences: list[list[tuple[int, int]]] = []
        current: list[tuple[int, int]] = []
        for start, end in paragraph.spans():
            position = start
            for match in SENTENCE_END.finditer(doc.text, start, end):
                words = doc.text[position : match.start()].split()
                if words and words[-1] in ABBREVIATIONS:
                    continue
                stop = match.start() + len(doc.text[match.start() : match.end()].rstrip())
                current.append((position, stop))
                sentences.append(current)
                current, position = [], match.end()
            if position < end:
                current.append((position, end))
        if current:
            sentences.append(current)
        for spans in sentences:
            units.append(
                Unit(
                    id=f"u{len(units) + 1}",
                    start=spans[0][0],
                    end=spans[-1][1],
                    text=" ".join(doc.text[s:e] for s, e in spans),
                    section=paragraph.section,
                    paragraph=paragraph.id,
                    parts=spans if len(spans) > 1 else [],
                )
            )
    doc.units = units
    return doc


def run(doc: Document) -> Document:
    return link_citations(split_units(segment(doc)))


def load(name: str) -> Document:
    path = CORPUS / name
    return run(read_document(path, path.stem))


def text_document(text: str) -> Document:
    return run(Document(id="t", source_path="t.txt", text=text))


@pytest.fixture(scope="module")
def seed() -> Document:
    return load(SEED.name)


SEED_RESOLUTION = {3: 2, 5: 4, 6: 4, 8: 4, 12: 11, 14: 13, 15: 13, 19: 18, 20: 4, 23: 21, 24: 21, 26: None, 27: 25}
SEED_SOURCES = {
    1: 6, 2: 11, 3: 11, 4: 4, 5: 4, 6: 4, 7: 8, 8: 4, 9: 5, 10: 7, 11: 1, 12: 1, 13: 2, 14: 2, 15: 2,
    16: 3, 17: 12, 18: 13, 19: 13, 20: 4, 21: 10, 22: 14, 23: 10, 24: 10, 25: 9, 26: None, 27: 9,
}


@needs_corpus
def test_seed_note_resolution(seed: Document) -> None:
    resolved = {int(n.number): n.resolves_to for n in seed.notes}
    for number in range(1, 28):
        expected = SEED_RESOLUTION.get(number, number)
        assert resolved[number] == (f"n{expected}" if expected else None), number
    kinds = {int(n.number): n.reference for n in seed.notes}
    assert kinds[3] == kinds[19] == "ibid" and kinds[20] == kinds[26] == "opcit" and kinds[1] == "full"
    assert seed.notes[25].resolution == "unresolved"


@needs_corpus
def test_seed_note_and_source_links(seed: Document) -> None:
    for note in seed.notes:
        expected = SEED_SOURCES[int(note.number)]
        assert note.source == (f"b{expected}" if expected else None), note.id


@needs_corpus
def test_seed_note_fields(seed: Document) -> None:
    first = seed.notes[0].fields
    assert first["authors"] == ["Victor Malarek"]
    assert first["title"].startswith("Natasha:") and len(first["title"].split()) == 5
    assert (first["place"], first["year"], first["pages"]) == ("Jakarta", "2003", "21")
    assert first["publisher"].startswith("PT Serambi") and len(first["publisher"].split()) == 4
    second = seed.notes[1].fields
    assert second["url"] == "http://www.thebodyshop.com/stop"
    assert second["accessed"] == "20 Agustus 2012"
    assert seed.notes[9].fields["authors"] == ["David Lewis", "Paul Opoku-Mensah"]
    assert seed.notes[9].fields["year"] == "2006"
    assert seed.notes[19].fields["author"] == "ECPAT"
    assert seed.notes[5].fields["pages"] == "10"


@needs_corpus
def test_seed_source_fields(seed: Document) -> None:
    mclellan = seed.sources[2].fields
    assert mclellan["author"] == "David, S. McLellan" and mclellan["year"] == "1977"
    assert mclellan["title"].startswith("The Theory") and mclellan["title"].endswith("Relation")
    assert seed.sources[0].fields["place"] == "London" and seed.sources[0].fields["publisher"] == "Routledge"
    assert seed.sources[12].fields["url"] == "http://www.ngostellit.ru"


@needs_corpus
def test_seed_citations_in_units(seed: Document) -> None:
    footnotes = [c for c in seed.citations if c.style == "footnote"]
    assert [c.marker for c in footnotes] == [str(k) for k in range(1, 28)]
    assert len(seed.citations) == 27
    units = seed.unit_by_id()
    for citation in footnotes:
        unit = units[citation.unit]
        end = unit.spans()[-1][1]
        assert unit.start <= citation.start and citation.end <= end  # the marker sits in its sentence
        assert citation.note == f"n{citation.marker}"
    statistic = units[footnotes[1].unit]
    assert statistic.text.startswith("Pihak kepolisian di Moscow")
    tiurukanova = footnotes[25]
    assert tiurukanova.resolution == "missing_source" and tiurukanova.source is None
    assert footnotes[19].source == "b4" and footnotes[19].resolution == "resolved"


@needs_corpus
def test_author_year_report() -> None:
    doc = load("report-pengangguran-tpt.txt")
    assert [(c.marker, c.style) for c in doc.citations] == [
        ("Nanga (2001)", "author_year"),
        ("Friedman (2008)", "author_year"),
        ("(Sugiyono, 2017:147)", "author_year"),
    ]
    assert all(c.resolution == "missing_source" and c.note is None for c in doc.citations)
    units = doc.unit_by_id()
    assert units[doc.citations[0].unit].text.startswith("Menurut Nanga (2001), pengangguran")
    assert not any("BPS" in c.marker for c in doc.citations)


@needs_corpus
def test_bracket_notes_with_ibid() -> None:
    doc = load("terjemahan-kriptografi-catatan-kaki.txt")
    assert [(c.marker, c.style, c.note) for c in doc.citations] == [
        (str(k), "footnote", f"n{k}") for k in range(2, 8)
    ]
    notes = {n.id: n for n in doc.notes}
    assert notes["n6"].reference == "ibid" and notes["n6"].resolves_to == "n5"
    assert notes["n5"].fields["authors"] == ["Jonathan Katz", "Yehuda Lindell"]
    assert notes["n1"].fields["author"] == "Simon Singh"
    units = doc.unit_by_id()
    # "… ini. [2] Kunci …": a marker after the full stop belongs to that sentence
    assert units[doc.citations[0].unit].text.endswith("di bawah ini.")



@needs_corpus
def test_bracket_markers_of_an_excerpt_whose_notes_were_cut_off() -> None:
    # no note text and no numbered reference list: "[1]" after a full stop is still a footnote
    # marker (unresolved), as the excerpts' gold has it
    for name in ("ir-excerpt-25_palestina_tujuh_presiden_kepentingan_ideasi", "ir-excerpt-b16_protokol_kyoto_isu_global"):
        doc = load(f"{name}.txt")
        assert doc.notes == [] and [(c.marker, c.style, c.note) for c in doc.citations] == [
            ("1", "footnote", None), ("2", "footnote", None)]


def test_citations_in_figure_captions_cite_without_a_unit() -> None:
    # "[Logo Docker[34]]": the caption is no unit, but entry 34 is cited there (and only there)
    doc = run(read_document(SHARED / "corpus-whole" / "docker-virtual-screening-agungputrap.txt", "docker"))
    in_captions = [c for c in doc.citations if any(s <= c.start < e for s, e in doc.captions)]
    assert len(doc.captions) > 20 and len(in_captions) == 12
    assert [c for c in doc.citations if c.unit is None] == in_captions
    logo = next(c for c in in_captions if c.marker == "34")
    assert doc.text[logo.start - 12 : logo.end + 1] == "[Logo Docker[34]]" and logo.source == "b34"

@pytest.mark.parametrize(("text", "expected"), [
    ("dari penjajahan Belanda.[1] Aktivis itu", True),
    ("wakil umat Islam dari Indonesia. [2]", True),
    ("kekuasaan itu mutlak.”[3] Namun", True),
    ("seperti ditunjukkan Zhang dkk. [1] Mereka", False),  # an abbreviation's full stop
    ("hasil Smith et al. [2] Hal ini", False),
    ("pada pasal [3] undang-undang", False),
    ("negara itu merdeka.[4] dan", False),  # no new sentence after it
])
def test_where_a_marker_without_note_text_stands(text: str, expected: bool) -> None:
    from pipeline.markers import MarkerCandidate, after_sentence_end

    start = text.index("[")
    end = text.index("]") + 1
    assert after_sentence_end(text, MarkerCandidate(start, end, 1, "bracket")) is expected

@needs_corpus
def test_plain_digit_markers_in_pdf_noise() -> None:
    doc = load("ir-excerpt-b03_globalisasi_perdagangan_manusia_footnote.txt")
    assert [(c.marker, c.note) for c in doc.citations] == [("1", "n1"), ("2", None)]
    assert doc.text[doc.citations[0].start - 8 : doc.citations[0].end] == "negatif 1"
    spilled = load("ir-excerpt-b29_hubungan_bilateral_indonesia_belanda_footnote.txt")
    assert [c.marker for c in spilled.citations] == ["13", "14", "15"]
    assert {n.id: n.resolves_to for n in spilled.notes}["n15"] == "n14"
    decision = load("ir-excerpt-b13_kesimpulan_redd_norwegia.txt")
    assert decision.citations == []  # "26 persen 107 dengan": a page number, not a marker


BIBLIOGRAPHY_TEXT = """Pendahuluan

Studi terdahulu menunjukkan diplomasi budaya efektif (Hara, 2010). Khan et al., 2023 menemukan hal serupa. \
Syaripul dkk. (2020) memakai data terbuka. Menurut Bennett (1995) organisasi internasional berperan besar.\
 Data BPS menunjukkan kenaikan (BPS). Angka itu naik pada tahun 2019 (Santoso, 2030).

Daftar Pustaka

Hara, Abubakar Eby. 2010. Diplomasi Budaya Indonesia. Jember: Jember University Press.
Khan, Ahmed, Lee, Min dan Park, Jun. 2023. Cultural Diplomacy Revisited. London: Routledge.
Syaripul, Nadiar Ahmad dan Bachtiar, Adam Mukharil. 2020. Visualisasi Data Terbuka. Bandung: Unikom.
Bennet, A. Leroy. 1995. International Organizations. New Jersey: Prentice Hall.
"""


def test_author_year_links_to_bibliography() -> None:
    doc = text_document(BIBLIOGRAPHY_TEXT)
    found = {c.marker: (c.source, c.resolution) for c in doc.citations}
    assert found == {
        "(Hara, 2010)": ("b1", "resolved"),
        "Khan et al., 2023": ("b2", "resolved"),
        "Syaripul dkk. (2020)": ("b3", "resolved"),
        "Bennett (1995)": ("b4", "resolved"),  # "Bennett" ↔ "Bennet"
        "(Santoso, 2030)": (None, "missing_source"),
    }
    assert all(c.style == "author_year" for c in doc.citations)


def test_numbered_references() -> None:
    doc = text_document(
        "Pendahuluan\n\nKeamanan siber menjadi isu global [1]. Banyak negara bekerja sama [2, 3].\n\n"
        "Referensi\n\n[1] Nye, J. 2011. The Future of Power. New York: PublicAffairs.\n"
        "[2] Buzan, B. 1998. Security: A New Framework. Boulder: Lynne Rienner.\n"
        "[3] Ruggie, J. 1982. International Regimes. Cambridge: MIT Press.\n"
    )
    assert [(c.marker, c.style, c.source) for c in doc.citations] == [
        ("1", "numbered", "b1"), ("2", "numbered", "b2"), ("3", "numbered", "b3")]
    assert doc.citations[1].unit == doc.citations[2].unit == "u2"


def test_caret_markers_and_loc_cit() -> None:
    doc = text_document(
        "Isi\n\nKedaulatan bersifat mutlak.^1 Globalisasi mengikisnya.^2 Negara tetap penting.^3\n\n"
        "^1 Jean Bodin, Six Books of the Commonwealth (Oxford: Blackwell, 1955), hlm. 25.\n\n"
        "^2 Kenichi Ohmae, The End of the Nation State (New York: Free Press, 1995), hlm. 7.\n\n"
        "^3 Bodin, loc. cit.\n"
    )
    notes = {n.id: n for n in doc.notes}
    assert notes["n3"].reference == "loccit" and notes["n3"].resolves_to == "n1"
    assert [c.unit for c in doc.citations] == ["u1", "u2", "u3"]


def test_parse_helpers() -> None:
    kind, fields = parse_note("Lihat Myers (1991), Tropical Forests, in Climate Change, Vol.19, September, hlm.3.")
    assert kind == "full" and fields["year"] == "1991" and fields["pages"] == "3"
    assert parse_note("Ibid., hal. 62")[0] == "ibid"
    assert parse_note("ECPAT International., *op.cit.* hal. 23")[1]["author"] == "ECPAT International"
    source = parse_source("- Wibisono, Laras. 2016. *Jalur Laut dan Diplomasi Pangan*. Bandung: Pustaka Teluk")
    assert source["authors"] == ["Laras Wibisono"] and source["year"] == "2016"


def gold_from(doc: Document, citations: list[dict]) -> GoldDocument:
    gold = GoldDocument(doc_id=doc.id, text=doc.text)
    gold.units = [GoldUnit(id=u.id, spans=u.spans(), label="none", check="") for u in doc.units]
    gold.citations = citations
    return gold


@needs_corpus
def test_score_citations(seed: Document) -> None:
    notes = {n.id: n for n in seed.notes}
    records = [
        {"type": "citation", "unit": c.unit, "marker": c.marker, "style": c.style, "note": c.note,
         "resolves_to": notes[c.note].resolves_to, "source": c.source}
        for c in seed.citations
    ]
    perfect = score_citations(seed, gold_from(seed, records))
    assert perfect["marker_f1"] == 1.0
    assert (perfect["resolution_correct"], perfect["resolution_total"], perfect["resolution_accuracy"]) == (27, 27, 1.0)
    assert perfect["link_accuracy"] == 1.0
    records[19] = dict(records[19], resolves_to="n2", source="b11")  # a gold that disagrees on ²⁰
    records.append({"type": "citation", "unit": records[0]["unit"], "marker": "99", "style": "footnote",
                    "note": "n99", "resolves_to": "n99", "source": None})
    scored = score_citations(seed, gold_from(seed, records))
    assert scored["marker_fn"] == 1 and scored["marker_fp"] == 0
    assert scored["resolution_correct"] == 26 and scored["link_correct"] == 26
    pooled = micro_average([perfect, scored])
    assert pooled["marker_tp"] == 54 and pooled["resolution_total"] == 54
    assert pooled["resolution_accuracy"] == pytest.approx(53 / 54)


THESIS_TEXT = """BAB I
PENDAHULUAN

1.1 Latar Belakang Masalah

Kerja sama pertahanan Indonesia dan Australia mengalami pasang surut sejak
tahun 1995.1 Perjanjian Lombok yang ditandatangani pada tahun 2006 menjadi
landasan baru bagi kedua negara.2 Namun demikian, isu penyadapan pada tahun
2013 kembali merusak hubungan tersebut dan membuat Indonesia menangguhkan
sebagian kerja sama militer3

1 Hikmahanto Juwana, Hukum Internasional dalam Perspektif Indonesia (Jakarta: Rajawali Pers, 2010), hlm. 45.
2 Ibid., hlm. 47.
3 Anak Agung Banyu Perwita, Politik Luar Negeri Indonesia (Yogyakarta: Graha Ilmu, 2007), hlm. 112.

12

dengan alasan menjaga kedaulatan. Menurut Mas’oed (1990), kepentingan nasional merupakan
dasar perilaku negara.4 Realisme menekankan kekuasaan sebagai tujuan utama negara (Morgenthau, 1978: 5).
Kaum liberal menolak pandangan ini (Keohane dan Nye, 2001; Moravcsik, 1997).5

4 Juwana, Op.Cit., hlm. 50.
5 Mohtar Mas’oed, Ilmu Hubungan Internasional: Disiplin dan Metodologi (Jakarta: LP3ES, 1990), hlm. 28.

BAB V
KESIMPULAN DAN SARAN

Kerja sama pertahanan kedua negara tetap berlanjut karena saling membutuhkan.6

6 Perwita, Loc.Cit.

DAFTAR PUSTAKA

Buku
Juwana, Hikmahanto. 2010. Hukum Internasional dalam Perspektif Indonesia. Jakarta:
    Rajawali Pers.
Keohane, Robert O. dan Joseph S. Nye. 2001. Power and Interdependence. New York: Longman.
Mas’oed, Mohtar. 1990. Ilmu Hubungan Internasional: Disiplin dan Metodologi. Jakarta: LP3ES.
Morgenthau, Hans J. 1978. Politics Among Nations. New York: Knopf.
Perwita, Anak Agung Banyu. 2007. Politik Luar Negeri Indonesia. Yogyakarta: Graha Ilmu.

Jurnal
Moravcsik, Andrew. 1997. "Taking Preferences Seriously". International Organization 51 (4): 513-553.
"""


def test_pdf_text_thesis_with_plain_digit_notes() -> None:
    doc = text_document(THESIS_TEXT)
    assert [(s.heading, s.role) for s in doc.sections] == [
        ("BAB I PENDAHULUAN", "introduction"),
        ("1.1 Latar Belakang Masalah", "introduction"),
        ("BAB V KESIMPULAN DAN SARAN", "conclusion"),
        ("DAFTAR PUSTAKA", "references"),
    ]
    assert [(n.id, n.reference, n.resolves_to, n.source) for n in doc.notes] == [
        ("n1", "full", "n1", "b1"), ("n2", "ibid", "n1", "b1"), ("n3", "full", "n3", "b5"),
        ("n4", "opcit", "n1", "b1"), ("n5", "full", "n5", "b3"), ("n6", "loccit", "n3", "b5")]
    assert [s.group for s in doc.sources] == ["Buku"] * 5 + ["Jurnal"]
    assert doc.sources[0].text.endswith("Jakarta: Rajawali Pers.")  # hanging line joined
    assert [(c.marker, c.style, c.source) for c in doc.citations] == [
        ("1", "footnote", "b1"), ("2", "footnote", "b1"), ("3", "footnote", "b5"),
        ("Mas’oed (1990)", "author_year", "b3"), ("4", "footnote", "b1"),
        ("(Morgenthau, 1978: 5)", "author_year", "b4"), ("Keohane dan Nye, 2001", "author_year", "b2"),
        ("Moravcsik, 1997", "author_year", "b6"), ("5", "footnote", "b3"), ("6", "footnote", "b5")]
    cut = doc.paragraphs[0]  # "… militer3 ⟨notes, page number⟩ dengan alasan …" is one paragraph
    assert doc.text[cut.parts[-1][0] :].startswith("dengan alasan")
    assert (doc.text.index("12\n\ndengan"), doc.text.index("12\n\ndengan") + 2) not in [
        (c.start, c.end) for c in doc.citations]
    assert doc.text[doc.marker_hints[0][0] - 5 : doc.marker_hints[0][1]] == "1995.1"


def test_markdown_footnotes_and_op_cit_with_title() -> None:
    doc = text_document(
        "# Pendahuluan\n\nKekuatan lunak bertumpu pada budaya.[^1] Kekuatan keras bertumpu pada militer.[^2] "
        "Keduanya saling melengkapi.[^3]\n\n"
        "[^1]: Joseph S. Nye, Soft Power (New York: Public Affairs, 2004), hlm. 5.\n"
        "[^2]: Joseph S. Nye, The Future of Power (New York: Public Affairs, 2011), hlm. 20.\n"
        "[^3]: Nye, Soft Power, op.cit., hlm. 8.\n"
    )
    assert [(n.id, n.reference, n.resolves_to) for n in doc.notes] == [
        ("n1", "full", "n1"), ("n2", "full", "n2"), ("n3", "opcit", "n1")]
    assert [(c.marker, c.unit, doc.text[c.start : c.end]) for c in doc.citations] == [
        ("1", "u1", "[^1]"), ("2", "u2", "[^2]"), ("3", "u3", "[^3]")]


# ---------------------------------------------------------------- documents written by us (tests/data)

DATA = Path(__file__).resolve().parent / "data"
WRITTEN = ("skripsi_author_year", "jurnal_numbered", "artikel_catatan_kaki", "pdf_hard_wrapped")


def load_written(name: str) -> tuple[Document, GoldDocument]:
    from pipeline.gold import load_gold

    doc = run(read_document(DATA / f"{name}.txt", name))
    return doc, load_gold(DATA / f"{name}.gold.jsonl", doc.text)


@pytest.mark.parametrize("name", WRITTEN)
def test_written_documents_score_perfectly(name: str) -> None:
    """Marker F1, note resolution and source links against our own stand-off gold
    (the issue's targets are 0.98 / 0.97 / 0.95 on unseen theses)."""
    doc, gold = load_written(name)
    scores = score_citations(doc, gold)
    assert (scores["marker_fp"], scores["marker_fn"]) == (0, 0), scores
    assert scores["marker_tp"] == len(gold.citations)
    assert scores["resolution_accuracy"] == 1.0, scores
    assert scores["link_accuracy"] == 1.0, scores


def test_written_skripsi_author_year_forms() -> None:
    doc, _ = load_written("skripsi_author_year")
    by_marker = {c.marker: c.source for c in doc.citations}
    sources = {s.id: s.text.split(".")[0] for s in doc.sources}
    assert len(doc.sources) == 9  # "Kementerian Luar Negeri Republik Indonesia [Kemlu RI]. (2021)" is its own entry
    assert sources[by_marker["(Kemlu RI, 2021)"]].startswith("Kementerian Luar Negeri")
    assert sources[by_marker["(Sugiyono, 2017:147)"]] == "Sugiyono"
    assert sources[by_marker["Khan et al., 2023"]].startswith("Khan, A")
    assert sources[by_marker["Rahman dkk. (2020)"]].startswith("Rahman, F")
    assert sources[by_marker["(Jackson & Sorensen, 2013, hlm. 88)"]].startswith("Jackson, R")
    assert {c.source for c in doc.citations} == {s.id for s in doc.sources}  # every entry is cited and linked
    assert all(c.resolution == "resolved" for c in doc.citations)


def test_written_numbered_ranges_and_pages() -> None:
    doc, _ = load_written("jurnal_numbered")
    units = doc.unit_by_id()
    range_unit = next(u for u in doc.units if "[4]–[6]" in u.text)
    assert sorted(c.marker for c in doc.citations if c.unit == range_unit.id) == ["4", "5", "6"]
    page_unit = next(u for u in doc.units if "[9, hlm. 2]" in u.text)
    assert [c.source for c in doc.citations if c.unit == page_unit.id] == ["b9"]
    assert len(doc.sources) == 12 and doc.sources[4].text.endswith("BSSN, Jakarta, 2022.")  # wrapped entry joined
    assert all(c.style == "numbered" and units[c.unit or ""] for c in doc.citations)


def test_written_footnote_article_resolution() -> None:
    doc, _ = load_written("artikel_catatan_kaki")
    resolved = {n.id: (n.reference, n.resolves_to, n.source) for n in doc.notes}
    assert resolved["n2"] == ("ibid", "n1", "b3")  # "Ibid., hlm. 5."
    assert resolved["n4"] == ("ibid", "n3", "b1")  # "Ibid" with no full stop
    assert resolved["n6"] == ("opcit", "n1", "b3")  # "op. cit.", bibliography has the typo "Wijaja"
    assert resolved["n8"] == ("opcit", "n7", "b2")  # two earlier Cooper notes: the most recent wins
    assert resolved["n9"] == ("loccit", "n5", "b4")  # "Loc. cit."
    assert resolved["n10"] == ("ibid", "n5", "b4")  # lower-case "ibid" after a loc. cit.: chain followed
    assert resolved["n11"] == ("opcit", "n1", "b3")  # "Opcit"
    assert resolved["n13"] == ("opcit", None, None)  # no earlier Hartono note: unresolved, never guessed
    assert resolved["n15"] == ("ibid", "n14", "b6")
    citation = next(c for c in doc.citations if c.marker == "13")
    assert citation.resolution in ("unresolved", "missing_source") and citation.source is None
    assert [s.group for s in doc.sources] == ["Buku", "Buku", "Buku", "Jurnal", "Dokumen Resmi", "Internet"]


def test_written_pdf_text_notes_and_links() -> None:
    doc, _ = load_written("pdf_hard_wrapped")
    assert [(n.id, n.reference, n.resolves_to, n.source) for n in doc.notes] == [
        ("n1", "full", "n1", "b1"), ("n2", "ibid", "n1", "b1"), ("n3", "full", "n3", "b3"),
        ("n4", "full", "n4", "b2"), ("n5", "opcit", "n3", "b3"), ("n6", "loccit", "n1", "b1"),
    ]
    assert [s.text.split(".")[0] for s in doc.sources] == [
        "Dahuri, Rokhmin", "Food and Agriculture Organization", "Heazle, Michael dan Andrew Butcher",
        "Sumaila, Ussif Rashid",
    ]  # hard-wrapped entries joined, the page number under them dropped
    glued = next(c for c in doc.citations if c.marker == "4")  # "berlebihan4 sehingga": marker glued to a word
    assert doc.text[glued.start : glued.end] == "4"


# ---------------------------------------------------------------- forms seen in theses

@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Teori ini kuat (Keohane dan Nye 1977).", [("1977", ["Keohane", "Nye"])]),
        ("Teori ini kuat (Hadi, 2015, 2017).", [("2015", ["Hadi"]), ("2017", ["Hadi"])]),
        ("Teori ini kuat (Hadi, 2015; 2017).", [("2015", ["Hadi"]), ("2017", ["Hadi"])]),
        ("Wendt (1992; 1999) menyatakan hal itu.", [("1992", ["Wendt"]), ("1999", ["Wendt"])]),
        ("Data (Badan Pusat Statistik [BPS], 2020) naik.", [("2020", ["Badan", "Pusat", "Statistik"])]),
        ("Konsep ini dari Buzan, Wæver dan de Wilde (1998).", [("1998", ["Buzan", "Wæver", "Wilde"])]),
        ("Namun, Putra (2018) menolaknya.", [("2018", ["Putra"])]),
        ("Soft power penting (Nye, n.d.).", [("n.d.", ["Nye"])]),
        ("Soft power penting (Nye, 2004b: 5-6).", [("2004b", ["Nye"])]),
        ("Menurut Mearsheimer (2001, p. 30), negara bersaing.", [("2001", ["Mearsheimer"])]),
        ("Hal ini dijelaskan Hadi (2015, dalam Putra, 2018).", [("2015", ["Hadi"]), ("2018", ["Putra"])]),
        ("Hal ini dijelaskan (lihat misalnya Hadi, 2015).", [("2015", ["Hadi"])]),
        ("Hal ini dijelaskan (Hadi, 2015, hal. 5-7; juga Putra, 2018).", [("2015", ["Hadi"]), ("2018", ["Putra"])]),
        ("Hal ini terjadi pada Krisis Asia (1997).", []),
        ("Sejak Deklarasi Bangkok (1967) ASEAN berdiri.", []),
        ("Perjanjian Westphalia (1648) menandai negara modern.", []),
        ("Hal ini diatur hukum laut (Konvensi Hukum Laut PBB 1982).", []),
        ("Menurut laporan UNHCR (2019) jumlah pengungsi naik.", [("2019", ["UNHCR"])]),
        ("Indonesia, Malaysia dan Thailand (2019) sepakat.", []),
        ("Presiden Soeharto (1966-1998) membuat kebijakan.", []),
        ("Jumlahnya naik (2019: 45%).", []),
        # forms of the linguistics thesis of ../shared/corpus-whole: middle initials, names beyond
        # Latin-1 (with a combining accent as PDF text writes it), a one-letter corporate author
        ("Hal ini sejalan (John A. Hawkins 2014).", [("2014", ["John", "Hawkins"])]),
        ("Data ini (Green, Larasati, and Žabokrtskỳ 2012) dipakai.", [("2012", ["Green", "Larasati", "Žabokrtskỳ"])]),
        ("Valensi (Řeznı́čková 2003; Hajic et al. 2003).", [("2003", ["Řeznı́čková"]), ("2003", ["Hajic"])]),
        # ("R" is found as part of the citation, but one-letter words are initials, not name words)
        ("Bahasa R (versi 3.3.3) (R Core Team 2017).", [("2017", ["Core", "Team"])]),
    ],
)
def test_author_year_forms(sentence: str, expected: list[tuple[str, list[str]]]) -> None:
    from pipeline.citations.link import _author_year_mentions

    found = _author_year_mentions(sentence, 0, len(sentence))
    assert [(year, names) for _, _, _, names, year in found] == expected


def test_acronym_authors_link_both_ways() -> None:
    text = (
        "Pendahuluan\n\nAncaman siber meningkat (BSSN, 2022). Vaksinasi naik (Kemenkes, 2021). "
        "Stok ikan menurun (Food and Agriculture Organization, 2020).\n\n"
        "DAFTAR PUSTAKA\n\n"
        "Badan Siber dan Sandi Negara. 2022. Laporan Tahunan. Jakarta: BSSN.\n"
        "FAO. 2020. The State of World Fisheries and Aquaculture. Rome: FAO.\n"
        "Kementerian Kesehatan Republik Indonesia. 2021. Profil Kesehatan. Jakarta: Kemenkes.\n"
    )
    doc = run(Document(id="t", source_path="t.txt", text=text))
    assert [(c.marker, c.source) for c in doc.citations] == [
        ("(BSSN, 2022)", "b1"), ("(Kemenkes, 2021)", "b3"), ("(Food and Agriculture Organization, 2020)", "b2"),
    ]


@pytest.mark.parametrize(
    ("note", "kind", "author"),
    [
        ("Wijaya, Op-cit, hlm 3", "opcit", "Wijaya"),
        ("Wijaya, Op.Cit., hal 3", "opcit", "Wijaya"),
        ("Wijaya, Loc.Cit", "loccit", "Wijaya"),
        ("Ibidem, hlm. 3.", "ibid", None),
        ("Idem, hlm. 4", "ibid", None),
        ("IBID.", "ibid", None),
    ],
)
def test_reference_keyword_forms(note: str, kind: str, author: str | None) -> None:
    parsed_kind, fields = parse_note(note)
    assert (parsed_kind, fields.get("author")) == (kind, author)


def test_bare_loc_cit_takes_the_note_before() -> None:
    from pipeline.citations import resolve_notes
    from pipeline.model import Note

    texts = ["Sukma Wijaya, *Diplomasi Kesehatan*, (Jakarta: Gramedia, 2019), hlm. 3.", "Loc. cit.", "Op. cit., hlm. 9."]
    notes = [Note(id=f"n{k}", number=str(k), start=0, end=0, text=t) for k, t in enumerate(texts, 1)]
    resolve_notes(notes)
    assert [(n.resolves_to, n.resolution) for n in notes] == [("n1", "self"), ("n1", "loccit"), (None, "unresolved")]


def test_repeated_author_dashes_and_secondary_citations() -> None:
    text = (
        "Pendahuluan\n\nSoft power penting (Nye, 2004). Hard power juga berubah (Nye, 2011). "
        "Identitas membentuk kepentingan (Wendt, 1999 dalam Hadi, 2015). Negara hidup dalam anarki. (Waltz, 1979).\n\n"
        "DAFTAR PUSTAKA\n\n"
        "Hadi, Syamsul. 2015. Konstruktivisme dan Politik Luar Negeri. Jakarta: Gramedia.\n"
        "Nye, Joseph S. 2004. Soft Power: The Means to Success in World Politics. New York: PublicAffairs.\n"
        "_________. 2011. The Future of Power. New York: PublicAffairs.\n"
        "Waltz, Kenneth N. 1979. Theory of International Politics. Reading: Addison-Wesley.\n"
    )
    doc = run(Document(id="t", source_path="t.txt", text=text))
    assert len(doc.sources) == 4  # the "_________." line opens an entry of its own
    assert [(c.marker, c.source) for c in doc.citations] == [
        ("(Nye, 2004)", "b2"), ("(Nye, 2011)", "b3"), ("Wendt, 1999", None), ("Hadi, 2015", "b1"),
        ("(Waltz, 1979)", "b4"),
    ]
    waltz = doc.citations[-1]
    assert doc.unit_by_id()[waltz.unit or ""].text.startswith("Negara hidup dalam anarki.")  # closes the sentence before


def _page_layout_variants() -> dict[str, str]:
    text = (DATA / "pdf_hard_wrapped.txt").read_text(encoding="utf-8")
    header = "Jurnal Kajian Maritim"
    return {
        "form feeds (pdftotext)": text.replace("\n\n" + header, "\f" + header).replace("\n\n1\n", "\n1\n"),
        "CRLF line ends": text.replace("\n", "\r\n"),
        "page numbers without blank lines": re.sub(r"\n\n(\d)\n\n", r"\n\1\n", text),
        "no blank lines at all": text.replace("\n\n", "\n"),
    }


@pytest.mark.parametrize("variant", sorted(_page_layout_variants()))
def test_pdf_text_page_layout_variants(variant: str) -> None:
    """The same PDF text with other page-break conventions keeps its notes,
    resolutions, links, and no running head or page number in the prose."""
    doc = run(Document(id="t", source_path="t.txt", text=_page_layout_variants()[variant]))
    assert [(n.id, n.resolves_to, n.source) for n in doc.notes] == [
        ("n1", "n1", "b1"), ("n2", "n1", "b1"), ("n3", "n3", "b3"), ("n4", "n4", "b2"), ("n5", "n3", "b3"),
        ("n6", "n1", "b1"),
    ]
    assert [(c.marker, c.source) for c in doc.citations] == [
        ("1", "b1"), ("2", "b1"), ("3", "b3"), ("4", "b2"), ("5", "b3"), ("6", "b1"),
    ]
    assert len(doc.sources) == 4
    for paragraph in doc.paragraphs:
        for start, end in paragraph.spans():
            assert "Jurnal Kajian Maritim" not in doc.text[start:end]
            assert not re.search(r"\n\d\r?\n", doc.text[start:end])


def test_plain_digit_marker_forms() -> None:
    """Markers that a PDF dump leaves as plain digits, in the places theses put them."""
    sentences = [
        "Angka pengangguran mencapai 80%.1 Selain itu, kemiskinan meningkat.",
        "Lembaga ini dikenal sebagai badan pengungsi (UNHCR).2 Namun, perannya terbatas.",
        "Ia menyebutnya “diplomasi senyap”.3 Dan hal itu terbukti.",
        "Kebijakan ini berlaku sejak akhir 2020).4 Lalu muncul kritik.",
        "Perjanjian ditandatangani pada tahun 2019,5 yang kemudian diratifikasi.",
        "Hal ini disebut sebagai kepentingan nasional6 oleh para realis.",
        "Menurut Morgenthau7, kekuasaan adalah inti politik.",
        "Sebanyak 12 negara menandatangani perjanjian itu pada tahun 1945.8",
    ]
    notes = "\n".join(f"{k} Sukma Wijaya, Judul Buku Nomor {k} (Jakarta: Gramedia, 2019), hlm. {k}." for k in range(1, 9))
    text = "PENDAHULUAN\n\n" + "\n\n".join(sentences) + "\n\n" + notes + "\n"
    doc = run(Document(id="t", source_path="t.txt", text=text))
    assert [n.id for n in doc.notes] == [f"n{k}" for k in range(1, 9)]
    assert [(c.marker, c.note) for c in doc.citations] == [(str(k), f"n{k}") for k in range(1, 9)]
    assert [doc.unit_by_id()[c.unit or ""].text[:12] for c in doc.citations] == [s[:12] for s in sentences]


def test_note_links_by_url_and_by_words() -> None:
    """Notes without a parsed author still find their entry: by URL, or by almost
    all of their words when the years agree (two statutes told apart by year)."""
    from pipeline.citations import link_note_sources, resolve_notes
    from pipeline.model import Note, Source

    entries = [
        "“Indonesia dan Australia Sepakati Kerja Sama Maritim”. Tempo.co, 12 Juni 2019. https://tempo.co/maritim.",
        "Undang-Undang Republik Indonesia Nomor 37 Tahun 1999 tentang Hubungan Luar Negeri.",
        "Undang-Undang Republik Indonesia Nomor 24 Tahun 2000 tentang Perjanjian Internasional.",
    ]
    sources = [Source(id=f"b{k}", start=0, end=0, text=t, fields=parse_source(t)) for k, t in enumerate(entries, 1)]
    texts = [
        "“Sepakati Kerja Sama Maritim”, dalam https://www.tempo.co/maritim/, diakses 5 Juli 2020.",
        "Undang-Undang Nomor 24 Tahun 2000 tentang Perjanjian Internasional, Pasal 2.",
        "Undang-Undang Nomor 37 Tahun 1999 tentang Hubungan Luar Negeri, Pasal 1.",
        "Wawancara dengan pejabat Kementerian Luar Negeri, Jakarta, 12 Maret 2021.",
    ]
    notes = [Note(id=f"n{k}", number=str(k), start=0, end=0, text=t) for k, t in enumerate(texts, 1)]
    resolve_notes(notes)
    link_note_sources(notes, sources)
    assert [n.source for n in notes] == ["b1", "b3", "b2", None]


def test_op_cit_with_an_acronym_of_the_earlier_author() -> None:
    from pipeline.citations import resolve_notes
    from pipeline.model import Note

    texts = [
        "Kementerian Luar Negeri Republik Indonesia, *Diplomasi Indonesia 2019*, (Jakarta: Kemlu, 2020), hlm. 3.",
        "Sukma Wijaya, *Diplomasi Kesehatan*, (Jakarta: Gramedia, 2019), hlm. 3.",
        "Kemlu RI, op.cit., hlm. 9.",
    ]
    notes = [Note(id=f"n{k}", number=str(k), start=0, end=0, text=t) for k, t in enumerate(texts, 1)]
    resolve_notes(notes)
    assert notes[2].resolves_to == "n1"


STANZA_TOKENIZER = Path(__file__).resolve().parents[1] / "models" / "stanza" / "id" / "tokenize.pt"


@pytest.mark.skipif(not STANZA_TOKENIZER.exists(), reason="needs the project's Stanza tokenizer (make models)")
def test_written_documents_with_stanza_sentences() -> None:
    """The same scores when the units come from the real nlp stage."""
    from pipeline.gold import load_gold
    from pipeline.nlp import annotate

    for name in WRITTEN:
        doc = link_citations(annotate(segment(read_document(DATA / f"{name}.txt", name))))
        scores = score_citations(doc, load_gold(DATA / f"{name}.gold.jsonl", doc.text))
        assert (scores["marker_fp"], scores["marker_fn"]) == (0, 0), (name, scores)
        assert scores["resolution_accuracy"] == 1.0 and scores["link_accuracy"] == 1.0, (name, scores)


def test_apa_bibliography_entry_shapes() -> None:
    """Entries a thesis Daftar Pustaka holds: a wrapped publisher line, a URL at the
    end of an entry, "2004a"/"2004b", a statute, a name starting "van der"."""
    prose = (
        "Pendahuluan\n\nIlmu ini berkembang (Mas'oed, 1990). Soft power penting (Nye, 2004a), juga di era informasi "
        "(Nye, 2004b). Media melaporkan hal itu (Kompas, 2019). Metode ini lazim (Creswell, 2014; Moleong, 2010). "
        "Kajian kritis juga ada (van der Pijl, 2012).\n\nDAFTAR PUSTAKA\n\n"
    )
    entries = [
        "Creswell, J. W. (2014). Research Design: Qualitative, Quantitative, and Mixed Methods Approaches.",
        "Thousand Oaks: Sage.",
        "Kompas. (2019, 12 Maret). Angka kemiskinan turun. Diakses dari https://www.kompas.com/kemiskinan",
        "Mas'oed, M. (1990). Ilmu Hubungan Internasional: Disiplin dan Metodologi. Jakarta: LP3ES.",
        "Moleong, L. J. (2010). Metodologi Penelitian Kualitatif. Bandung: Remaja Rosdakarya.",
        "Nye, J. S. (2004a). Soft Power: The Means to Success in World Politics. New York: PublicAffairs.",
        "Nye, J. S. (2004b). Power in the Global Information Age. London: Routledge.",
        "Undang-Undang Republik Indonesia Nomor 37 Tahun 1999 tentang Hubungan Luar Negeri.",
        "van der Pijl, K. (2012). The Making of an Atlantic Ruling Class. London: Verso.",
    ]
    doc = run(Document(id="t", source_path="t.txt", text=prose + "\n".join(entries) + "\n"))
    assert [s.text.split(" (")[0].split(" Nomor")[0] for s in doc.sources] == [
        "Creswell, J. W.", "Kompas.", "Mas'oed, M.", "Moleong, L. J.", "Nye, J. S.", "Nye, J. S.", "Undang-Undang Republik Indonesia",
        "van der Pijl, K.",
    ]
    assert doc.sources[0].text.endswith("Thousand Oaks: Sage.")
    assert [(c.marker, c.source) for c in doc.citations] == [
        ("(Mas'oed, 1990)", "b3"), ("(Nye, 2004a)", "b5"), ("(Nye, 2004b)", "b6"), ("(Kompas, 2019)", "b2"),
        ("Creswell, 2014", "b1"), ("Moleong, 2010", "b4"), ("(van der Pijl, 2012)", "b8"),
    ]


# ---------------------------------------------------------------- forms seen in unseen theses (pandoc Chicago, IT theses)

@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Layanan ini murah (“Tentang Awan Kita” n.d.).", [("n.d.", ["“Tentang Awan Kita”"])]),
        ("Model ini tahan galat (B and Q 2019).", [("2019", ["B", "Q"])]),
        ("Perangkat saling terhubung (K. Wirawan 2014).", [("2014", ["Wirawan"])]),
        ("Menurut Budi Santoso dalam Jurnal Sistem Cerdas Vol. 3 No. 2 (2017), data tumbuh.",
         [("2017", ["Budi", "Santoso"])]),
        ("Menurut Dr. Rina Kusuma, S.T., M.T. (2012) basis data perlu normalisasi.", [("2012", ["Rina", "Kusuma"])]),
        ("Kerangka ini dipakai Ir. A. Halim Pratama, M.Kom (2008) untuk kelas.", [("2008", ["Halim", "Pratama"])]),
        # not citations: a year in prose, a counted year, a numbered step, a name and a year in two sentences
        ("Sistem ini dirilis pada tahun 2020 (2020) oleh tim.", []),
        ("Pada tahun 2020 jumlah pengguna naik (A 2020).", []),
        ("1. Unduh paket (versi 2020).", []),
        ("Data dari Budi dalam Jurnal Kita. Hasilnya baik (2019).", []),
    ],
)
def test_unseen_thesis_author_year_forms(sentence: str, expected: list[tuple[str, list[str]]]) -> None:
    from pipeline.citations.link import _author_year_mentions

    found = _author_year_mentions(sentence, 0, len(sentence))
    assert [(year, names) for _, _, _, names, year in found] == expected


def test_titles_initials_and_single_letters_link_to_their_entries() -> None:
    text = (
        "Pendahuluan\n\n"
        "Layanan awan ini mudah dipakai (“Tentang Awan Kita” n.d.). Berkas disimpan terpisah (“Awan Kita” n.d.). "
        "Tugas yang gagal diulang (B and Q 2019). Perangkat saling terhubung (K. Wirawan 2014). "
        "Gerakan itu lahir pada masa sulit (“Hari Esok Cerah” 1998).\n\n"
        "DAFTAR PUSTAKA\n\n"
        "“Awan Kita.” n.d. https://awan.example.org/. Accessed May 7, 2024.\n\n"
        "B, Rahmat, and Sinta Q. 2019. “Pemulihan Tugas pada Klaster.” Jurnal Komputasi 4 (2): 1–9.\n\n"
        "K. Wirawan, L. Sari, M. Putra. 2014. “Jaringan Sensor untuk Rumah.” Jurnal Sensor 2 (1): 5–9.\n\n"
        "“Tentang Awan Kita.” n.d. https://awan.example.org/tentang. Accessed May 7, 2024.\n"
    )
    doc = text_document(text)
    assert len(doc.sources) == 4
    assert [(c.marker, c.source) for c in doc.citations] == [
        ("(“Tentang Awan Kita” n.d.)", "b4"), ("(“Awan Kita” n.d.)", "b1"), ("(B and Q 2019)", "b2"),
        ("(K. Wirawan 2014)", "b3"),
    ]  # "(“Hari Esok Cerah” 1998)": a quoted phrase and a year with no entry of that title is no citation


def test_titled_and_venue_narratives_link_to_their_entries() -> None:
    text = (
        "Landasan Teori\n\n"
        "Menurut Ir. A. Halim Pratama, M.Kom (2008), kelas membungkus data. "
        "Menurut Rina Kusuma dalam Jurnal Sistem Cerdas Vol. 3, No. 2 (2012), basis data perlu normalisasi. "
        "Menurut Wibowo (2009) dalam Jurnal Teknik Informatika Terapan, Volume 2, Nomor 1, Mei 2016, alumni perlu dilacak [1].\n\n"
        "DAFTAR PUSTAKA\n\n"
        "[1] Lestari, D., Hakim, R. (2016). Pelacakan Alumni. Jurnal Teknik Informatika Terapan, 2(1).\n"
        "[2] Kusuma, R. (2012). Normalisasi Basis Data. Jurnal Sistem Cerdas, 3(2).\n"
        "[3] Pratama, A. H. (2008). Pemrograman Berorientasi Objek. Jakarta: Elex.\n"
    )
    doc = text_document(text)
    assert [(c.marker, c.style, c.source) for c in doc.citations] == [
        ("Ir. A. Halim Pratama, M.Kom (2008)", "author_year", "b3"),
        ("Rina Kusuma dalam Jurnal Sistem Cerdas Vol. 3, No. 2 (2012)", "author_year", "b2"),
        ("Wibowo (2009)", "author_year", "b1"),  # read in the 2016 article: links to the work in hand
        ("1", "numbered", "b1"),
    ]


def test_lower_case_author_opens_a_bibliography_entry() -> None:
    text = (
        "Pendahuluan\n\nLayanan ini cepat (“Mesin Cepat” n.d.).\n\n"
        "DAFTAR PUSTAKA\n\n"
        "“Mesin Cepat.” n.d. https://mesin.example.org/. Accessed November 10, 2023.\n"
        "situsku. 2021. “Panduan Proses Terikat CPU.” https://situsku.example.org/cpu.\n"
        "Wahyudi, Agus. 2018. Sistem Operasi. Bandung:\n"
        "informatika. 2019. Cetakan kedua.\n"
    )
    doc = text_document(text)
    assert [s.text[:12] for s in doc.sources] == ["“Mesin Cepat", "situsku. 202", "Wahyudi, Agu"]
    assert doc.sources[1].fields["author"] == "situsku"
    assert [(c.marker, c.source) for c in doc.citations] == [("(“Mesin Cepat” n.d.)", "b1")]
