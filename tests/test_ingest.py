"""Ingest: text decoding, PDF superscript markers, DOCX footnotes, and refusals."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import docx
import pytest
from conftest import SEED
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from pipeline.citations import link_citations
from pipeline.ingest import InputError, read_document
from pipeline.model import Document, Unit
from pipeline.structure import segment

NOTES = (
    "Joseph S. Nye, Soft Power (New York: Public Affairs, 2004), hlm. 5.",
    "Ibid., hlm. 7.",
    "Nye, op. cit., hlm. 9.",
)
SENTENCES = (
    "Diplomasi publik menjadi alat penting politik luar negeri Indonesia.",
    "Banyak negara memakai budaya sebagai sumber kekuatan lunak.",
    "Kekuatan lunak tetap relevan bagi Indonesia.",
)


def one_unit_per_sentence(doc: Document) -> Document:
    """Stand-in for the nlp stage: each sentence of the built files is one unit."""
    units = []
    for paragraph in doc.paragraphs:
        for start, end in paragraph.spans():
            piece = doc.text[start:end]
            offset = 0
            for chunk in piece.replace("¹ ", "¹\n").replace("² ", "²\n").split("\n"):
                position = piece.index(chunk, offset)
                offset = position + len(chunk)
                if chunk.strip():
                    units.append(Unit(id=f"u{len(units) + 1}", start=start + position, end=start + offset,
                                      text=chunk, section=paragraph.section, paragraph=paragraph.id))
    doc.units = units
    return doc


def build_pdf(path: Path) -> None:
    """Two pages; markers are raised 7-point digits; notes in 8-point type at the foot."""
    pdf = canvas.Canvas(str(path), pagesize=A4)
    width, height = A4

    def line(y: float, pieces: list[tuple[str, bool]]) -> None:
        x = 72.0
        for text, raised in pieces:
            size = 7 if raised else 11
            pdf.setFont("Helvetica", size)
            pdf.drawString(x, y + (4 if raised else 0), text)
            x += pdf.stringWidth(text, "Helvetica", size)

    pdf.setFont("Helvetica-Bold", 13)
    pdf.drawString(72, height - 72, "PENDAHULUAN")
    line(height - 100, [(SENTENCES[0], False), ("1", True), (" Banyak negara memakai budaya", False)])
    line(height - 114, [("sebagai sumber kekuatan lunak.", False), ("2", True), (" Namun hingga saat ini", False)])
    for y, number, note in ((90, "1", NOTES[0]), (78, "2", NOTES[1])):
        pdf.setFont("Helvetica", 8)
        pdf.drawString(72, y, number)
        pdf.drawString(80, y, note)
    pdf.setFont("Helvetica", 10)
    pdf.drawString(width / 2, 40, "1")
    pdf.showPage()
    line(height - 72, [("belum ada ukuran yang disepakati untuk menilai hasilnya.", False), ("3", True)])
    pdf.setFont("Helvetica", 8)
    pdf.drawString(72, 90, "3")
    pdf.drawString(80, 90, NOTES[2])
    pdf.setFont("Helvetica", 10)
    pdf.drawString(width / 2, 40, "2")
    pdf.showPage()
    pdf.save()


def add_footnote_reference(paragraph: docx.text.paragraph.Paragraph, footnote_id: int) -> None:
    run = OxmlElement("w:r")
    properties = OxmlElement("w:rPr")
    align = OxmlElement("w:vertAlign")
    align.set(qn("w:val"), "superscript")
    properties.append(align)
    run.append(properties)
    reference = OxmlElement("w:footnoteReference")
    reference.set(qn("w:id"), str(footnote_id))
    run.append(reference)
    paragraph._p.append(run)


def build_docx(path: Path) -> None:
    """python-docx has no footnote API: the footnotes part is written by hand."""
    document = docx.Document()
    document.add_heading("Pendahuluan", level=1)
    paragraph = document.add_paragraph(SENTENCES[0])
    add_footnote_reference(paragraph, 1)
    paragraph.add_run(" " + SENTENCES[1])
    add_footnote_reference(paragraph, 2)
    document.add_heading("Kesimpulan", level=1)
    paragraph = document.add_paragraph(SENTENCES[2])
    add_footnote_reference(paragraph, 3)
    namespace = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    bodies = "".join(
        f'<w:footnote w:id="{k}"><w:p><w:r><w:t xml:space="preserve">{note}</w:t></w:r></w:p></w:footnote>'
        for k, note in enumerate(NOTES, 1)
    )
    xml = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:footnotes xmlns:w="{namespace}">'
        '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
        '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r></w:p>'
        f"</w:footnote>{bodies}</w:footnotes>"
    ).encode()
    part = Part(
        PackURI("/word/footnotes.xml"),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml",
        xml,
        document.part.package,
    )
    document.part.relate_to(part, RELATIONSHIP_TYPE.FOOTNOTES)
    document.save(str(path))


@pytest.mark.skipif(not SEED.exists(), reason="needs ../shared/corpus")
def test_seed_text_and_hash() -> None:
    doc = read_document(SEED, SEED.stem)
    data = SEED.read_bytes()
    assert doc.text == data.decode("utf-8")
    assert doc.sha256 == hashlib.sha256(data).hexdigest()
    assert doc.media_type == "text/plain" and not doc.warnings and not doc.marker_hints


def test_bom_is_kept_so_offsets_match_the_file(tmp_path: Path) -> None:
    path = tmp_path / "bom.md"
    path.write_bytes("\ufeff# Pendahuluan\n\nIsi.\n".encode())
    doc = read_document(path, "bom")
    assert doc.text == path.read_text(encoding="utf-8") and doc.text[0] == "\ufeff"
    assert doc.media_type == "text/markdown"
    assert segment(doc).sections[0].role == "introduction"


def test_cp1252_fallback_warns(tmp_path: Path) -> None:
    path = tmp_path / "lama.txt"
    path.write_bytes("Kutipan \u201cpenting\u201d di caf\u00e9.".encode("cp1252"))
    doc = read_document(path, "lama")
    assert doc.text == "Kutipan \u201cpenting\u201d di caf\u00e9."
    assert doc.warnings == ["not valid UTF-8: decoded as cp1252"]


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("kosong.txt", b"  \n\n", "empty file"),
        ("sampah.txt", bytes(range(256)) * 4, "binary content"),
        ("catatan.rtf", b"{\\rtf1 teks}", "unsupported file type .rtf"),
        ("palsu.pdf", b"bukan pdf sama sekali", "not a PDF"),
        ("rusak.docx", b"PK\x03\x04 potongan arsip", "DOCX"),
    ],
)
def test_refusals(tmp_path: Path, name: str, content: bytes, reason: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InputError, match=reason):
        read_document(path, "x")


def test_pdf_without_text_layer_and_truncated_pdf(tmp_path: Path) -> None:
    scanned = tmp_path / "pindaian.pdf"
    pdf = canvas.Canvas(str(scanned), pagesize=A4)
    pdf.rect(72, 72, 200, 300, fill=1)
    pdf.showPage()
    pdf.save()
    with pytest.raises(InputError, match="no text layer"):
        read_document(scanned, "x")
    whole = tmp_path / "utuh.pdf"
    build_pdf(whole)
    truncated = tmp_path / "terpotong.pdf"
    truncated.write_bytes(whole.read_bytes()[:600])
    with pytest.raises(InputError, match="truncated|corrupt"):
        read_document(truncated, "x")


def test_pdf_superscript_markers_notes_and_offsets(tmp_path: Path) -> None:
    path = tmp_path / "artikel.pdf"
    build_pdf(path)
    doc = read_document(path, "artikel")
    assert doc.media_type == "application/pdf"
    assert doc.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert [doc.text[s:e] for s, e in doc.marker_hints] == ["¹", "²", "³"]
    assert doc.text[doc.marker_hints[0][0] - 10 : doc.marker_hints[0][1]] == "Indonesia.¹"
    assert "\n1\n" not in doc.text and "\n2\n" not in doc.text  # page numbers dropped
    doc = link_citations(one_unit_per_sentence(segment(doc)))
    assert [(s.heading, s.role) for s in doc.sections] == [("PENDAHULUAN", "introduction")]
    assert [n.id for n in doc.notes] == ["n1", "n2", "n3"]
    for note, text in zip(doc.notes, NOTES, strict=True):
        assert note.text == text
        assert doc.text[note.start] in "¹²³"
    assert [(n.reference, n.resolves_to) for n in doc.notes] == [("full", "n1"), ("ibid", "n1"), ("opcit", "n1")]
    assert doc.notes[0].fields["year"] == "2004" and doc.notes[0].fields["publisher"] == "Public Affairs"
    # the sentence cut by the notes and the page break is read whole, its notes after it
    (paragraph,) = doc.paragraphs
    assert doc.text[paragraph.start : paragraph.end].endswith("Namun hingga saat ini belum ada ukuran yang "
                                                              "disepakati untuk menilai hasilnya.³")
    assert not paragraph.parts and doc.notes[0].start > paragraph.end
    assert [(c.marker, c.note, doc.text[c.start : c.end]) for c in doc.citations] == [
        ("1", "n1", "¹"), ("2", "n2", "²"), ("3", "n3", "³")]


def test_docx_footnotes_become_markers_and_notes(tmp_path: Path) -> None:
    path = tmp_path / "artikel.docx"
    build_docx(path)
    doc = read_document(path, "artikel")
    assert doc.media_type.endswith("wordprocessingml.document")
    assert [doc.text[s:e] for s, e in doc.marker_hints] == ["¹", "²", "³"]
    assert doc.text.startswith("Pendahuluan\n\n" + SENTENCES[0] + "¹ " + SENTENCES[1] + "²")
    doc = link_citations(one_unit_per_sentence(segment(doc)))
    assert [(s.heading, s.role) for s in doc.sections] == [
        ("Pendahuluan", "introduction"), ("Kesimpulan", "conclusion"), ("Catatan kaki", "notes")]
    assert [n.text for n in doc.notes] == list(NOTES)
    assert [(n.reference, n.resolves_to) for n in doc.notes] == [("full", "n1"), ("ibid", "n1"), ("opcit", "n1")]
    units = doc.unit_by_id()
    assert [(c.marker, c.note, units[c.unit].text) for c in doc.citations] == [
        ("1", "n1", SENTENCES[0] + "¹"), ("2", "n2", SENTENCES[1] + "²"), ("3", "n3", SENTENCES[2] + "³")]
    assert len(doc.paragraphs) == 2


# ---------------------------------------------------------------- a multi-page PDF of a document written by us

DATA = Path(__file__).resolve().parent / "data"
SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"


def build_article_pdf(path: Path) -> None:
    """``tests/data/artikel_catatan_kaki.txt`` typeset as a journal PDF: one page per
    note block, a running head, lines wrapped at ~95 characters, raised 6-point
    markers, the page's notes in 8-point type at the foot, and page numbers."""
    import textwrap

    blocks = (DATA / "artikel_catatan_kaki.txt").read_text(encoding="utf-8").replace("*", "").split("\n\n")
    pages: list[tuple[list[str], list[str]]] = [([], [])]
    for block in blocks:
        if block[:1] in SUPERSCRIPTS:
            pages[-1][1].extend(block.splitlines())
            pages.append(([], []))
        else:
            pages[-1][0].append(block.strip())
    pdf = canvas.Canvas(str(path), pagesize=A4)
    width, height = A4

    def runs(x: float, y: float, text: str, size: float) -> None:
        for piece in re.split(f"([{SUPERSCRIPTS}]+)", text):
            if not piece:
                continue
            raised = piece[0] in SUPERSCRIPTS
            font_size = 6 if raised else size
            shown = piece.translate(str.maketrans(SUPERSCRIPTS, "0123456789")) if raised else piece
            pdf.setFont("Helvetica", font_size)
            pdf.drawString(x, y + (4 if raised else 0), shown)
            x += pdf.stringWidth(shown, "Helvetica", font_size)

    for number, (body, notes) in enumerate(pages, 1):
        pdf.setFont("Helvetica", 8)
        pdf.drawString(72, height - 40, "Jurnal Uji Diplomasi Kesehatan, Vol. 1, No. 1, 2022")
        y = height - 72
        for block in body:
            for line in block.splitlines():
                for wrapped in textwrap.wrap(line, 95):
                    runs(72, y, wrapped, 10)
                    y -= 14
            y -= 10
        y = 60 + 11 * len(notes)
        for note in notes:
            runs(72, y, note, 8)
            y -= 11
        pdf.setFont("Helvetica", 10)
        pdf.drawString(width / 2, 30, str(number))
        pdf.showPage()
    pdf.save()


