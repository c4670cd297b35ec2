"""The structure stage on whole Indonesian theses (../shared/corpus-whole): the
chapters (BAB I–V and the like) with their roles, numbered subsections, and what must
never become a section: chapter outlines in "Sistematika Penulisan", numbered list
items, table-of-contents lines.  The chapter lists were read off the theses
themselves."""

from __future__ import annotations

import re
from functools import cache

import pytest
from conftest import SHARED

from pipeline.ingest import read_document
from pipeline.model import Document
from pipeline.structure import segment

WHOLE = SHARED / "corpus-whole"

# every chapter of each thesis, as written, with its role
CHAPTERS = {
    "biomarker-deep-belief-network-neimasilk": [
        ("1 Pendahuluan", "introduction"), ("2 Tinjauan Pustaka", "theory"), ("3 Metodologi Penelitian", "method"),
        ("4 Pembahasan", "results"), ("5 Kesimpulan dan Saran", "conclusion"),
    ],
    "cacat-kulit-jeruk-hel06492": [
        ("1 PENDAHULUAN", "introduction"), ("2 TINJAUAN PUSTAKA", "theory"), ("3 METODE PENELITIAN", "method"),
        ("4 HASIL DAN PEMBAHASAN", "results"), ("5 KESIMPULAN DAN SARAN", "conclusion"),
    ],
    "dependensi-kalimat-linguistik-touchitbringit": [
        ("1 Pendahuluan", "introduction"), ("2 Tinjauan Pustaka", "theory"), ("3 Metode Penelitian", "method"),
        ("4 Analisis", "results"), ("5 Kesimpulan", "conclusion"),
    ],
    "docker-virtual-screening-agungputrap": [
        ("1 Pendahuluan", "introduction"), ("2 Landasan Teori", "theory"), ("3 Metodologi Penelitian", "method"),
        ("4 Hasil Penelitian dan Analisis", "results"), ("5 Penutup", "conclusion"),
    ],
    "hadoop-spark-digitalocean-diwahsap": [
        ("1 PENDAHULUAN", "introduction"), ("2 LANDASAN TEORI", "theory"), ("3 METODOLOGI PENELITIAN", "method"),
        ("4 HASIL DAN PEMBAHASAN", "results"), ("5 PENUTUP", "conclusion"),
    ],
    "helm-deployment-http-xerdiosa": [
        ("1 Pendahuluan", "introduction"), ("2 Tinjauan Pustaka", "theory"), ("3 Analisis dan Perancangan", "method"),
        ("4 Implementasi", "results"), ("5 Pengujian", "results"), ("6 Penutup", "conclusion"),
    ],
    "lstm-detak-jantung-estaesta": [
        ("BAB 1 PENDAHULUAN", "introduction"), ("BAB 2 LANDASAN KEPUSTAKAAN", "theory"), ("BAB 3 METODOLOGI", "method"),
        ("BAB 4 PERANCANGAN SISTEM", "method"), ("BAB 5 IMPLEMENTASI DAN PENGUJIAN", "results"),
        ("BAB 6 HASIL DAN PEMBAHASAN", "results"), ("BAB 7 PENUTUP", "conclusion"),
    ],
    "opencl-mobile-gpu-tsesarrizqi": [  # its chapter 4 ("Implementasi") is empty in the source: five chapters
        ("1 Pendahuluan", "introduction"), ("2 Landasan Teori", "theory"), ("3 Metodologi", "method"),
        ("4 Eksperimen dan Analisis", "results"), ("5 Kesimpulan dan Saran", "conclusion"),
    ],
    "plat-nomor-kendaraan-jeffrysaputra97": [
        ("1 PENDAHULUAN", "introduction"), ("2 LANDASAN TEORI", "theory"),
        ("3 ANALISIS DAN PERANCANGAN SISTEM", "method"), ("4 IMPLEMENTASI DAN PENGUJIAN", "results"),
        ("5 PENUTUP", "conclusion"),
    ],
    "sistem-penasehat-pembelajaran-achmedhibatillah": [  # chapters 5–7 are the author's papers
        ("1 PENDAHULUAN", "introduction"), ("2 KAJIAN PUSTAKA", "theory"),
        ("3 KERANGKA KONSEPTUAL PENELITIAN", "theory"), ("4 METODE PENELITIAN", "method"),
        ("5 VISUALISASI KINERJA SISWA DENGAN MENGGUNAKAN SOM", "body"),
        ("6 SISTEM PENASEHAT BELAJAR OLEH GURU BERBASIS KEMIRIPAN SISWA", "body"),
        ("7 PERSEPSI GURU SEKOLAH DASAR INDONESIA TERHADAP SISTEM PENASEHAT PEMBELAJARAN BERDASARKAN KEMIRIPAN SISWA",
         "body"),
        ("8 KESIMPULAN DAN SARAN", "conclusion"),
    ],
    "tracer-study-ilkom-sauliakarina": [
        ("1 PENDAHULUAN", "introduction"), ("2 KAJIAN TEORI", "theory"), ("3 IMPLEMENTASI PROGRAM", "results"),
        ("4 UJI COBA DAN HASIL UJI COBA", "results"), ("5 KESIMPULAN DAN SARAN", "conclusion"),
    ],
    "visualisasi-direktivitas-bundengan-vianfbrtr": [
        ("1 PENDAHULUAN", "introduction"), ("2 TINJAUAN PUSTAKA", "theory"), ("3 DASAR TEORI", "theory"),
        ("4 PELAKSANAAN PENELITIAN", "method"), ("5 HASIL DAN PEMBAHASAN", "results"),
        ("6 KESIMPULAN DAN SARAN", "conclusion"),
    ],
    "zigbee-gateway-iot-luqmansungkar": [
        ("1 Pendahuluan", "introduction"), ("2 Landasan Teori", "theory"), ("3 Rancangan Implementasi", "method"),
        ("4 Implementasi", "results"), ("5 Pengujian", "results"), ("6 Penutup", "conclusion"),
    ],
}
# sections in all: chapters, numbered subsections, abstract and bibliography
SECTION_COUNTS = {
    "biomarker-deep-belief-network-neimasilk": 66, "cacat-kulit-jeruk-hel06492": 52,
    "dependensi-kalimat-linguistik-touchitbringit": 67, "docker-virtual-screening-agungputrap": 36,
    "hadoop-spark-digitalocean-diwahsap": 58, "helm-deployment-http-xerdiosa": 100,
    "lstm-detak-jantung-estaesta": 42, "opencl-mobile-gpu-tsesarrizqi": 36,
    "plat-nomor-kendaraan-jeffrysaputra97": 59, "sistem-penasehat-pembelajaran-achmedhibatillah": 54,
    "tracer-study-ilkom-sauliakarina": 44, "visualisasi-direktivitas-bundengan-vianfbrtr": 53,
    "zigbee-gateway-iot-luqmansungkar": 48,
}
CLOSING = ("conclusion", "suggestions")


