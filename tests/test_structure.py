"""Structure stage on real documents: sections, front matter, paragraphs, notes, sources."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from conftest import SHARED

from pipeline.ingest import read_document
from pipeline.model import Document
from pipeline.structure import segment

CORPUS = SHARED / "corpus"
SEED = CORPUS / "000_b7960c56fa7a1039.txt"

needs_corpus = pytest.mark.skipif(not SEED.exists(), reason="needs ../shared/corpus")


def load(name: str) -> Document:
    path = CORPUS / name
    return segment(read_document(path, path.stem))


def text_document(text: str) -> Document:
    return segment(Document(id="t", source_path="t.txt", text=text))


@pytest.fixture(scope="module")
def seed() -> Document:
    return load(SEED.name)


@needs_corpus
def test_seed_sections_and_roles(seed: Document) -> None:
    assert [(s.heading, s.role) for s in seed.sections] == [
        ("Abstract", "abstract"),
        ("Pendahuluan", "introduction"),
        ("KARAKTERISTIK NGO", "body"),
        ("KERJASAMA ANTAR NGO", "body"),
        ("KESIMPULAN", "conclusion"),
        ("DAFTAR PUSTAKA", "references"),
    ]
    for section in seed.sections:
        assert seed.text[section.heading_start : section.heading_end] == section.heading


@needs_corpus
def test_seed_front_matter(seed: Document) -> None:
    front = seed.front
    assert front.title.startswith("PERAN NON-GOVERNMENTAL") and front.title.endswith("RUSIA")
    assert len(front.title.split()) == 10
    assert front.authors == ["Fani Auliarini"]
    assert front.supervisors == ["Ahmad Jamaan"]
    assert len(front.keywords) == 5 and front.keywords[3] == "NGO"
    assert front.keywords_span is not None
    start, end = front.keywords_span
    assert seed.text[start:end] == ", ".join(front.keywords)


@needs_corpus
def test_seed_six_cut_sentences_are_rejoined(seed: Document) -> None:
    cut = [p for p in seed.paragraphs if p.parts]
    endings = [seed.text[p.parts[0][0] : p.parts[0][1]].rstrip()[-60:] for p in cut]
    expected = [
        "Hingga saat ini",
        "jika menemui permasalahan",
        "kepada masyarakat internasional, serta",
        "menunjukkan antusiasme yang tinggi",
        "tetap membuka peluang",
        "meningkatkan standar pendidikan,",
    ]
    assert len(cut) == 6
    for ending, phrase in zip(endings, expected, strict=True):
        assert ending.endswith(phrase)
    continuations = [seed.text[p.parts[1][0] : p.parts[1][0] + 12] for p in cut]
    assert continuations[0].startswith("NGO sudah")
    assert continuations[1].startswith("yang mengind")
    for paragraph in cut:
        between = seed.text[paragraph.parts[0][1] : paragraph.parts[1][0]]
        assert any(mark in between for mark in "⁸¹⁸¹⁹²¹²⁵²⁷")  # a footnote block lies between


@needs_corpus
def test_seed_paragraphs_are_prose_only(seed: Document) -> None:
    note_spans = [(n.start, n.end) for n in seed.notes]
    source_spans = [(s.start, s.end) for s in seed.sources]
    for paragraph in seed.paragraphs:
        for start, end in paragraph.spans():
            piece = seed.text[start:end]
            assert piece == piece.strip()
            assert not piece.startswith(("Key word", "Pendahuluan", "KESIMPULAN", "¹", "²", "- "))
            for s, e in note_spans + source_spans:
                assert e <= start or s >= end
    first = seed.paragraphs[0]
    assert seed.text[first.start : first.start + 30].startswith("This research describes")
    assert seed.section_by_id()[first.section].role == "abstract"
    assert len(seed.paragraphs) == 40


@needs_corpus
def test_seed_notes(seed: Document) -> None:
    assert [n.id for n in seed.notes] == [f"n{k}" for k in range(1, 28)]
    assert seed.notes[0].text.startswith("Victor Malarek, *Natasha")
    assert seed.text[seed.notes[0].start] == "¹"
    angel = seed.notes[24]
    assert angel.text.endswith("[diakses 12 Januari 2013]")  # the note continues after a blank line
    assert "Tiurukanova" in seed.notes[25].text


@needs_corpus
def test_seed_bibliography_groups_and_joined_entry(seed: Document) -> None:
    assert Counter(s.group for s in seed.sources) == {"BUKU": 6, "JURNAL DAN SKRIPSI": 2, "E-BOOK": 4, "INTERNET": 2}
    assert [s.id for s in seed.sources] == [f"b{k}" for k in range(1, 15)]
    angel = seed.sources[8]
    assert angel.text.startswith("Angel Coalition, *Trafficking")
    assert "MMMyMe> [ODDrDKRr" in angel.text  # the URL broken over two lines is one entry
    assert angel.text.endswith("[diakses 20 Januari 2013]")
    assert seed.text[seed.sources[0].start : seed.sources[0].start + 6] == "Archer"


@needs_corpus
def test_markdown_report_sections() -> None:
    doc = load("report-pengangguran-tpt.txt")
    assert doc.front.title == "Dashboard Tingkat Pengangguran Terbuka (TPT)"
    roles = {s.heading: s.role for s in doc.sections}
    assert roles["Pendahuluan"] == "introduction"
    assert roles["Kajian Literatur"] == "body"
    assert roles["A. Tingkat Pengangguran Terbuka (TPT)"] == "body"
    assert roles["Kesimpulan"] == "conclusion"
    assert roles["Tentang Penulis"] == "other"
    assert "TPT=PP/PAK×100%" not in roles
    assert not doc.notes and not doc.sources


@needs_corpus
def test_translation_notes_blocks() -> None:
    doc = load("terjemahan-kriptografi-catatan-kaki.txt")
    assert [n.id for n in doc.notes] == [f"n{k}" for k in range(1, 8)]
    assert [s.role for s in doc.sections].count("notes") == 3
    assert doc.notes[5].text.startswith("Cf. Katz dan Lindell, ibid.")
    for paragraph in doc.paragraphs:
        assert not doc.text[paragraph.start :].startswith("[")


@needs_corpus
def test_pdf_noise_inline_headings_and_notes() -> None:
    doc = load("ir-excerpt-b03_globalisasi_perdagangan_manusia_footnote.txt")
    assert [(s.heading, s.role) for s in doc.sections] == [
        ("BAB I PENDAHULUAN", "introduction"),
        ("1.1 LATAR BELAKANG", "introduction"),
    ]
    first = doc.paragraphs[0]
    assert doc.text[first.start :].startswith("Saat ini, negara-negara")
    assert first.parts and doc.text[first.parts[1][0] :].startswith("di bawah tekanan")
    assert doc.notes[0].text.startswith("Daradjatun Adang")

    spilled = load("ir-excerpt-b15_isu_lingkungan_pemanasan_global_footnote.txt")
    assert [n.id for n in spilled.notes] == ["n1", "n2"]
    assert spilled.notes[1].text.startswith("Efek Rumah Kaca")

    run_in = load("ir-excerpt-b29_hubungan_bilateral_indonesia_belanda_footnote.txt")
    assert [n.id for n in run_in.notes] == ["n13", "n14", "n15"]
    assert run_in.notes[2].text == "Ibid. hal. 43."
    joined = run_in.paragraphs[-1]
    assert doc.text and run_in.text[joined.parts[1][0] :].startswith("Joseph Grieco")


def test_document_without_headings_gets_one_body_section() -> None:
    doc = text_document("Kerja sama itu penting.\n\nNamun hasilnya belum terasa. Negara harus\nbertindak.\n")
    assert [(s.role, s.heading) for s in doc.sections] == [("body", "")]
    assert len(doc.paragraphs) == 2
    assert doc.text[doc.paragraphs[1].start : doc.paragraphs[1].end].endswith("bertindak.")


def test_heading_forms() -> None:
    text = (
        "BAB I PENDAHULUAN\n\n1.1 Latar Belakang\n\nIsi pendahuluan di sini.\n\n"
        "1.2 Rumusan Masalah\n\nApa peran NGO?\n\nBAB II TINJAUAN PUSTAKA\n\n"
        "A. Kerangka Teori\n\nIsi teori di sini.\n\n# Kesimpulan dan Saran\n\nIsi kesimpulan.\n\n"
        "Daftar Referensi\n\n[1] Nye, J. 2004. Soft Power. New York: Public Affairs.\n"
    )
    doc = text_document(text)
    assert [(s.heading, s.role) for s in doc.sections] == [
        ("BAB I PENDAHULUAN", "introduction"),
        ("1.1 Latar Belakang", "introduction"),
        ("1.2 Rumusan Masalah", "research_question"),
        ("BAB II TINJAUAN PUSTAKA", "theory"),
        ("A. Kerangka Teori", "theory"),
        ("Kesimpulan dan Saran", "conclusion"),
        ("Daftar Referensi", "references"),
    ]
    assert [s.text for s in doc.sources] == ["[1] Nye, J. 2004. Soft Power. New York: Public Affairs."]


def test_keywords_end_the_abstract() -> None:
    doc = text_document(
        "Judul Artikel\n\nAbstrak\n\nPenelitian ini membahas diplomasi.\n\nKata kunci: diplomasi; budaya\n\n"
        "Diplomasi budaya dipakai banyak negara sejak lama.\n"
    )
    assert doc.front.keywords == ["diplomasi", "budaya"]
    assert [s.role for s in doc.sections] == ["abstract", "body"]
    assert doc.section_by_id()[doc.paragraphs[-1].section].role == "body"


def test_page_furniture_is_not_prose() -> None:
    doc = text_document(
        "DAFTAR ISI\n\nBAB I PENDAHULUAN ........................ 1\n\n"
        "BAB I\nPENDAHULUAN\n\nJurnal Hubungan Internasional 12\n\nKalimat pertama tentang diplomasi yang\n\n"
        "Jurnal Hubungan Internasional 13\n\nberlanjut di halaman berikutnya.\n\n"
        "Jurnal Hubungan Internasional 14\n\nCATATAN\n\n1. Catatan penjelas tanpa rujukan.\n"
    )
    assert [(s.heading, s.role) for s in doc.sections] == [
        ("DAFTAR ISI", "front"), ("BAB I PENDAHULUAN", "introduction"), ("CATATAN", "notes")]
    (paragraph,) = doc.paragraphs
    assert [doc.text[s:e] for s, e in paragraph.spans()] == [
        "Kalimat pertama tentang diplomasi yang", "berlanjut di halaman berikutnya."]
    assert [(n.id, n.text) for n in doc.notes] == [("n1", "Catatan penjelas tanpa rujukan.")]


# ---------------------------------------------------------------- documents written by us (tests/data)

DATA = Path(__file__).resolve().parent / "data"
WRITTEN_SECTIONS = {
    "skripsi_author_year": [
        ("BAB I PENDAHULUAN", "introduction"), ("1.1 Latar Belakang", "introduction"),
        ("1.2 Rumusan Masalah", "research_question"), ("1.3 Metode Penelitian", "method"),
        ("BAB II KERANGKA KONSEPTUAL", "theory"), ("2.1 Diplomasi Ekonomi", "theory"),
        ("2.2 Kepentingan Nasional", "theory"), ("BAB V PENUTUP", "conclusion"), ("5.1 Kesimpulan", "conclusion"),
        ("5.2 Saran", "suggestions"), ("DAFTAR PUSTAKA", "references"),
    ],
    "jurnal_numbered": [
        ("Abstrak", "abstract"), ("I. PENDAHULUAN", "introduction"), ("II. KERANGKA TEORI", "theory"),
        ("III. PEMBAHASAN", "results"), ("IV. KESIMPULAN", "conclusion"), ("REFERENSI", "references"),
    ],
    "artikel_catatan_kaki": [
        ("Abstrak", "abstract"), ("A. Latar Belakang", "introduction"), ("B. Pembahasan", "results"),
        ("C. Kesimpulan", "conclusion"), ("DAFTAR PUSTAKA", "references"),
    ],
    "pdf_hard_wrapped": [
        ("Abstrak", "abstract"), ("PENDAHULUAN", "introduction"), ("PEMBAHASAN", "results"),
        ("KESIMPULAN", "conclusion"), ("DAFTAR PUSTAKA", "references"),
    ],
}


def load_written(name: str) -> Document:
    return segment(read_document(DATA / f"{name}.txt", name))


@pytest.mark.parametrize("name", sorted(WRITTEN_SECTIONS))
def test_written_sections_and_roles(name: str) -> None:
    doc = load_written(name)
    assert [(s.heading, s.role) for s in doc.sections] == WRITTEN_SECTIONS[name]


@pytest.mark.parametrize("name", sorted(WRITTEN_SECTIONS))
def test_written_paragraphs_hold_prose_only(name: str) -> None:
    """Every gold sentence lies inside the paragraphs; no paragraph holds a heading,
    a note text, a bibliography entry or page furniture."""
    from pipeline.gold import load_gold

    doc = load_written(name)
    gold = load_gold(DATA / f"{name}.gold.jsonl", doc.text)
    spans = [span for paragraph in doc.paragraphs for span in paragraph.spans()]

    def covered(start: int, end: int) -> int:
        return sum(max(0, min(end, e) - max(start, s)) for s, e in spans)

    for unit in gold.units:
        for start, end in unit.spans:
            assert covered(start, end) == end - start, (unit.id, doc.text[start:end])
    others = [(s.heading_start, s.heading_end) for s in doc.sections] + [(n.start, n.end) for n in doc.notes] + [
        (s.start, s.end) for s in doc.sources
    ]
    for start, end in others:
        assert covered(start, end) == 0, doc.text[start:end]
    for paragraph in doc.paragraphs:
        body = " ".join(doc.text[s:e] for s, e in paragraph.spans())
        assert "Jurnal Kajian Maritim" not in body  # the running header
        assert not re.search(r"\n\d{1,3}\n", body)  # a page number


def test_written_front_matter() -> None:
    skripsi = load_written("skripsi_author_year")
    assert skripsi.front.title == "DIPLOMASI EKONOMI INDONESIA DI KAWASAN AFRIKA TIMUR PERIODE 2014-2022"
    assert skripsi.front.authors == ["Rina Wulandari"]  # "Disusun oleh: …"
    assert skripsi.front.supervisors == ["Dr. Bagus Santoso"]
    journal = load_written("jurnal_numbered")
    assert journal.front.authors == ["Dimas Prasetyo", "Lestari Anggraeni"]
    assert journal.front.keywords == ["ASEAN", "keamanan siber", "rezim internasional", "norma"]
    pdf = load_written("pdf_hard_wrapped")
    assert pdf.front.title.startswith("DIPLOMASI PERIKANAN INDONESIA") and pdf.front.authors == ["Hendra Gunawan"]


def test_written_notes_sources_and_cut_sentences() -> None:
    article = load_written("artikel_catatan_kaki")
    assert [n.id for n in article.notes] == [f"n{k}" for k in range(1, 16)]
    cut = next(p for p in article.paragraphs if len(p.parts) > 1)
    assert article.text[cut.parts[0][0] : cut.parts[0][1]].endswith("negara miskin,⁸ sehingga")
    assert article.text[cut.parts[1][0] :].startswith("jalur multilateral tetap")
    pdf = load_written("pdf_hard_wrapped")
    assert [n.id for n in pdf.notes] == ["n1", "n2", "n3", "n4", "n5", "n6"]
    assert pdf.notes[0].text.endswith("hlm. 14.")  # the note's wrapped second line joined
    page_cut = next(p for p in pdf.paragraphs if len(p.parts) > 1)  # cut by notes, page number and running header
    assert pdf.text[page_cut.parts[0][0] : page_cut.parts[0][1]].endswith("kewajiban konservasi yang")
    assert pdf.text[page_cut.parts[1][0] :].startswith("disepakati bersama.")
    assert len(pdf.sources) == 4


def test_long_running_header_and_page_numbers_in_bibliography() -> None:
    header = "Jurnal Studi Kawasan dan Hubungan Internasional Indonesia, Vol. 2, No. 3, 2021"
    pages = [
        f"{header}\n\nPENDAHULUAN\n\nKalimat pertama tentang kerja sama kawasan yang cukup panjang untuk prosa.\n\n1\n",
        f"{header}\n\nKalimat kedua tentang kerja sama kawasan yang juga cukup panjang untuk prosa.\n\n2\n",
        f"{header}\n\nDAFTAR PUSTAKA\n\nAcharya, Amitav. 2014. Constructing a Security Community. London: Routledge.\n\n3\n",
        f"{header}\n\nKementerian Luar Negeri Republik Indonesia. 2020. Diplomasi Indonesia 2020. Jakarta: Kemlu.\n\n4\n",
    ]
    doc = text_document("\n".join(pages))
    assert [s.text.split(".")[0] for s in doc.sources] == ["Acharya, Amitav", "Kementerian Luar Negeri Republik Indonesia"]
    assert all(header not in doc.text[p.start : p.end] for p in doc.paragraphs)


@pytest.mark.parametrize(
    ("heading", "role"),
    [
        ("BAB I\nPENDAHULUAN", "introduction"), ("Bab I Pendahuluan", "introduction"), ("1. PENDAHULUAN", "introduction"),
        ("A. Latar Belakang Masalah", "introduction"), ("BAB II TINJAUAN PUSTAKA", "theory"),
        ("BAB IV HASIL DAN PEMBAHASAN", "results"), ("BAB V KESIMPULAN DAN SARAN", "conclusion"), ("Bab V Penutup", "conclusion"),
        ("Kesimpulan dan Rekomendasi", "conclusion"), ("Daftar Referensi", "references"), ("BIBLIOGRAFI", "references"),
    ],
)
def test_thesis_heading_forms(heading: str, role: str) -> None:
    prose = "Kalimat prosa yang cukup panjang untuk dianggap sebagai paragraf dalam dokumen ini. Kalimat kedua ada."
    doc = text_document(f"JUDUL SKRIPSI TENTANG SESUATU\n\nNama Penulis\n\n{heading}\n\n{prose}\n")
    assert [(s.heading, s.role) for s in doc.sections] == [(" ".join(heading.split()), role)]
