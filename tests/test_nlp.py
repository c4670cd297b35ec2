"""Tests for pipeline/nlp.py: offsets, markers, abbreviations, shipped models offline."""

from __future__ import annotations

import socket
import subprocess
import sys

import pytest
from conftest import ROOT, SEED

from pipeline import nlp
from pipeline.model import Document, Paragraph

SHIPPED = nlp.available_models(nlp.NLPConfig().model_dir)
needs_models = pytest.mark.skipif(
    not {"tokenize", "mwt", "pos", "lemma"} <= set(SHIPPED),
    reason="shipped Stanza models not built yet (make models)",
)


def check_offsets(text: str, sentences) -> None:
    for sentence in sentences:
        for token in sentence:
            piece = text[token.start:token.end]
            # a word of a multi-word token ("bukunya" -> "buku" "nya") spans the whole token
            assert piece == token.text or token.text.lower()[:2] in piece.lower()
            assert 0 <= token.start < token.end <= len(text)
            assert "¹" not in piece and "²" not in piece and "^" not in piece


# ------------------------------------------------------------ without models


def test_abbreviation_lexicon_has_the_academic_ones():
    terms, titles = nlp.abbreviations()
    for term in ("hal.", "hlm.", "dkk.", "et al.", "op.cit.", "ibid.", "no.", "vol."):
        assert term in terms
    assert "prof." in titles and "hal." not in titles


def test_markers_are_blanked_with_same_length():
    text = "pada tahun 1991.¹ Lalu korban² dan laporan^12 resmi"
    prep = nlp._prepare(text, [(0, len(text))], [])
    assert len(prep.text) == len(text)
    assert "¹" not in prep.text and "²" not in prep.text and "^12" not in prep.text
    assert prep.text.index("Lalu") == text.index("Lalu")
    assert prep.masked[text.index("¹")] == 1


def test_squares_of_units_are_not_markers():
    text = "luas 32988 km² dan 5 m³ air, korban² itu"
    prep = nlp._prepare(text, [(0, len(text))], [])
    assert prep.text == "luas 32988 km² dan 5 m³ air, korban  itu"


def test_marker_hints_are_blanked():
    text = "korban12 bertambah"
    prep = nlp._prepare(text, [(0, len(text))], [(6, 8)])
    assert prep.text == "korban   bertambah"


def test_parts_are_joined_by_one_space_and_map_back():
    text = "Hingga saat ini\n\n⁸ Catatan kaki.\n\nNGO tumbuh pesat."
    second = text.index("NGO")
    prep = nlp._prepare(text, [(0, 15), (second, len(text))], [])
    assert prep.text == "Hingga saat ini NGO tumbuh pesat."
    assert prep.to_doc(prep.text.index("NGO")) == second
    assert prep.to_doc(15, end=True) == 15
    assert prep.doc_spans(0, len(prep.text)) == [(0, 15), (second, len(text))]


def test_urls_and_emails_are_protected_without_trailing_stop():
    text = "Lihat http://www.thebodyshop.com/stop. Tulis ke a.b@ui.ac.id."
    prep = nlp._prepare(text, [(0, len(text))], [])
    found = [text[a:b] for a, b in prep.protected]
    assert found == ["http://www.thebodyshop.com/stop", "a.b@ui.ac.id"]


def test_fallback_paragraphs_are_blank_line_blocks():
    text = "Judul\n\nKalimat satu. Kalimat dua.\nMasih paragraf sama.\n\n\nAkhir."
    paras = nlp.fallback_paragraphs(text)
    assert [text[p.start:p.end] for p in paras] == [
        "Judul", "Kalimat satu. Kalimat dua.\nMasih paragraf sama.", "Akhir."]
    assert [p.id for p in paras] == ["p1", "p2", "p3"]


def test_english_sentences_are_marked():
    def toks(s):
        return [nlp.Token(w, 0, 1) for w in s.split()]
    assert nlp.sentence_language(toks("This research describes the role of the NGO in Russia")) == "en"
    assert nlp.sentence_language(toks("Penelitian ini menjelaskan peran NGO di Rusia")) == "id"