@cache
def thesis(name: str) -> Document:
    return segment(read_document(WHOLE / f"{name}.txt", name))


def test_every_thesis_is_pinned() -> None:
    assert sorted(p.stem for p in WHOLE.glob("*.txt")) == sorted(CHAPTERS)


@pytest.mark.parametrize("name", sorted(CHAPTERS))
def test_chapters_and_their_roles(name: str) -> None:
    doc = thesis(name)
    chapters = [(s.heading, s.role) for s in doc.sections if s.level == 1 and s.role not in ("abstract", "references")]
    assert chapters == CHAPTERS[name]
    assert len(doc.sections) == SECTION_COUNTS[name]
    assert [s.role for s in doc.sections if s.level == 1 and s.role == "introduction"] == ["introduction"]


@pytest.mark.parametrize("name", sorted(CHAPTERS))
def test_no_outline_list_or_contents_line_is_a_section(name: str) -> None:
    doc = thesis(name)
    for section in doc.sections:
        heading = section.heading
        assert not re.match(r"\d{1,2}\.\s", heading), heading  # "1. Laptop ASUS A442UQ"
        assert not re.search(r"(?:\.\s?){4,}\s*\w+$", heading), heading  # "1.1 Latar Belakang ..... 1"
        assert not re.match(r"BAB\s+\S+\s*:", heading), heading  # "BAB II : LANDASAN KEPUSTAKAAN"
    # the numbers of the sections follow one outline: 1, 1.1, 1.2, 2, 2.1, …
    numbers = [tuple(int(n) for n in m.group(1).split(".")) for s in doc.sections
               if (m := re.match(r"(?:BAB\s+)?(\d{1,2}(?:\.\d{1,2})*)\s", s.heading))]
    assert numbers == sorted(numbers) and len(set(numbers)) == len(numbers)
    assert [n[0] for n in numbers if len(n) == 1] == list(range(1, len(CHAPTERS[name]) + 1))


