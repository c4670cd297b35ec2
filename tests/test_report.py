"""The HTML report (pipeline/report/): pages hold the graph's counts, keep the text,
load nothing from the network, and render in a real headless browser (Debian's
chromium; skipped with a message where it is not installed: `make browser-tools`)."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import write_gold_graph

from pipeline.graph import read_graph
from pipeline.report import write_report

SEED = "000_b7960c56fa7a1039"
OTHERS = ("ir-excerpt-b07_isu_nontradisional_hi_footnote", "ir-excerpt-b08_soft_power_korea_selatan_footnote")
# the seed's gold graph: 94 claims (6 major), 50 evidence, 27 citations
SEED_COUNTS = {"claims": "94", "major": "6", "evidence": "50", "citations": "27", "map-nodes": "144"}


class Elements(HTMLParser):
    """Every start tag with its attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {key: value or "" for key, value in attrs}))

    def count(self, tag: str, **wanted: str) -> int:
        """Tags with these attributes (``class_`` names one of the classes, ``data_x`` is data-x)."""

        def matches(attrs: dict[str, str]) -> bool:
            for key, value in wanted.items():
                name = key.rstrip("_").replace("_", "-")
                if name == "class" and value not in attrs.get("class", "").split():
                    return False
                if name != "class" and attrs.get(name) != value:
                    return False
            return True

        return sum(1 for name, attrs in self.tags if name == tag and matches(attrs))


def elements(markup: str) -> Elements:
    parser = Elements()
    parser.feed(markup)
    return parser


@pytest.fixture(scope="module")
def graphs_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding the seed and two excerpts (gold-labelled graphs); the session's
    seed_graph folder stays the seed's alone."""
    out_dir = tmp_path_factory.mktemp("graphs")
    for doc_id in (SEED, *OTHERS):
        write_gold_graph(doc_id, out_dir)
    return out_dir


