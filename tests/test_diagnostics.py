"""The 'diagnostics' stage (pipeline/diagnostics.py): each code on a small document
made to trigger it, and the seed's dangling op.cit. (note 26)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import SEED

from pipeline.citations import link_citations
from pipeline.diagnostics import CODES, find_diagnostics
from pipeline.graph import read_graph, validate_file, write_graph
from pipeline.ingest import read_document
from pipeline.model import (
    Citation,
    Document,
    Note,
    Paragraph,
    Relation,
    Section,
    Source,
    Token,
    Unit,
)
from pipeline.structure import segment

FUNCTION_WORDS = {"di", "dalam", "dan", "yang", "ini", "itu", "untuk", "dengan"}


def build(sections: list[tuple[str, str, list[tuple[str, str]]]], tail: str = "") -> Document:
    """A document of sections (heading, role, [(label, sentence), ...]); one paragraph
    per section, one unit per sentence, tokens split on spaces (function words ADP,
    the rest NOUN, lemma = lower-cased word); ``tail`` (notes, bibliography) is
    appended as written."""
    text = "Judul\n\n"
    doc = Document(id="uji", source_path="uji.txt", text="")
    for number, (heading, role, sentences) in enumerate(sections, 1):
        section_start = len(text)
        text += heading + "\n\n"
        paragraph_start = len(text)
        for label, sentence in sentences:
            start = len(text)
            text += sentence + " "
            tokens, offset = [], start
            for word in sentence.split():
                bare = word.strip(".,?")
                at = text.index(word, offset)
                tokens.append(Token(bare, at, at + len(bare), lemma=bare.lower(),
                                    upos="ADP" if bare.lower() in FUNCTION_WORDS else "NOUN"))
                offset = at + len(word)
            doc.units.append(Unit(f"u{len(doc.units) + 1}", start, start + len(sentence), sentence,
                                  f"s{number}", f"p{number}", tokens=tokens, label=label))
        doc.paragraphs.append(Paragraph(f"p{number}", paragraph_start, len(text) - 1, f"s{number}"))
        text = text[:-1] + "\n\n"
        doc.sections.append(Section(f"s{number}", section_start, len(text), heading, section_start,
                                    section_start + len(heading), role))
    doc.text = text + tail
    return doc


def codes(doc: Document, code: str) -> list[list[str]]:
    return [diagnostic.objects for diagnostic in find_diagnostics(doc).diagnostics
            if diagnostic.code == code]


def span(doc: Document, fragment: str) -> tuple[int, int]:
    start = doc.text.index(fragment)
    return start, start + len(fragment)


def test_unsupported_claim_is_a_body_claim_without_support_or_citation() -> None:
    doc = build([
        ("Pendahuluan", "introduction", [("claim", "Laut itu penting.")]),
        ("Pembahasan", "body", [
            ("claim", "Kerja sama maritim menguntungkan kedua negara."),
            ("evidence", "Pada 2019 ada 60 kapal."),
            ("claim", "Patroli bersama mengurangi pencurian ikan."),
            ("claim", "Diplomasi maritim perlu diperkuat."),
        ]),
    ])
    doc.relations = [Relation("r1", "u3", "u2", "supports")]
    doc.citations = [Citation("c1", "u5", doc.units[4].end - 1, doc.units[4].end, "1", "footnote")]
    assert codes(doc, "unsupported_claim") == [["u4"]]  # u1 is not in the body; u2 supported; u5 cited
    message = doc.diagnostics[0].message
    assert message.startswith("Klaim u4 di bagian isi tidak didukung") and "Patroli bersama" in message
    assert (doc.diagnostics[0].start, doc.diagnostics[0].end) == (doc.units[3].start, doc.units[3].end)


NOTES_TAIL = (
    "¹ Budi Santoso, *Laut Kita*, (Jakarta: Pustaka, 2019), hal. 3\n"
    "² Hadi., *op.cit.*, hal. 4\n"
    "³ Ibid., hal. 5\n"
    "⁴ Catatan tanpa penanda.\n\n"
    "DAFTAR PUSTAKA\n\n"
    "Santoso, Budi. 2019. *Laut Kita*. Jakarta: Pustaka\n"
    "Nugroho, Ari. 2021. *Selat*. Bandung: Alfa\n"
    "Wibowo, Eko. 2020. *Kapal*. Surabaya: Beta\n"
)


def noted_document() -> Document:
    doc = build([("Pembahasan", "body", [("evidence", "Ada kapal.¹ Ada ikan.² Ada patroli.³ Ada laut.⁵")])],
                NOTES_TAIL)
    for number, fragment in enumerate(("¹ Budi", "² Hadi", "³ Ibid", "⁴ Catatan"), 1):
        start = doc.text.index(fragment) + 2
        end = doc.text.index("\n", start)
        doc.notes.append(Note(f"n{number}", str(number), start, end, doc.text[start:end]))
    doc.notes[0].resolves_to, doc.notes[0].source = "n1", "b1"
    doc.notes[1].reference, doc.notes[1].resolution = "opcit", "unresolved"
    doc.notes[2].reference, doc.notes[2].resolution, doc.notes[2].resolves_to = "ibid", "ibid", "n1"
    doc.notes[3].fields = {"works": [{"text": "Nugroho 2021", "source": "b2"}]}
    for number, entry in enumerate(("Santoso, Budi", "Nugroho, Ari", "Wibowo, Eko"), 1):
        start = doc.text.index(entry)
        doc.sources.append(Source(f"b{number}", start, doc.text.index("\n", start),
                                  doc.text[start:doc.text.index("\n", start)]))
    for number, marker in enumerate("¹²³⁵", 1):
        start = doc.text.index(marker)
        note = f"n{number}" if number < 4 else None
        doc.citations.append(Citation(f"c{number}", "u1", start, start + 1, str(number if number < 4 else 5),
                                      "footnote", note=note, source="b1" if number in (1, 3) else None,
                                      resolution="resolved" if number in (1, 3) else "unresolved"))
    return doc


def test_unresolved_citation_dangling_opcit_marker_without_note_note_without_marker() -> None:
    doc = noted_document()
    found = codes(doc, "unresolved_citation")
    # note ⁴ has no marker; marker ⁵ has no note; op.cit. ² resolves to nothing
    assert found == [["c4"], ["n2", "c2"], ["n4"]]
    messages = {d.objects[0]: d.message for d in doc.diagnostics if d.code == "unresolved_citation"}
    assert messages["n2"] == "Catatan 2 (op.cit.) tidak dapat dirujuk ke catatan mana pun sebelumnya."
    assert messages["c4"] == "Penanda catatan kaki 5 (c4) tidak memiliki teks catatan."
    assert messages["n4"] == "Catatan 4 tidak memiliki penanda di dalam teks."


def test_uncited_source_is_an_entry_no_citation_reaches() -> None:
    doc = noted_document()
    # b1 through notes 1 and 3 (Ibid. → 1); b2 only through the works of note 4, which
    # no marker cites; b3 by nothing
    assert codes(doc, "uncited_source") == [["b2"], ["b3"]]
    doc.citations.append(Citation("c5", "u1", 0, 1, "4", "footnote", note="n4"))
    assert codes(doc, "uncited_source") == [["b3"]]
    assert doc.diagnostics[-1].message == 'Entri daftar pustaka b3 tidak pernah dikutip: "Wibowo, Eko. 2020. *Kapal*. Surabaya: Beta"'


def test_missing_source_one_record_per_work() -> None:
    doc = noted_document()
    doc.notes[0].source = None  # Budi Santoso's book is no longer in the bibliography
    for citation in doc.citations[0], doc.citations[2]:
        citation.source, citation.resolution = None, "missing_source"
    doc.citations[1].resolution = "missing_source"  # the unresolved op.cit.: unresolved_citation only
    start = doc.units[0].start
    doc.citations += [Citation(f"c{k}", "u1", start, start + 3, "(Hadi, 2015)", "author_year",
                               resolution="missing_source") for k in (5, 6)]
    assert codes(doc, "missing_source") == [["c5", "c6"], ["n1", "n3", "c1", "c3"]]
    messages = [d.message for d in doc.diagnostics if d.code == "missing_source"]
    assert messages == ['Rujukan "(Hadi, 2015)" dikutip 2 kali tetapi tidak ada di daftar pustaka.',
                        "Karya pada catatan 1 dikutip 2 kali tetapi tidak ada di daftar pustaka."]
    doc.sources = []  # no bibliography at all: nothing to be missing from
    assert codes(doc, "missing_source") == []


def test_ungrounded_conclusion_has_no_chain_to_the_body() -> None:
    doc = build([
        ("Pendahuluan", "introduction", [("claim", "Diplomasi maritim penting.")]),
        ("Pembahasan", "body", [("evidence", "Pada 2019 ada 60 kapal."),
                                ("claim", "Patroli bersama efektif.")]),
        ("Kesimpulan", "conclusion", [("claim", "Patroli bersama terbukti efektif."),
                                      ("claim", "Oleh karena itu kerja sama perlu diteruskan."),
                                      ("claim", "Diplomasi maritim memang penting.")]),
    ])
    doc.relations = [Relation("r1", "u2", "u3", "supports"),
                     Relation("r2", "u4", "u3", "restates"),     # u4 → body
                     Relation("r3", "u4", "u5", "supports"),     # u5 through u4
                     Relation("r4", "u6", "u1", "restates")]     # u6 only to the introduction
    assert codes(doc, "ungrounded_conclusion") == [["u6"]]
    assert doc.diagnostics[-1].message.startswith("Klaim kesimpulan u6 tidak terhubung")


def test_unanswered_question_has_no_restating_conclusion_claim() -> None:
    doc = build([
        ("Pendahuluan", "introduction", [
            ("none", "Bagaimana peran NGO dalam menanggulangi perdagangan anak di Rusia?"),
            ("none", "Rumusan masalah kedua adalah hambatan kerja sama pemerintah dan NGO."),
            ("claim", "Perdagangan anak merupakan kejahatan lintas negara."),
            # "perumusan masalah" holds "rumusan masalah" but announces no question
            ("claim", "Problem posing adalah perumusan masalah matematika oleh siswa."),
            ("none", "Pokok permasalahannya ialah hambatan diplomasi pemerintah."),
        ]),
        ("Kesimpulan", "conclusion", [
            ("claim", "NGO berperan besar menanggulangi perdagangan anak di Rusia."),
        ]),
    ])
    assert codes(doc, "unanswered_question") == [["u2"], ["u5"]]
    question = next(d for d in doc.diagnostics if d.code == "unanswered_question")
    assert question.message.startswith("Pertanyaan penelitian u2 tidak dijawab")
    doc.units[-1].label = "evidence"  # an answer must be a claim
    assert codes(doc, "unanswered_question") == [["u1"], ["u2"], ["u5"]]


def test_diagnostics_are_written_read_and_validated(tmp_path: Path) -> None:
    doc = noted_document()
    find_diagnostics(doc)
    doc.text_path = str(tmp_path / "uji.txt")
    Path(doc.text_path).write_text(doc.text, encoding="utf-8")
    records = write_graph(doc, tmp_path / "uji.jsonl")
    written = [record for record in records if record["type"] == "diagnostic"]
    assert [record["id"] for record in written] == ["d1", "d2", "d3", "d4", "d5"]
    assert list(written[0]) == ["type", "id", "code", "objects", "start", "end", "message"]
    assert records[0]["counts"]["diagnostics"] == 5
    assert validate_file(tmp_path / "uji.jsonl") == []
    graph = read_graph(tmp_path / "uji.jsonl")
    assert graph.diagnostics == doc.diagnostics
    assert {d.code for d in graph.diagnostics} <= set(CODES)
    # a reader skips a record type added to the format after it
    with open(tmp_path / "uji.jsonl", "a", encoding="utf-8") as stream:
        stream.write(json.dumps({"type": "future_record", "id": "x1"}) + "\n")
    assert len(read_graph(tmp_path / "uji.jsonl").diagnostics) == 5


@pytest.fixture(scope="module")
def seed() -> Document:
    """The seed's notes, bibliography and citations (structure and citation linking,
    without Stanza's sentences): the citation diagnostics need nothing more."""
    return find_diagnostics(link_citations(segment(read_document(SEED, SEED.stem))))


def test_seed_note_26_is_the_one_unresolved_citation(seed: Document) -> None:
    unresolved = [d for d in seed.diagnostics if d.code == "unresolved_citation"]
    assert [d.objects for d in unresolved] == [["n26", "c26"]]
    note = next(note for note in seed.notes if note.id == "n26")
    assert (unresolved[0].start, unresolved[0].end) == (note.start, note.end)
    assert seed.text[note.start:note.end].startswith("²⁶ Tiurukanova")
    assert unresolved[0].message == "Catatan 26 (op.cit.) tidak dapat dirujuk ke catatan mana pun sebelumnya."


def test_seed_every_bibliography_entry_is_cited_and_none_is_missing(seed: Document) -> None:
    # all 14 entries are reached, b3 ("David, S. McLellan") through note 16 and b4
    # through the op.cit. chain of ECPAT's notes; ²⁶ is not a missing source
    assert len(seed.sources) == 14
    assert [d.objects for d in seed.diagnostics if d.code in ("uncited_source", "missing_source")] == []
