"""DOCX ingest: endnotes after footnotes, notes in table cells, tables and text
boxes kept out of the paragraphs (``doc.non_prose``), text boxes read once.

Two real .docx files are built at test time: one crafted by editing the XML of
a python-docx document (runs everywhere), one converted by LibreOffice from a
flat ODT (skipped without ``soffice`` unless CI is "true")."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import docx
import pytest
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import parse_xml

from pipeline.ingest import read_document
from pipeline.model import Document, Span
from pipeline.structure import segment

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NAMESPACES = (
    f'xmlns:w="{W}" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
    'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
    'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
    'xmlns:v="urn:schemas-microsoft-com:vml"'
)


def _prose(doc: Document) -> list[str]:
    return ["".join(doc.text[s:e] for s, e in paragraph.spans()) for paragraph in doc.paragraphs]


def _inside(span: Span, spans: list[Span]) -> bool:
    return any(start <= span[0] and span[1] <= end for start, end in spans)


def _assert_kept_out_of_paragraphs(doc: Document, pieces: list[str]) -> None:
    """Each piece is written once, lies inside a non-prose span, and no paragraph touches it."""
    for piece in pieces:
        assert doc.text.count(piece) == 1, piece
        start = doc.text.index(piece)
        assert _inside((start, start + len(piece)), doc.non_prose), piece
        for paragraph in doc.paragraphs:
            for s, e in paragraph.spans():
                assert e <= start or s >= start + len(piece), (piece, doc.text[s:e])


# ---------------------------------------------------------------- crafted with python-docx

FOOTNOTES = {  # XML id -> text; the ids are not the numbers the reader gives
    "7": "Dewi Fortuna Anwar, Indonesia in ASEAN (Singapore: ISEAS, 1994), hlm. 12.",
    "3": "Lihat putusan Mahkamah Arbitrase Permanen, 12 Juli 2016.",
    "5": "Anwar, op. cit., hlm. 15.",
}
ENDNOTES = {
    "2": ("Pidato Mohammad Hatta, 2 September 1948.", "Naskah asli disimpan di ANRI."),
    "9": ("Wawancara penulis dengan diplomat senior, Jakarta, 2021.",),
}
TEXT_BOX = "Kotak 1. Prinsip bebas aktif dirumuskan Mohammad Hatta pada 1948."
CAPTION = "Tabel 1. Sengketa wilayah di Asia Tenggara"
TABLE = "Negara | Sengketa\nFilipina | Laut China Selatan²\nVietnam dan Malaysia | Batas ZEE"


def _note_reference(kind: str, note_id: str) -> str:
    return (f'<w:r {NAMESPACES}><w:rPr><w:vertAlign w:val="superscript"/></w:rPr>'
            f'<w:{kind}Reference w:id="{note_id}"/></w:r>')


def _text_box_run(text: str) -> str:
    """A text box as Word writes it: a DrawingML choice and a VML fallback, both holding the text."""
    content = f'<w:txbxContent><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:txbxContent>'
    return (
        f'<w:r {NAMESPACES}><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wp:anchor>'
        '<wp:docPr id="1" name="Kotak 1"/><a:graphic><a:graphicData '
        'uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"><wps:wsp>'
        f"<wps:txbx>{content}</wps:txbx></wps:wsp></a:graphicData></a:graphic></wp:anchor></w:drawing>"
        f"</mc:Choice><mc:Fallback><w:pict><v:rect><v:textbox>{content}</v:textbox></v:rect></w:pict>"
        "</mc:Fallback></mc:AlternateContent></w:r>"
    )


def _notes_part(document: docx.document.Document, kind: str, notes: dict[str, tuple[str, ...]]) -> None:
    bodies = "".join(
        f'<w:{kind} w:id="{note_id}">'
        + "".join(f'<w:p><w:r><w:{kind}Ref/></w:r><w:r><w:tab/><w:t>{text}</w:t></w:r></w:p>' for text in texts)
        + f"</w:{kind}>"
        for note_id, texts in notes.items()
    )
    xml = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:{kind}s xmlns:w="{W}">'
        f'<w:{kind} w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:{kind}>'
        f'<w:{kind} w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r></w:p>'
        f"</w:{kind}>{bodies}</w:{kind}s>"
    ).encode()
    content_type = f"application/vnd.openxmlformats-officedocument.wordprocessingml.{kind}s+xml"
    part = Part(PackURI(f"/word/{kind}s.xml"), content_type, xml, document.part.package)
    document.part.relate_to(part, RELATIONSHIP_TYPE.FOOTNOTES if kind == "footnote" else RELATIONSHIP_TYPE.ENDNOTES)


def build_crafted_docx(path: Path) -> None:
    """python-docx has no API for notes or text boxes: their XML is written by hand."""
    document = docx.Document()
    document.add_heading("Pendahuluan", level=1)
    paragraph = document.add_paragraph("ASEAN menjadi pilar utama politik luar negeri Indonesia.")
    paragraph._p.append(parse_xml(_note_reference("footnote", "7")))
    paragraph.add_run(" Prinsip bebas aktif tetap dipegang.")
    paragraph._p.append(parse_xml(_note_reference("endnote", "2")))
    paragraph = document.add_paragraph("Peran Indonesia di ASEAN ")
    # a deleted revision, the text box, then a run inside a hyperlink
    deleted = f'<w:del {NAMESPACES} w:id="1" w:author="A"><w:r><w:delText>tidak </w:delText></w:r></w:del>'
    paragraph._p.append(parse_xml(deleted))
    paragraph.add_run("terus menguat.")
    paragraph._p.append(parse_xml(_text_box_run(TEXT_BOX)))
    link = (f'<w:hyperlink {NAMESPACES} w:anchor="lampiran">'
            '<w:r><w:t xml:space="preserve"> Lihat lampiran.</w:t></w:r></w:hyperlink>')
    paragraph._p.append(parse_xml(link))
    table = document.add_table(rows=3, cols=2)
    for row, cells in zip(table.rows, (("Negara", "Sengketa"), ("Filipina", "Laut China Selatan"),
                                       ("Vietnam", "Batas ZEE")), strict=True):
        for cell, text in zip(row.cells, cells, strict=True):
            cell.paragraphs[0].add_run(text)
    table.cell(1, 1).paragraphs[0]._p.append(parse_xml(_note_reference("footnote", "3")))
    table.cell(2, 0).add_paragraph("dan Malaysia")
    document.add_paragraph(CAPTION, style="Caption")
    document.add_heading("Kesimpulan", level=1)
    paragraph = document.add_paragraph("Diplomasi ASEAN tetap relevan bagi kepentingan nasional.")
    paragraph._p.append(parse_xml(_note_reference("footnote", "5")))
    paragraph.add_run(" Namun koordinasi antarlembaga perlu diperkuat.")
    paragraph._p.append(parse_xml(_note_reference("endnote", "9")))
    _notes_part(document, "footnote", {note_id: (text,) for note_id, text in FOOTNOTES.items()})
    _notes_part(document, "endnote", ENDNOTES)
    document.save(str(path))


def test_crafted_docx_endnotes_table_notes_text_box_and_caption(tmp_path: Path) -> None:
    path = tmp_path / "asean.docx"
    build_crafted_docx(path)
    doc = read_document(path, "asean")
    # footnotes 1-3 in order of reference (the one in the table cell is 2); endnotes go on from 4
    assert doc.text == (
        "Pendahuluan\n\n"
        "ASEAN menjadi pilar utama politik luar negeri Indonesia.¹ Prinsip bebas aktif tetap dipegang.⁴\n\n"
        "Peran Indonesia di ASEAN terus menguat. Lihat lampiran.\n\n"
        f"{TEXT_BOX}\n\n"
        f"{TABLE}\n\n"
        f"{CAPTION}\n\n"
        "Kesimpulan\n\n"
        "Diplomasi ASEAN tetap relevan bagi kepentingan nasional.³ Namun koordinasi antarlembaga perlu diperkuat.⁵\n\n"
        "Catatan kaki\n\n"
        "¹ Dewi Fortuna Anwar, Indonesia in ASEAN (Singapore: ISEAS, 1994), hlm. 12.\n\n"
        "² Lihat putusan Mahkamah Arbitrase Permanen, 12 Juli 2016.\n\n"
        "³ Anwar, op. cit., hlm. 15.\n\n"
        "Catatan akhir\n\n"
        "⁴ Pidato Mohammad Hatta, 2 September 1948. Naskah asli disimpan di ANRI.\n\n"
        "⁵ Wawancara penulis dengan diplomat senior, Jakarta, 2021.\n"
    )
    assert [(doc.text[s - 8 : s], doc.text[s:e]) for s, e in doc.marker_hints] == [
        ("donesia.", "¹"), ("ipegang.", "⁴"), (" Selatan", "²"), ("asional.", "³"), ("perkuat.", "⁵")]
    assert [doc.text[s:e] for s, e in doc.non_prose] == [TEXT_BOX, TABLE, CAPTION]
    doc = segment(doc)
    assert [(s.heading, s.role) for s in doc.sections] == [
        ("Pendahuluan", "introduction"), ("Kesimpulan", "conclusion"),
        ("Catatan kaki", "notes"), ("Catatan akhir", "notes"),
    ]
    assert [(n.id, n.number, n.text) for n in doc.notes] == [
        ("n1", "1", FOOTNOTES["7"]), ("n2", "2", FOOTNOTES["3"]), ("n3", "3", FOOTNOTES["5"]),
        ("n4", "4", " ".join(ENDNOTES["2"])), ("n5", "5", ENDNOTES["9"][0]),
    ]
    for note in doc.notes:  # each note starts at its own superscript number
        assert doc.text[note.start] == "¹²³⁴⁵"[int(note.number) - 1]
    assert _prose(doc) == [
        "ASEAN menjadi pilar utama politik luar negeri Indonesia.¹ Prinsip bebas aktif tetap dipegang.⁴",
        "Peran Indonesia di ASEAN terus menguat. Lihat lampiran.",
        "Diplomasi ASEAN tetap relevan bagi kepentingan nasional.³ Namun koordinasi antarlembaga perlu diperkuat.⁵",
    ]
    _assert_kept_out_of_paragraphs(doc, [TEXT_BOX, TABLE, CAPTION, "Laut China Selatan²"])


def test_docx_without_notes_or_tables_has_no_non_prose(tmp_path: Path) -> None:
    path = tmp_path / "polos.docx"
    document = docx.Document()
    document.add_paragraph("Politik luar negeri Indonesia bersifat bebas aktif.")
    document.save(str(path))
    doc = read_document(path, "polos")
    assert doc.text == "Politik luar negeri Indonesia bersifat bebas aktif.\n"
    assert doc.non_prose == [] and doc.marker_hints == []


# ---------------------------------------------------------------- converted by LibreOffice from a flat ODT

FODT = """<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"
 xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"
 xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"
 xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0"
 office:version="1.3" office:mimetype="application/vnd.oasis.opendocument.text">