@pytest.mark.parametrize("name", sorted(CHAPTERS))
def test_conclusion_and_suggestions_only_at_the_end(name: str) -> None:
    roles = [s.role for s in doc_sections(name)]
    first = min(k for k, role in enumerate(roles) if role in CLOSING)
    assert all(role in (*CLOSING, "references", "notes", "appendix", "other") for role in roles[first:])
    assert roles[-1] == "references"


def doc_sections(name: str) -> list:
    return thesis(name).sections


def test_thesis_parts_by_name() -> None:
    roles = {s.heading: s.role for s in thesis("helm-deployment-http-xerdiosa").sections}
    assert roles["1.2 Rumusan Masalah"] == "research_question"
    assert roles["1.3 Pertanyaan Penelitian"] == "research_question"
    assert roles["1.4 Tujuan Penelitian"] == "objectives"
    assert roles["1.5 Batasan Permasalahan"] == "introduction"  # BAB I's unnamed parts stay introduction
    assert roles["3.1 Metode Penelitian"] == "method"
    assert roles["4.1.4 Implementasi Routing Aplikasi"] == "results"  # inherits its chapter's role
    assert roles["6.1 Kesimpulan"] == "conclusion"
    assert roles["6.2 Saran"] == "suggestions"
    roles = {s.heading: s.role for s in thesis("docker-virtual-screening-agungputrap").sections}
    assert roles["5.2 Kendala"] == "conclusion"  # under "5 Penutup"
    assert roles["5.3 Saran"] == "suggestions"
    roles = {s.heading: s.role for s in thesis("dependensi-kalimat-linguistik-touchitbringit").sections}
    assert roles["1.6 Kerangka konseptual"] == "theory"
    assert roles["5.2 Pengembangan penelitian"] == "suggestions"
    roles = {s.heading: s.role for s in thesis("plat-nomor-kendaraan-jeffrysaputra97").sections}
    assert roles["1.6 Metodologi Penelitian"] == "method"
    assert roles["3.2 Kerangka Pemikiran"] == "theory"
    assert roles["4.1.1 Spesifikasi Perangkat Keras"] == "results"


def test_a_paper_chapter_keeps_its_own_introduction_and_conclusion_inside() -> None:
    sections = thesis("sistem-penasehat-pembelajaran-achmedhibatillah").sections
    roles = {s.heading: s.role for s in sections}
    assert (roles["5.1 Pendahuluan"], roles["5.4 Kesimpulan"]) == ("body", "body")
    assert (roles["7.2 Metodologi Penelitian"], roles["7.3 Hasil dan Pembahasan"]) == ("method", "results")