@pytest.fixture(scope="module")
def report(graphs_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The report of graphs_dir."""
    out_dir = graphs_dir
    report_dir = tmp_path_factory.mktemp("report")
    pages = write_report(out_dir, report_dir)
    assert sorted(page.name for page in pages) == sorted(
        [f"{SEED}.html", *(f"{doc_id}.html" for doc_id in OTHERS), "corpus.html", "index.html"])
    return report_dir


def test_every_diagnostic_code_has_a_heading() -> None:
    from pipeline.diagnostics import CODES, MESSAGES
    from pipeline.lexicons import templates

    assert all(templates(MESSAGES).get(f"heading.{code}") for code in CODES)


def test_document_page_holds_the_graph(report: Path, seed_graph: Path) -> None:
    graph = read_graph(seed_graph)
    markup = (report / f"{SEED}.html").read_text(encoding="utf-8")
    page = elements(markup)
    assert page.count("span", class_="claim", data_part="0") == 94
    assert page.count("span", class_="major", data_part="0") == 6
    assert page.count("span", class_="evidence", data_part="0") == 50
    assert page.count("a", class_="citation") == 27
    assert page.count("li", class_="diagnostic") == len(graph.diagnostics)
    assert page.count("li", class_="diagnostic", data_code="unresolved_citation") == 1
    # one foldable group per code, its Indonesian heading and size in its summary; a long group starts folded
    groups = re.findall(r'<details class="diagnostics" data-code="(\w+)"( open)?><summary><code>\w+</code> '
                        r'([^<]+): (\d+)</summary>', markup)
    assert groups == [("unsupported_claim", "", "Klaim tanpa dukungan", "23"),
                      ("unresolved_citation", " open", "Kutipan atau catatan yang tidak terselesaikan", "1"),
                      ("ungrounded_conclusion", " open", "Kesimpulan yang tidak terhubung dengan isi", "2")]
    assert Counter(d.code for d in graph.diagnostics) == {code: int(size) for code, _, _, size in groups}
    # the argument map: one node per claim and evidence unit, one edge per argumentative relation
    assert page.count("circle", class_="claim") + page.count("rect", class_="evidence") == 144
    assert page.count("path", class_="supports") == 88 and page.count("path", class_="restates") == 10
    # citation ²⁶ links to its note; note ²⁶ is anchored; marker ¹ also links to its entry b6
    assert page.count("a", class_="citation", id="c26", href="#n26") == 1
    assert page.count("span", class_="note", id="n26") == 1
    assert '<a class="to-source" href="#b6">b6</a>' in markup
    # a classifier unit shows its probabilities; a gold one says a rule decided
    assert 'title="u2 claim: aturan (tanpa probabilitas)"' in markup


def test_document_page_keeps_the_text_exactly(report: Path, seed_graph: Path) -> None:
    markup = (report / f"{SEED}.html").read_text(encoding="utf-8")
    shown = markup[markup.index('<div class="text">') + len('<div class="text">'):markup.rindex("</div>")]
    shown = re.sub(r'<a class="to-source"[^>]*>[^<]*</a>', "", shown)
    assert html.unescape(re.sub(r"<[^>]+>", "", shown)) == read_graph(seed_graph).text()


def test_pages_load_nothing_from_the_network(report: Path) -> None:
    for path in report.glob("*.html"):
        page = elements(path.read_text(encoding="utf-8"))
        assert not [attrs for tag, attrs in page.tags if "src" in attrs or tag == "link"], path.name
        links = [attrs["href"] for _, attrs in page.tags if "href" in attrs]
        assert all(link.startswith("#") or re.fullmatch(r"[\w.-]+\.html", link) for link in links), path.name


def test_index_lists_every_document_and_the_corpus(report: Path) -> None:
    index = (report / "index.html").read_text(encoding="utf-8")
    page = elements(index)
    assert page.count("table", class_="sortable", id="documents") == 1
    assert [attrs["data-doc"] for tag, attrs in page.tags if tag == "tr" and "data-doc" in attrs] == [
        SEED, *OTHERS]
    assert 'id="corpus"' in index and "Mochtar Mas’oed" in index  # the author both excerpts cite


def chromium() -> str:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        pytest.skip("chromium is not installed: the headless-browser check of the report needs it "
                    "(make browser-tools installs Debian's chromium)")
    return browser


def run_browser(profile: Path, *arguments: str) -> str:
    command = [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
               "--no-first-run", "--disable-extensions", f"--user-data-dir={profile}", *arguments]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def test_report_renders_in_headless_chromium(report: Path, graphs_dir: Path, tmp_path: Path) -> None:
    """Every page opened in the browser; the counts its script finds in the rendered DOM
    are the graph's; the seed's screenshot is far from blank."""
    graphs = {path.stem: read_graph(path) for path in graphs_dir.glob("*.jsonl")}
    for page in sorted(report.glob("*.html")):
        dom = elements(run_browser(tmp_path / "profile", "--dump-dom", page.as_uri()))
        if page.stem in graphs:
            graph = graphs[page.stem]
            shown = next(attrs for _, attrs in dom.tags if attrs.get("id") == "shown")  # set by the script
            labels = [unit.label for unit in graph.units]
            expected = {"claims": labels.count("claim"), "evidence": labels.count("evidence"),
                        "major": sum(unit.major for unit in graph.units if unit.label == "claim"),
                        "citations": len(graph.citations), "diagnostics": len(graph.diagnostics),
                        "map-nodes": labels.count("claim") + labels.count("evidence")}
            assert {key: shown.get(f"data-{key}") for key in expected} == {
                key: str(value) for key, value in expected.items()}, page.name
            if page.stem == SEED:
                assert {key: shown.get(f"data-{key}") for key in SEED_COUNTS} == SEED_COUNTS
        else:  # index.html, corpus.html: the sorting script ran over every table
            tables = [attrs for tag, attrs in dom.tags if tag == "table"]
            assert tables and all(attrs.get("data-sortable") == "ready" for attrs in tables), page.name
            if page.name == "index.html":
                assert dom.count("tr", data_doc=SEED) == 1
    screenshot = tmp_path / "seed.png"
    run_browser(tmp_path / "profile", "--window-size=1200,1600", f"--screenshot={screenshot}",
                (report / f"{SEED}.html").as_uri())
    image = pytest.importorskip("PIL.Image").open(screenshot).convert("RGB")
    assert image.size == (1200, 1600)
    colours = image.getcolors(maxcolors=1 << 16)
    assert colours is None or len(colours) > 50  # text, highlights and the map: far from blank
