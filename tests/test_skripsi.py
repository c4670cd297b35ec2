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

# every chapter of each thesis, stand-off: its number, the first word of its title (a check
# word, lower-cased) and its role; the titles themselves stay in ../shared
CHAPTERS = {
    'biomarker-deep-belief-network-neimasilk': [('1', 'pendahuluan', 'introduction'), ('2', 'tinjauan', 'theory'), ('3', 'metodologi', 'method'), ('4', 'pembahasan', 'results'), ('5', 'kesimpulan', 'conclusion')],
    'cacat-kulit-jeruk-hel06492': [('1', 'pendahuluan', 'introduction'), ('2', 'tinjauan', 'theory'), ('3', 'metode', 'method'), ('4', 'hasil', 'results'), ('5', 'kesimpulan', 'conclusion')],
    'dependensi-kalimat-linguistik-touchitbringit': [('1', 'pendahuluan', 'introduction'), ('2', 'tinjauan', 'theory'), ('3', 'metode', 'method'), ('4', 'analisis', 'results'), ('5', 'kesimpulan', 'conclusion')],
    'docker-virtual-screening-agungputrap': [('1', 'pendahuluan', 'introduction'), ('2', 'landasan', 'theory'), ('3', 'metodologi', 'method'), ('4', 'hasil', 'results'), ('5', 'penutup', 'conclusion')],
    'hadoop-spark-digitalocean-diwahsap': [('1', 'pendahuluan', 'introduction'), ('2', 'landasan', 'theory'), ('3', 'metodologi', 'method'), ('4', 'hasil', 'results'), ('5', 'penutup', 'conclusion')],
    'helm-deployment-http-xerdiosa': [('1', 'pendahuluan', 'introduction'), ('2', 'tinjauan', 'theory'), ('3', 'analisis', 'method'), ('4', 'implementasi', 'results'), ('5', 'pengujian', 'results'), ('6', 'penutup', 'conclusion')],
    'lstm-detak-jantung-estaesta': [('1', 'pendahuluan', 'introduction'), ('2', 'landasan', 'theory'), ('3', 'metodologi', 'method'), ('4', 'perancangan', 'method'), ('5', 'implementasi', 'results'), ('6', 'hasil', 'results'), ('7', 'penutup', 'conclusion')],
    'opencl-mobile-gpu-tsesarrizqi': [('1', 'pendahuluan', 'introduction'), ('2', 'landasan', 'theory'), ('3', 'metodologi', 'method'), ('4', 'eksperimen', 'results'), ('5', 'kesimpulan', 'conclusion')],
    'plat-nomor-kendaraan-jeffrysaputra97': [('1', 'pendahuluan', 'introduction'), ('2', 'landasan', 'theory'), ('3', 'analisis', 'method'), ('4', 'implementasi', 'results'), ('5', 'penutup', 'conclusion')],
    'sistem-penasehat-pembelajaran-achmedhibatillah': [('1', 'pendahuluan', 'introduction'), ('2', 'kajian', 'theory'), ('3', 'kerangka', 'theory'), ('4', 'metode', 'method'), ('5', 'visualisasi', 'body'), ('6', 'sistem', 'body'), ('7', 'persepsi', 'body'), ('8', 'kesimpulan', 'conclusion')],
    'tracer-study-ilkom-sauliakarina': [('1', 'pendahuluan', 'introduction'), ('2', 'kajian', 'theory'), ('3', 'implementasi', 'results'), ('4', 'uji', 'results'), ('5', 'kesimpulan', 'conclusion')],
    'visualisasi-direktivitas-bundengan-vianfbrtr': [('1', 'pendahuluan', 'introduction'), ('2', 'tinjauan', 'theory'), ('3', 'dasar', 'theory'), ('4', 'pelaksanaan', 'method'), ('5', 'hasil', 'results'), ('6', 'kesimpulan', 'conclusion')],
    'zigbee-gateway-iot-luqmansungkar': [('1', 'pendahuluan', 'introduction'), ('2', 'landasan', 'theory'), ('3', 'rancangan', 'method'), ('4', 'implementasi', 'results'), ('5', 'pengujian', 'results'), ('6', 'penutup', 'conclusion')],
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


def chapter_key(heading: str) -> tuple[str, str]:
    """(number, first title word lower-cased) of "BAB 2 LANDASAN …" or "2 Landasan …"."""
    match = re.match(r"(?:BAB\s+)?(\d+)\s+(\S+)", heading)
    return (match.group(1), match.group(2).lower()[:12]) if match else (heading, "")


def role_of(name: str, number: str, check: str) -> str:
    """The role of the section numbered ``number`` whose title opens with ``check``."""
    (section,) = [s for s in thesis(name).sections
                  if s.heading.split(" ", 1)[0] == number and s.heading.split(" ", 2)[1].lower().startswith(check)]
    return section.role


@cache
def thesis(name: str) -> Document:
    return segment(read_document(WHOLE / f"{name}.txt", name))


def test_every_thesis_is_pinned() -> None:
    assert sorted(p.stem for p in WHOLE.glob("*.txt")) == sorted(CHAPTERS)


@pytest.mark.parametrize("name", sorted(CHAPTERS))
def test_chapters_and_their_roles(name: str) -> None:
    doc = thesis(name)
    chapters = [(*chapter_key(s.heading), s.role) for s in doc.sections
                if s.level == 1 and s.role not in ("abstract", "references")]
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
    helm, docker = "helm-deployment-http-xerdiosa", "docker-virtual-screening-agungputrap"
    assert role_of(helm, "1.2", "rumusan") == "research_question"
    assert role_of(helm, "1.3", "pertanyaan") == "research_question"
    assert role_of(helm, "1.4", "tujuan") == "objectives"
    assert role_of(helm, "1.5", "batasan") == "introduction"  # BAB I's unnamed parts stay introduction
    assert role_of(helm, "3.1", "metode") == "method"
    assert role_of(helm, "4.1.4", "implementasi") == "results"  # inherits its chapter's role
    assert role_of(helm, "6.1", "kesimpulan") == "conclusion"
    assert role_of(helm, "6.2", "saran") == "suggestions"
    assert role_of(docker, "5.2", "kendala") == "conclusion"  # under "5 Penutup"
    assert role_of(docker, "5.3", "saran") == "suggestions"
    dependensi, plat = "dependensi-kalimat-linguistik-touchitbringit", "plat-nomor-kendaraan-jeffrysaputra97"
    assert role_of(dependensi, "1.6", "kerangka") == "theory"
    assert role_of(dependensi, "5.2", "pengembangan") == "suggestions"
    assert role_of(plat, "1.6", "metodologi") == "method"
    assert role_of(plat, "3.2", "kerangka") == "theory"
    assert role_of(plat, "4.1.1", "spesifikasi") == "results"


def test_a_paper_chapter_keeps_its_own_introduction_and_conclusion_inside() -> None:
    name = "sistem-penasehat-pembelajaran-achmedhibatillah"
    assert (role_of(name, "5.1", "pendahuluan"), role_of(name, "5.4", "kesimpulan")) == ("body", "body")
    assert (role_of(name, "7.2", "metodologi"), role_of(name, "7.3", "hasil")) == ("method", "results")


def test_outline_lines_and_list_items_stay_prose() -> None:
    doc = thesis("plat-nomor-kendaraan-jeffrysaputra97")
    headings = [s.heading for s in doc.sections]
    assert not any(h.startswith("BAB V") for h in headings)  # an outline line in "1.7 Sistematika …"
    assert not any(re.match(r"1\.\s+Laptop", h) for h in headings)  # a list item
    assert [s.role for s in doc.sections if s.heading.startswith("2 ")] == ["theory"]
    paragraphs = [doc.text[p.start : p.end] for p in doc.paragraphs]
    assert any(re.match(r"1\.\s+Laptop", p) for p in paragraphs)
    assert any(p.startswith("BAB V") for p in paragraphs)
    lstm = thesis("lstm-detak-jantung-estaesta")
    assert not any("BAB II :" in s.heading for s in lstm.sections)
    assert [(chapter_key(s.heading)[0] if s.level == 1 else s.heading.split()[0], s.level) for s in lstm.sections
            if s.heading.startswith(("BAB 2", "2.2.1"))] == [("2", 1), ("2.2.1", 3)]



@pytest.mark.parametrize("name", ["docker-virtual-screening-agungputrap", "hadoop-spark-digitalocean-diwahsap"])
def test_bracketed_captions_are_not_prose(name: str) -> None:
    # "[Logo Docker[34]]", "[Mode Kerja Hadoop (Khatai et al. 2021)]": a figure's caption on a line of its
    # own (pandoc from LaTeX); it used to open the paragraph of the sentence after it
    doc = thesis(name)
    caption_lines = [m.start() for m in re.finditer(r"(?m)^\[(?!\d{1,3}\]).*\]$", doc.text)]
    assert len(caption_lines) > 20
    prose = [span for p in doc.paragraphs for span in p.spans()]
    assert not any(s <= line < e for line in caption_lines for s, e in prose)
    if name.startswith("docker"):
        assert any(doc.text[s:e].startswith("Walaupun begitu, untuk masing") for s, e in prose)



@pytest.mark.parametrize(("line", "caption"), [
    ("[Logo Docker[34]]", True),
    ("[Mode Kerja Hadoop (Khatai et al. 2021)]", True),
    ("[2, 3] oleh para penganut realisme sejak tahun 1979 [4]", False),  # a wrapped line of prose
    ("[…] anarkis, sebagaimana dikatakan tersebut [2]", False),
    ("[12] Nye, J. S. (2004). Soft Power.", False),
])
def test_which_bracketed_lines_are_captions(line: str, caption: bool) -> None:
    from pipeline.structure.classify import FURNITURE

    assert bool(FURNITURE.match(line)) is caption



def test_an_entry_whose_author_was_mangled_still_opens_its_own_entry() -> None:
    # "al., A. A. Supianto et. 2021. …": a reference manager's "et al." turned inside out, on a
    # line of its own between blank lines; it was glued to the entry above, and every later
    # entry's number was off by one (two such entries: citations linked two entries too early)
    doc = thesis("sistem-penasehat-pembelajaran-achmedhibatillah")
    assert len(doc.sources) == 108
    assert [s.text.split(".")[0] for s in doc.sources[2:6]] == ["Ahmad, A", "al", "al", "Alias, U"]



@pytest.mark.parametrize(("name", "sources", "notes"), [
    ("dependensi-kalimat-linguistik-touchitbringit", 163, 11),
    ("helm-deployment-http-xerdiosa", 15, 4),
])
def test_bracketed_endnotes_after_an_author_year_bibliography(name: str, sources: int, notes: int) -> None:
    # pandoc writes a thesis's footnotes as "[1] …", "[2] …" after the Daftar Referensi; they are
    # notes (of any content, "[1] Penelitian (Wang and Liu 2017) memanfaatkan …"), not entries
    doc = thesis(name)
    assert (len(doc.sources), len(doc.notes)) == (sources, notes)
    assert [n.number for n in doc.notes] == [str(k) for k in range(1, notes + 1)]
    assert not any(source.text.startswith("[") for source in doc.sources)


def test_long_numbered_titles_and_code_comments() -> None:
    biomarker = thesis("biomarker-deep-belief-network-neimasilk")
    long_title = [s for s in biomarker.sections if s.heading.startswith("2.5 ")]
    assert [(s.heading.split()[1][:6], s.level, s.role) for s in long_title] == [("Energy", 2, "theory")]
    assert not any("multisteprank" in s.heading or "ranking ujung" in s.heading for s in biomarker.sections)
    hadoop = thesis("hadoop-spark-digitalocean-diwahsap")
    assert not any("INPUT" in s.heading for s in hadoop.sections)


def test_keywords_on_the_line_after_their_label() -> None:
    doc = thesis("helm-deployment-http-xerdiosa")
    assert [k.split()[0].lower() for k in doc.front.keywords] == ["perancangan", "helm", "deployment", "vault",
                                                                   "templating"]
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