def test_outline_lines_and_list_items_stay_prose() -> None:
    doc = thesis("plat-nomor-kendaraan-jeffrysaputra97")
    headings = [s.heading for s in doc.sections]
    assert "BAB V Kesimpulan dan Saran" not in headings  # in "1.7 Sistematika Pembahasan"
    assert "1. Laptop ASUS A442UQ" not in headings
    assert [s.role for s in doc.sections if s.heading.startswith("2 ")] == ["theory"]
    paragraphs = [doc.text[p.start : p.end] for p in doc.paragraphs]
    assert "1.  Laptop ASUS A442UQ" in paragraphs
    assert any(p.startswith("BAB V Kesimpulan dan Saran") for p in paragraphs)
    lstm = thesis("lstm-detak-jantung-estaesta")
    assert not any("BAB II :" in s.heading for s in lstm.sections)
    assert [(s.heading, s.level) for s in lstm.sections if s.heading.startswith(("BAB 2", "2.2.1"))] == [
        ("BAB 2 LANDASAN KEPUSTAKAAN", 1), ("2.2.1 Electrocardiogram (ECG)", 3)]


def test_long_numbered_titles_and_code_comments() -> None:
    biomarker = thesis("biomarker-deep-belief-network-neimasilk")
    long_title = [s for s in biomarker.sections if s.heading.startswith("2.5 ")]
    assert [(s.heading[:28], s.level, s.role) for s in long_title] == [("2.5 Energy-Based Model (EBM)", 2, "theory")]
    assert not any("multisteprank" in s.heading or "ranking ujung" in s.heading for s in biomarker.sections)
    hadoop = thesis("hadoop-spark-digitalocean-diwahsap")
    assert not any("INPUT" in s.heading for s in hadoop.sections)


def test_keywords_on_the_line_after_their_label() -> None:
    doc = thesis("helm-deployment-http-xerdiosa")
    assert doc.front.keywords == ["Perancangan dan Implementasi", "Helm", "Deployment", "Vault", "Templating"]
    assert [s.role for s in doc.sections[:2]] == ["abstract", "introduction"]


# ---------------------------------------------------------------- front matter (a skripsi written by us)

PROSE = "Kalimat prosa yang cukup panjang untuk dianggap sebagai paragraf dalam dokumen ini. Kalimat kedua ada."
SKRIPSI = (
    "SKRIPSI\n\nPERAN DIPLOMASI EKONOMI DALAM KERJA SAMA BILATERAL\n\nOleh:\n\nNama Mahasiswa\n\nNIM 1234567890\n\n"
    "PROGRAM STUDI HUBUNGAN INTERNASIONAL\n\nUNIVERSITAS CONTOH\n\n2024\n\n"
    "LEMBAR PENGESAHAN\n\nSkripsi ini telah diuji dan dinyatakan lulus oleh dewan penguji pada tanggal yang tertera.\n\n"
    "Pembimbing I\n\nDr. Nama Pembimbing\n\n"
    "PERNYATAAN KEASLIAN SKRIPSI\n\nDengan ini saya menyatakan bahwa skripsi ini adalah hasil karya saya sendiri.\n\n"
    "KATA PENGANTAR\n\nPuji syukur penulis panjatkan karena skripsi ini dapat diselesaikan dengan baik dan tepat waktu.\n\n"
    "DAFTAR ISI\n\nLEMBAR PENGESAHAN ii\n\nKATA PENGANTAR ........................ iv\n\nBAB I PENDAHULUAN\n\n"
    "1.1 Latar Belakang 1\n\n1.2 Rumusan Masalah 4\n\nBAB II TINJAUAN PUSTAKA ........ 9\n\nDAFTAR PUSTAKA 40\n\n"
    "DAFTAR TABEL\n\nTabel 2.1 Perbandingan penelitian terdahulu 12\n\n"
    f"ABSTRAK\n\n{PROSE}\n\nKata kunci: diplomasi, ekonomi\n\n"
    f"BAB I\n\nPENDAHULUAN\n\n1.1 Latar Belakang\n\n{PROSE}\n\n1.2 Rumusan Masalah\n\n{PROSE}\n\n"
    f"1.3 Sistematika Penulisan\n\n{PROSE}\n\nBAB II Tinjauan Pustaka berisi teori yang dipakai dalam penelitian ini.\n\n"
    "BAB V Kesimpulan dan Saran\n\nBab ini berisi kesimpulan dan saran penelitian.\n\n"
    f"BAB II\n\nTINJAUAN PUSTAKA\n\n2.1 Diplomasi Ekonomi\n\n{PROSE}\n\n1. Laptop ASUS dengan memori 8 GB\n\n2. Printer laser\n\n"
    f"BAB III\n\nMetode Penelitian\n\n3.1 Teknik Pengumpulan Data\n\n{PROSE}\n\n"
    f"BAB IV\n\nHASIL DAN PEMBAHASAN\n\n4.1 Pengujian Model\n\n{PROSE}\n\n"
    f"BAB V\n\nPENUTUP\n\n5.1 Kesimpulan\n\n{PROSE}\n\n5.2 Saran\n\n{PROSE}\n\n"
    "DAFTAR PUSTAKA\n\nNye, J. 2004. Soft Power. New York: Public Affairs.\n\n"
    "LAMPIRAN\n\nLampiran 1 Kuesioner penelitian yang dibagikan kepada responden di lapangan.\n"
)


