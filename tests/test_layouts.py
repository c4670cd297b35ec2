"""The seed article typeset as real theses reach users (scripts/build_layouts.py):
Word PDF and DOCX, LaTeX article, two-column journal, skripsi, pdftotext text.
Each layout, read by ingest → structure → citations, must give what the plain
.txt gives: the notes, their resolutions, the sources, the section roles, the
sentences a note block cuts, and no page furniture in the prose.

Needs soffice, pdflatex and pdftotext; without them the module is skipped,
except under CI=true, where it fails."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from pipeline.citations import link_citations
from pipeline.ingest import read_document
from pipeline.model import Document
from pipeline.structure import segment

sys.path.insert(0, str(Path(__file__).resolve().parent))
from conftest import ROOT, SEED
from test_citations import split_units

pytestmark = pytest.mark.layouts

SCRIPT = ROOT / "scripts" / "build_layouts.py"
TOOLS = ("soffice", "pdflatex", "pdftotext")
LAYOUTS = (
    "seed.docx", "seed-word.pdf", "seed-latex.pdf", "seed-twocol.pdf", "seed-skripsi.pdf",
    "seed-pdftotext.txt",
)
# the running head build_layouts.py prints on every page
RUNNING_HEAD = "Peran NGO dalam Menanggulangi Perdagangan Anak di Rusia"
SUPERSCRIPTS = re.compile("[⁰¹²³⁴⁵⁶⁷⁸⁹]+")
BUILD_TIMEOUT = 900
# paragraphs the skripsi layout adds (cover, LEMBAR PENGESAHAN, KATA PENGANTAR), normalised
WRITTEN_BY_BUILD = ("skripsidenganjudul", "pujisyukurpenulis", "diajukanuntukmemenuhi")


def normalise(text: str) -> str:
    """Lower-case letters and digits only: line breaks, hyphenation, emphasis marks
    and punctuation do not count; superscript markers are dropped."""
    return "".join(char for char in SUPERSCRIPTS.sub("", text).lower() if char.isalnum())


def process(path: Path) -> Document:
    """The project's stages up to citations (test-only sentence splitter for nlp)."""
    return link_citations(split_units(segment(read_document(path, path.stem))))


@pytest.fixture(scope="module")
def layout_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        message = f"the layout tests need {', '.join(missing)} on PATH (LibreOffice, TeX Live, poppler-utils)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    out = tmp_path_factory.mktemp("layouts")
    done = subprocess.run([sys.executable, str(SCRIPT), str(SEED), str(out)],
                          check=False, capture_output=True, text=True, timeout=BUILD_TIMEOUT)
    assert done.returncode == 0, f"build_layouts.py failed:\n{done.stdout}{done.stderr}"
    assert done.stdout.splitlines() == [f"wrote {out / name}" for name in (
        "seed.fodt", "seed-word.pdf", "seed.docx", "seed-latex.pdf", "seed-twocol.pdf",
        "seed-skripsi.pdf", "seed-pdftotext.txt")]
    return out


@pytest.fixture(scope="module")
def expected() -> Document:
    return process(SEED)


@pytest.fixture(scope="module")
def layout_doc(layout_dir: Path) -> Callable[[str], Document]:
    """Each layout processed once, on first use; a reader error fails only that layout's tests."""
    cache: dict[str, Document | BaseException] = {}

    def get(name: str) -> Document:
        if name not in cache:
            try:
                cache[name] = process(layout_dir / name)
            except Exception as error:  # noqa: BLE001 - reported by every test of this layout
                cache[name] = error
        result = cache[name]
        if isinstance(result, BaseException):
            pytest.fail(f"{name}: the pipeline failed: {type(result).__name__}: {result}")
        return result

    return get


def test_seed_txt_values(expected: Document) -> None:
    """The real numbers of the .txt that every layout is compared with."""
    assert [note.number for note in expected.notes] == [str(k) for k in range(1, 28)]
    resolved = [note.number for note in expected.notes if note.resolution not in ("self", "unresolved")]
    assert resolved == ["3", "5", "6", "8", "12", "14", "15", "19", "20", "23", "24", "27"]
    assert [(n.reference, n.resolution, n.resolves_to) for n in expected.notes if n.number == "26"] == [
        ("opcit", "unresolved", None)
    ]
    assert [source.group for source in expected.sources] == (
        ["BUKU"] * 6 + ["JURNAL DAN SKRIPSI"] * 2 + ["E-BOOK"] * 4 + ["INTERNET"] * 2
    )
    assert len(cut_sentences(expected)) == 6