def test_multi_page_pdf_keeps_notes_resolutions_and_links(tmp_path: Path) -> None:
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from test_citations import split_units

    path = tmp_path / "artikel.pdf"
    build_article_pdf(path)
    doc = link_citations(split_units(segment(read_document(path, "artikel"))))
    assert [doc.text[s:e] for s, e in doc.marker_hints] == [_superscript(k) for k in range(1, 16)]
    assert [(s.heading, s.role) for s in doc.sections] == [
        ("Abstrak", "abstract"), ("A. Latar Belakang", "introduction"), ("B. Pembahasan", "results"),
        ("C. Kesimpulan", "conclusion"), ("DAFTAR PUSTAKA", "references"),
    ]
    assert [(n.id, n.resolves_to, n.source) for n in doc.notes] == [
        ("n1", "n1", "b3"), ("n2", "n1", "b3"), ("n3", "n3", "b1"), ("n4", "n3", "b1"), ("n5", "n5", "b4"),
        ("n6", "n1", "b3"), ("n7", "n7", "b2"), ("n8", "n7", "b2"), ("n9", "n5", "b4"), ("n10", "n5", "b4"),
        ("n11", "n1", "b3"), ("n12", "n12", "b5"), ("n13", None, None), ("n14", "n14", "b6"), ("n15", "n14", "b6"),
    ]
    assert [(c.marker, c.note) for c in doc.citations] == [(str(k), f"n{k}") for k in range(1, 16)]
    assert len(doc.sources) == 6
    for paragraph in doc.paragraphs:
        for start, end in paragraph.spans():
            assert "Jurnal Uji" not in doc.text[start:end]
    cut = next(p for p in doc.paragraphs if "sehingga jalur multilateral" in doc.text[p.start : p.end])
    assert not cut.parts  # the sentence over the page break is read whole


def _superscript(number: int) -> str:
    return str(number).translate(str.maketrans("0123456789", SUPERSCRIPTS))


def test_pdf_whose_font_maps_to_the_wrong_letters_is_refused(tmp_path: Path) -> None:
    """Indonesian prose set in a symbol font: the text layer reads as Greek, not as words."""
    path = tmp_path / "simbol.pdf"
    pdf = canvas.Canvas(str(path), pagesize=A4)
    pdf.setFont("Symbol", 11)
    for row in range(40):
        pdf.drawString(72, 780 - 18 * row, "Diplomasi publik menjadi alat penting politik luar negeri Indonesia.")
    pdf.showPage()
    pdf.save()
    with pytest.raises(InputError, match="no usable Unicode mapping"):
        read_document(path, "simbol")