def test_front_matter_and_appendix_stay_out_of_the_argument() -> None:
    doc = segment(Document(id="t", source_path="t.txt", text=SKRIPSI))
    assert [(s.heading, s.role, s.level) for s in doc.sections] == [
        ("LEMBAR PENGESAHAN", "front", 1), ("PERNYATAAN KEASLIAN SKRIPSI", "front", 1), ("KATA PENGANTAR", "front", 1),
        ("DAFTAR ISI", "front", 1), ("DAFTAR TABEL", "front", 1), ("ABSTRAK", "abstract", 1),
        ("BAB I PENDAHULUAN", "introduction", 1), ("1.1 Latar Belakang", "introduction", 2),
        ("1.2 Rumusan Masalah", "research_question", 2), ("1.3 Sistematika Penulisan", "introduction", 2),
        ("BAB II TINJAUAN PUSTAKA", "theory", 1), ("2.1 Diplomasi Ekonomi", "theory", 2),
        ("BAB III Metode Penelitian", "method", 1), ("3.1 Teknik Pengumpulan Data", "method", 2),
        ("BAB IV HASIL DAN PEMBAHASAN", "results", 1), ("4.1 Pengujian Model", "results", 2),
        ("BAB V PENUTUP", "conclusion", 1), ("5.1 Kesimpulan", "conclusion", 2), ("5.2 Saran", "suggestions", 2),
        ("DAFTAR PUSTAKA", "references", 1), ("LAMPIRAN", "appendix", 1),
    ]
    roles = doc.section_by_id()
    paragraph_roles = [roles[p.section].role for p in doc.paragraphs]
    assert not {"front", "appendix"} & set(paragraph_roles)
    texts = [SKRIPSI[p.start : p.end] for p in doc.paragraphs]
    assert not any("Puji syukur" in t or "Latar Belakang 1" in t or "Kuesioner" in t for t in texts)
    assert "1. Laptop ASUS dengan memori 8 GB" in texts  # a list item, not a section
    assert doc.front.title == "PERAN DIPLOMASI EKONOMI DALAM KERJA SAMA BILATERAL"
    assert doc.front.authors == ["Nama Mahasiswa"]
    assert doc.front.keywords == ["diplomasi", "ekonomi"]


def test_classifier_reads_thesis_roles_as_its_own() -> None:
    from pipeline.features import ROLES, _norm_role

    assert [_norm_role(r) for r in ("research_question", "objectives", "hypothesis")] == ["introduction"] * 3
    assert [_norm_role(r) for r in ("theory", "method", "results", "suggestions")] == ["body"] * 3 + ["conclusion"]
    assert [_norm_role(r) for r in ("front", "appendix", "references")] == ["other"] * 3
    assert set(map(_norm_role, ("body", "", "abstract"))) <= set(ROLES)