<office:body><office:text>
<text:h text:outline-level="1">Pendahuluan</text:h>
<text:p>Diplomasi maritim Indonesia berkembang pesat sejak 2014.{fn1} Pemerintah menegaskan kedaulatan di Laut Natuna Utara.{en1}</text:p>
<text:p>Penenggelaman kapal asing menjadi simbol ketegasan tersebut.<draw:frame draw:name="Kotak1" text:anchor-type="paragraph" svg:width="6cm" svg:height="2cm" draw:z-index="0"><draw:text-box><text:p>{box}</text:p></draw:text-box></draw:frame> Namun kebijakan itu menuai kritik dari negara tetangga.</text:p>
<table:table table:name="Tabel1">
<table:table-column table:number-columns-repeated="2"/>
<table:table-row>{cell_year}{cell_ships}</table:table-row>
<table:table-row><table:table-cell office:value-type="string"><text:p>2015</text:p></table:table-cell><table:table-cell office:value-type="string"><text:p>113{fn2}</text:p></table:table-cell></table:table-row>
<table:table-row><table:table-cell office:value-type="string"><text:p>2016</text:p></table:table-cell><table:table-cell office:value-type="string"><text:p>115</text:p></table:table-cell></table:table-row>
</table:table>
<text:h text:outline-level="1">Kesimpulan</text:h>
<text:p>Diplomasi maritim memperkuat posisi tawar Indonesia di kawasan.{fn3} Kerja sama dengan ASEAN tetap menjadi kunci.{en2}</text:p>
</office:text></office:body></office:document>
"""
ODT_NOTES = {
    "fn1": ("footnote", "Evan A. Laksmana, Poros Maritim Dunia (Jakarta: CSIS, 2015), hlm. 4."),
    "en1": ("endnote", "Data patroli dihimpun dari laporan tahunan Bakamla."),
    "fn2": ("footnote", "KKP, Laporan Kinerja 2015, hlm. 12."),
    "fn3": ("footnote", "Ibid., hlm. 9."),
    "en2": ("endnote", "Wawancara dengan pejabat Kementerian Luar Negeri, Jakarta, 2019."),
}
ODT_BOX = "Kotak 1. Poros Maritim Dunia diumumkan pada KTT Asia Timur 2014."
ODT_TABLE = "Tahun | Kapal ditenggelamkan\n2015 | 113²\n2016 | 115"


def _odt_note(name: str) -> str:
    kind, text = ODT_NOTES[name]
    return (f'<text:note text:id="{name}" text:note-class="{kind}"><text:note-citation>1</text:note-citation>'
            f"<text:note-body><text:p>{text}</text:p></text:note-body></text:note>")


def _odt_cell(text: str) -> str:
    return f'<table:table-cell office:value-type="string"><text:p>{text}</text:p></table:table-cell>'


def convert_with_soffice(tmp_path: Path) -> Path:
    soffice = shutil.which("soffice")
    if soffice is None:
        if os.environ.get("CI") == "true":
            pytest.fail("soffice (LibreOffice) is required in CI to build the converted .docx")
        pytest.skip("soffice (LibreOffice) not installed: the converted-.docx test needs it")
    source = tmp_path / "maritim.fodt"
    notes = {name: _odt_note(name) for name in ODT_NOTES}
    xml = FODT.format(box=ODT_BOX, cell_year=_odt_cell("Tahun"), cell_ships=_odt_cell("Kapal ditenggelamkan"), **notes)
    source.write_text(xml, encoding="utf-8")
    # a profile of its own, so a LibreOffice already running elsewhere cannot take the job
    profile = (tmp_path / "lo_profile").as_uri()
    subprocess.run([soffice, "--headless", f"-env:UserInstallation={profile}", "--convert-to", "docx",
                    "--outdir", str(tmp_path), str(source)], check=True, capture_output=True, timeout=180)
    return tmp_path / "maritim.docx"


def test_libreoffice_docx_endnotes_table_notes_and_text_box(tmp_path: Path) -> None:
    doc = read_document(convert_with_soffice(tmp_path), "maritim")
    notes = [ODT_NOTES[name][1] for name in ("fn1", "fn2", "fn3", "en1", "en2")]
    assert doc.text == (
        "Pendahuluan\n\n"
        "Diplomasi maritim Indonesia berkembang pesat sejak 2014.¹ Pemerintah menegaskan kedaulatan di Laut Natuna Utara.⁴\n\n"
        "Penenggelaman kapal asing menjadi simbol ketegasan tersebut. Namun kebijakan itu menuai kritik dari negara tetangga.\n\n"
        f"{ODT_BOX}\n\n"
        f"{ODT_TABLE}\n\n"
        "Kesimpulan\n\n"
        "Diplomasi maritim memperkuat posisi tawar Indonesia di kawasan.³ Kerja sama dengan ASEAN tetap menjadi kunci.⁵\n\n"
        "Catatan kaki\n\n"
        f"¹ {notes[0]}\n\n² {notes[1]}\n\n³ {notes[2]}\n\n"
        "Catatan akhir\n\n"
        f"⁴ {notes[3]}\n\n⁵ {notes[4]}\n"
    )
    assert [(doc.text[s - 5 : s], doc.text[s:e]) for s, e in doc.marker_hints] == [
        ("2014.", "¹"), ("tara.", "⁴"), ("| 113", "²"), ("asan.", "³"), ("unci.", "⁵")]
    assert [doc.text[s:e] for s, e in doc.non_prose] == [ODT_BOX, ODT_TABLE]
    doc = segment(doc)
    assert [(s.heading, s.role) for s in doc.sections] == [
        ("Pendahuluan", "introduction"), ("Kesimpulan", "conclusion"),
        ("Catatan kaki", "notes"), ("Catatan akhir", "notes"),
    ]
    assert [(n.number, n.text) for n in doc.notes] == [(str(k), text) for k, text in enumerate(notes, 1)]
    assert _prose(doc) == [
        "Diplomasi maritim Indonesia berkembang pesat sejak 2014.¹ Pemerintah menegaskan kedaulatan di Laut Natuna Utara.⁴",
        "Penenggelaman kapal asing menjadi simbol ketegasan tersebut. Namun kebijakan itu menuai kritik dari negara tetangga.",
        "Diplomasi maritim memperkuat posisi tawar Indonesia di kawasan.³ Kerja sama dengan ASEAN tetap menjadi kunci.⁵",
    ]
    _assert_kept_out_of_paragraphs(doc, [ODT_BOX, ODT_TABLE, "Kapal ditenggelamkan"])