def test_missing_models_give_one_line_error(tmp_path):
    with pytest.raises(nlp.NLPModelsMissing) as err:
        nlp._build_pipeline(nlp.NLPConfig(model_dir=tmp_path))
    assert str(tmp_path / "tokenize.pt") in str(err.value) and "\n" not in str(err.value)
    with pytest.raises(nlp.NLPModelsMissing):
        nlp._build_pipeline(nlp.NLPConfig(resources_dir=tmp_path))


def test_a_corrupt_model_file_is_loaded_once(tmp_path, monkeypatch):
    """A real load error surfaces from the first load; only the transformer tagger's missing
    optimizer (a KeyError) is worth building the pipeline a second time."""
    (tmp_path / "tokenize.pt").write_bytes(b"not a torch file")
    calls = []
    real = nlp._stanza_pipeline

    def counted(config):
        calls.append(config)
        return real(config)

    monkeypatch.setattr(nlp, "_stanza_pipeline", counted)
    with pytest.raises(nlp.NLPModelsMissing) as err:
        nlp._build_pipeline(nlp.NLPConfig(model_dir=tmp_path))
    assert len(calls) == 1
    message = str(err.value)
    assert f"cannot load the Stanza models in {tmp_path}" in message and "\n" not in message


# ------------------------------------------------------------ with the shipped models

CASES = [
    # text, sentences, tokens that must appear whole
    ("Hal itu terjadi pada tahun 1991.¹ Sejak itu jumlahnya terus naik.", 2, ["1991"]),
    ("Jumlah korban² terus bertambah setiap tahun di Rusia.", 1, ["korban"]),
    ("Data ini dikutip dari laporan^12 resmi pemerintah Rusia.", 1, ["laporan"]),
    ("Angka itu disebut oleh Malarek (2003, hal. 21) dalam bukunya.", 1, ["hal."]),
    ("Kutipan itu terdapat dalam buku tersebut hlm. 45 bagian kedua.", 1, ["hlm."]),
    ("Penelitian Santoso dkk. (2020) menunjukkan hasil yang sama.", 1, ["dkk."]),
    ("Menurut Khan et al. (2023) kerja sama itu sangat penting.", 1, ["al."]),
    ("Lihat Malarek, op.cit., hal. 21 untuk rinciannya.", 1, ["op.cit.", "hal."]),
    ("Data serupa dimuat dalam Ibid. hal. 43 tentang korban.", 1, ["Ibid.", "hal."]),
    ("Jurnal itu terbit pada Vol. 3 No. 2 tahun lalu.", 1, ["Vol.", "No."]),
    ("Kemiskinan mencapai 73,4 persen dan korban mencapai 70.000 orang.", 1, ["73,4", "70.000"]),
    ("Laporan lengkap tersedia di http://www.thebodyshop.com/stop dan dapat diunduh.", 1,
     ["http://www.thebodyshop.com/stop"]),
    ("Kirim surat ke redaksi@jurnal.ui.ac.id untuk keterangan lebih lanjut.", 1, ["redaksi@jurnal.ui.ac.id"]),
    ("Menurut Peter M. Haas kelompok epistemik adalah jaringan ahli.", 1, ["M."]),
    ("Ini kalimat pertama. Ini kalimat kedua.", 2, []),
    ("Kampanye itu bertema “Lightning. Children, Beware!”.² Kampanye lain menyusul.", 2, []),
]


@needs_models
@pytest.mark.parametrize("text,n_sentences,whole", CASES)
def test_academic_text(text, n_sentences, whole):
    sentences = nlp.analyze_text(text)
    assert len(sentences) == n_sentences, [[t.text for t in s] for s in sentences]
    words = [t.text for s in sentences for t in s]
    for token in whole:
        assert token in words, words
    check_offsets(text, sentences)