@pytest.mark.parametrize("name", LAYOUTS)
def test_notes(name: str, layout_doc: Callable[[str], Document], expected: Document) -> None:
    doc = layout_doc(name)
    assert [note.number for note in doc.notes] == [str(k) for k in range(1, 28)], (
        f"{name}: {len(doc.notes)} notes found"
    )
    wrong = [
        (note.number, note.text[:80], want.text[:80])
        for note, want in zip(doc.notes, expected.notes, strict=True)
        if normalise(note.text) != normalise(want.text)
    ]
    assert not wrong, f"{name}: {len(wrong)} note texts differ from the .txt; first: {wrong[0]}"


@pytest.mark.parametrize("name", LAYOUTS)
def test_resolutions(name: str, layout_doc: Callable[[str], Document], expected: Document) -> None:
    doc = layout_doc(name)
    got = [(note.number, note.resolution, note.resolves_to) for note in doc.notes]
    want = [(note.number, note.resolution, note.resolves_to) for note in expected.notes]
    assert got == want, f"{name}: differs at {sorted(set(want) - set(got))[:5]}"
    assert sum(resolution not in ("self", "unresolved") for _, resolution, _ in got) == 12
    assert ("26", "unresolved", None) in got


@pytest.mark.parametrize("name", LAYOUTS)
def test_sources(name: str, layout_doc: Callable[[str], Document], expected: Document) -> None:
    doc = layout_doc(name)
    assert len(doc.sources) == 14, f"{name}: {len(doc.sources)} sources"
    assert [source.group for source in doc.sources] == [source.group for source in expected.sources]


@pytest.mark.parametrize("name", LAYOUTS)
def test_section_roles(name: str, layout_doc: Callable[[str], Document]) -> None:
    doc = layout_doc(name)
    roles = [(section.heading, section.role) for section in doc.sections]
    assert {"introduction", "conclusion"} <= {role for _, role in roles}, f"{name}: sections {roles}"


def cut_sentences(doc: Document) -> list[str]:
    """The sentences of ``doc`` that a note block cuts (units in more than one part)."""
    return [" ".join(doc.text[s:e] for s, e in unit.spans()) for unit in doc.units if len(unit.spans()) > 1]


def paragraph_texts(doc: Document) -> list[str]:
    return [" ".join(doc.text[s:e] for s, e in paragraph.spans()) for paragraph in doc.paragraphs]


@pytest.mark.parametrize("name", LAYOUTS)
def test_cut_sentences_whole(name: str, layout_doc: Callable[[str], Document], expected: Document) -> None:
    doc = layout_doc(name)
    paragraphs = [normalise(text) for text in paragraph_texts(doc)]
    broken = [
        sentence[:60] for sentence in cut_sentences(expected)
        if not any(normalise(sentence) in paragraph for paragraph in paragraphs)
    ]
    assert not broken, f"{name}: {len(broken)} of 6 cut sentences not whole in one paragraph: {broken}"


def prose_without_markers(doc: Document, start: int, end: int) -> str:
    """``doc.text[start:end]`` less the footnote markers the pipeline found there."""
    drop = sorted({(c.start, c.end) for c in doc.citations if c.style == "footnote"} | set(doc.marker_hints))
    pieces, position = [], start
    for drop_start, drop_end in drop:
        if drop_end <= position or drop_start >= end:
            continue
        pieces.append(doc.text[position:max(position, drop_start)])
        position = max(position, drop_end)
    pieces.append(doc.text[position:end])
    return "".join(pieces)


@pytest.mark.parametrize("name", LAYOUTS)
def test_no_page_furniture_in_paragraphs(
    name: str, layout_doc: Callable[[str], Document], expected: Document
) -> None:
    """No running head, page number, footnote or contents text inside a paragraph:
    every paragraph piece is prose that the .txt has in its paragraphs."""
    doc = layout_doc(name)
    # joined without a break: two paragraphs run together are another test's business
    prose = "".join(normalise(text) for text in paragraph_texts(expected))
    head = normalise(RUNNING_HEAD)
    foreign = []
    for paragraph in doc.paragraphs:
        if normalise(" ".join(doc.text[s:e] for s, e in paragraph.spans())).startswith(WRITTEN_BY_BUILD):
            continue
        for start, end in paragraph.spans():
            piece = normalise(prose_without_markers(doc, start, end))
            if head in piece or piece.isdigit() or piece not in prose:
                foreign.append(divergence(piece, prose))
    assert not foreign, f"{name}: {len(foreign)} paragraph pieces with text that is not .txt prose (running head, page number, note, contents), at »: {foreign[:3]}"


def divergence(piece: str, prose: str) -> str:
    """Where ``piece`` stops matching the prose: the longest prefix of it that
    the prose holds, and what follows, in normalised form."""
    low, high = 0, len(piece)
    while low < high:
        middle = (low + high + 1) // 2
        if piece[:middle] in prose:
            low = middle
        else:
            high = middle - 1
    return f"{piece[max(0, low - 40):low]}»{piece[low:low + 60]}"