@needs_models
def test_annotate_units_cross_parts_and_keep_markers():
    text = (
        "Pendahuluan\n\nHingga saat ini\n\n⁸ Catatan kaki.\n\n"
        "NGO sudah tumbuh dengan sangat pesat dan kuat. Jumlahnya naik pada tahun 1991.¹\n"
    )
    first = text.index("Hingga")
    second = text.index("NGO")
    end = len(text.rstrip())
    doc = Document(id="t", source_path="t.txt", text=text, paragraphs=[
        Paragraph(id="p1", start=first, end=end, section="s1",
                  parts=[(first, first + len("Hingga saat ini")), (second, end)]),
    ])
    nlp.annotate(doc)
    assert len(doc.units) == 2
    u1, u2 = doc.units
    assert u1.parts == [(first, first + 15), (second, text.index(" Jumlahnya"))]
    assert u1.text == "Hingga saat ini NGO sudah tumbuh dengan sangat pesat dan kuat."
    assert (u1.section, u1.paragraph, u1.id) == ("s1", "p1", "u1")
    assert text[u2.start:u2.end].endswith("1991.¹")
    assert not u2.parts
    for unit in doc.units:
        for tok in unit.tokens:
            assert text[tok.start:tok.end]


@needs_models
def test_annotate_without_paragraphs_falls_back_to_blocks():
    doc = Document(id="t", source_path="t.txt",
                   text="Judul Tulisan\n\nThis research describes the role of the NGO in Russia.\n\nIni kalimat.")
    nlp.annotate(doc)
    assert [p.id for p in doc.paragraphs] == ["p1", "p2", "p3"]
    assert [u.language for u in doc.units] == ["id", "en", "id"]
    assert doc.warnings


@needs_models
@pytest.mark.skipif(not SEED.exists(), reason="seed article not available")
def test_shipped_models_offline_on_seed(monkeypatch):
    def no_network(*args, **kwargs):
        raise OSError("network disabled in test")

    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    config = nlp.NLPConfig(processors=("tokenize", "mwt", "pos", "lemma"))
    pipe = nlp._build_pipeline(config)  # fresh load, no cache
    monkeypatch.setitem(nlp._PIPELINES, config, pipe)

    text = SEED.read_text(encoding="utf-8")
    start = text.index("Pihak kepolisian di Moscow")
    end = text.index("\n", start)
    doc = Document(id="seed", source_path=str(SEED), text=text,
                   paragraphs=[Paragraph(id="p1", start=start, end=end, section="s1")])
    nlp.annotate(doc, config)
    assert len(doc.units) == 5
    assert doc.units[0].text.endswith("tahun.²")
    assert doc.units[-1].text.endswith("milyar.³")
    tokens = {t.text: t for u in doc.units for t in u.tokens}
    assert tokens["70.000"].upos == "NUM"
    assert tokens["menyatakan"].upos == "VERB"
    assert tokens["kepolisian"].upos == "NOUN"
    assert tokens["Moscow"].upos == "PROPN"
    assert tokens["menyatakan"].lemma == "nyata"
    for unit in doc.units:
        assert unit.language == "id"
        for tok in unit.tokens:
            assert start <= tok.start < tok.end <= end


@needs_models
def test_tokenize_only_pipeline_works():
    config = nlp.NLPConfig(processors=("tokenize",))
    sentences = nlp.analyze_text("Ini kalimat pertama. Ini kalimat kedua.", config)
    assert [len(s) for s in sentences] == [4, 4]
    assert all(t.upos == "" and t.lemma == "" for s in sentences for t in s)
    assert list(nlp.load_pipeline(config).processors) == ["tokenize"]


@needs_models
def test_the_pipeline_loads_without_training_optimizers():
    """Stanza's trainers build optimizers even to predict, and the first one imports
    torch._dynamo (over a second of every start): the shipped pipeline is built without
    them and still splits sentences, and Stanza's own functions are put back afterwards
    (that it annotates the same: the golden graphs)."""
    probe = (
        "import sys\n"
        "from stanza.models.common import utils\n"
        "before, split_before = utils.get_optimizer, utils.get_split_optimizer\n"
        "from pipeline import nlp\n"
        "sentences = nlp.analyze_text('Indonesia menandatangani perjanjian itu pada 1967. Hal ini penting.')\n"
        "print(len(sentences), 'torch._dynamo' in sys.modules,\n"
        "      utils.get_optimizer is before and utils.get_split_optimizer is split_before)\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            cwd=ROOT, check=True, timeout=600)
    assert result.stdout.split() == ["2", "False", "True"]
