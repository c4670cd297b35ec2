"""One self-contained HTML page per graph, and the index of a folder's graphs.

The document page shows the text as written (``white-space: pre-wrap``), with
every claim, evidence and major claim highlighted (its probabilities on hover and
in ``data-p-*`` attributes), every citation marker linked to its note (and a
small link to its bibliography entry), notes and entries anchored by id and
linked to their entry, the argument map (:mod:`.argument_map`) and the
diagnostics, each linked to the first record it names.  The stylesheet and the
small script (sortable tables, counts of what is shown) are inlined: the pages
load nothing.  displaCy's span renderer was weighed for the text and left out:
it draws labels under spans but gives no per-sentence anchors or links, which
the citations and diagnostics need."""

from __future__ import annotations

from collections import Counter
from functools import cache
from html import escape
from pathlib import Path

from pipeline.corpus_view import CorpusView, Work
from pipeline.diagnostics import CODES, MESSAGES
from pipeline.graph import Graph
from pipeline.lexicons import templates
from pipeline.model import Diagnostic
from pipeline.report.argument_map import argument_map_svg

ASSETS = Path(__file__).resolve().parent
SECTION_ROWS = 25
OPEN_GROUP_LIMIT = 10  # diagnostics of one code shown unfolded
INDEX_COLUMNS = (("units", "unit"), ("claims", "klaim"), ("major_claims", "mayor"), ("evidence", "bukti"),
                 ("citations", "kutipan"), ("notes", "catatan"), ("sources", "pustaka"),
                 ("relations", "relasi"))


@cache
def _asset(name: str) -> str:
    return (ASSETS / name).read_text(encoding="utf-8")


def page(title: str, body: str) -> str:
    return ("<!DOCTYPE html>\n<html lang=\"id\"><head><meta charset=\"utf-8\">"
            f"<title>{escape(title)}</title><style>{_asset('report.css')}</style></head>"
            f"<body>{body}<script>{_asset('report.js')}</script></body></html>\n")


def _probabilities(probabilities: dict[str, float]) -> tuple[str, str]:
    """(hover text, data attributes) of a unit's probabilities."""
    if not probabilities:
        return "aturan (tanpa probabilitas)", ""
    ordered = sorted(probabilities.items(), key=lambda item: -item[1])
    hover = " · ".join(f"{label} {value:.2f}" for label, value in ordered)
    data = "".join(f' data-p-{label}="{value:.3f}"' for label, value in sorted(probabilities.items()))
    return hover, data


def marked_text(graph: Graph, text: str) -> str:
    """The whole text as HTML with units, citations, notes, sources and headings marked."""
    # (offset, 0 = close / 1 = open, nesting key, html): inner spans close first, outer open first
    events: list[tuple[int, int, int, str]] = []

    def wrap(start: int, end: int, opening: str, closing: str) -> None:
        events.append((start, 1, -end, opening))
        events.append((end, 0, -start, closing))

    for section in graph.sections:
        wrap(section.heading_start, section.heading_end,
             f'<span class="heading" id="{section.id}" data-role="{section.role}">', "</span>")
    for unit in graph.units:
        if unit.label not in ("claim", "evidence"):
            continue
        hover, data = _probabilities(unit.probabilities)
        classes = f"unit {unit.label}{' major' if unit.major else ''}"
        label = f"{unit.id} {unit.label}{' mayor' if unit.major else ''}: {hover}"
        for part, (start, end) in enumerate(unit.spans()):
            anchor = f' id="{unit.id}"' if part == 0 else ""
            wrap(start, end, f'<span class="{classes}"{anchor} data-unit="{unit.id}" data-part="{part}"'
                             f'{data} title="{escape(label)}">', "</span>")
    for citation in graph.citations:
        target = citation.note or citation.source
        href = f' href="#{target}"' if target else ""
        hover = f"{citation.id} → {citation.note or '-'} → {citation.source or '-'} ({citation.resolution})"
        closing = "</a>"
        if citation.source and citation.note:
            closing += f'<a class="to-source" href="#{citation.source}">{citation.source}</a>'
        wrap(citation.start, citation.end,
             f'<a class="citation" id="{citation.id}"{href} data-resolution="{citation.resolution}" '
             f'title="{escape(hover)}">', closing)
    for note in graph.notes:
        closing = "</span>"
        if note.source:
            closing += f'<a class="to-source" href="#{note.source}">{note.source}</a>'
        for part, (start, end) in enumerate(note.spans()):
            anchor = f' id="{note.id}"' if part == 0 else ""
            wrap(start, end, f'<span class="note"{anchor} data-resolution="{note.resolution}">',
                 closing if part == len(note.spans()) - 1 else "</span>")
    for source in graph.sources:
        wrap(source.start, source.end, f'<span class="source" id="{source.id}">', "</span>")
    events.sort(key=lambda event: event[:3])
    pieces, position = [], 0
    for offset, _, _, html in events:
        pieces.append(escape(text[position:offset]))
        pieces.append(html)
        position = offset
    pieces.append(escape(text[position:]))
    return "".join(pieces)


def diagnostics_list(graph: Graph) -> str:
    """The diagnostics grouped by code, one foldable group each, in reading order within it; a
    group of more than OPEN_GROUP_LIMIT starts folded (a thesis can have hundreds of unsupported
    claims, which would push the map and the text off the first screens)."""
    if not graph.diagnostics:
        return '<div id="diagnostics"><p>Tidak ada diagnostik.</p></div>'
    headings = templates(MESSAGES)
    by_code: dict[str, list[Diagnostic]] = {}
    for diagnostic in graph.diagnostics:
        by_code.setdefault(diagnostic.code, []).append(diagnostic)
    groups = []
    for code in sorted(by_code, key=_code_order):
        found = by_code[code]
        items = "".join(f'<li class="diagnostic" data-code="{code}">'
                        f'<a href="#{d.objects[0]}">{escape(d.message)}</a></li>' for d in found)
        opened = " open" if len(found) <= OPEN_GROUP_LIMIT else ""
        groups.append(f'<details class="diagnostics" data-code="{code}"{opened}><summary><code>{code}</code> '
                      f'{escape(headings.get(f"heading.{code}", code))}: {len(found)}</summary><ul>{items}</ul>'
                      f'</details>')
    return '<div id="diagnostics">' + "".join(groups) + "</div>"


def _code_header(code: str) -> str:
    """A table column of one diagnostic code: the code, its Indonesian heading on hover."""
    heading = templates(MESSAGES).get(f"heading.{code}", code)
    return f'<th title="{escape(heading)}">{code.replace("_", " ")}</th>'


def _code_order(code: str) -> tuple[int, str]:
    return (CODES.index(code) if code in CODES else len(CODES), code)


def document_page(graph: Graph, text: str) -> str:
    document = graph.document
    counts = document.counts
    labels = Counter(unit.label for unit in graph.units)
    major = sum(1 for unit in graph.units if unit.label == "claim" and unit.major)
    summary = (f'<p class="meta" id="counts" data-claims="{labels["claim"]}" data-major="{major}" '
               f'data-evidence="{labels["evidence"]}" data-citations="{len(graph.citations)}" '
               f'data-diagnostics="{len(graph.diagnostics)}">'
               f'{counts.get("units", len(graph.units))} kalimat · {labels["claim"]} klaim ({major} mayor) · '
               f'{labels["evidence"]} bukti · {len(graph.citations)} kutipan · {len(graph.notes)} catatan · '
               f'{len(graph.sources)} entri pustaka · {len(graph.diagnostics)} diagnostik</p>')
    body = (f'<p><a href="index.html">← semua dokumen</a></p>'
            f'<h1>{escape(document.title or document.id)}</h1>'
            f'<p class="meta">{escape(", ".join(document.authors))} · <code>{escape(document.id)}</code> · '
            f'{escape(document.source)}</p>{summary}<p class="meta" id="shown"></p>'
            f'<h2>Diagnostik</h2>{diagnostics_list(graph)}'
            f'<h2>Peta argumen</h2><p class="legend meta">lingkaran: klaim (besar: mayor) · kotak: bukti · '
            f'hijau: mendukung · merah: menyerang · biru putus-putus: menyatakan ulang</p>'
            f'<div class="map">{argument_map_svg(graph)}</div>'
            f'<h2>Teks</h2><p class="legend"><span class="unit claim major">klaim mayor</span>'
            f'<span class="unit claim">klaim</span><span class="unit evidence">bukti</span>'
            f'<b class="marker">¹</b> kutipan → catatan → pustaka</p>'
            f'<div class="text">{marked_text(graph, text)}</div>')
    return page(document.title or document.id, body)


def index_page(graphs: list[Graph], corpus_section: str = "") -> str:
    header = "".join(f"<th>{label}</th>" for _, label in INDEX_COLUMNS)
    header += "".join(_code_header(code) for code in CODES)
    rows = []
    for graph in graphs:
        document = graph.document
        codes = Counter(diagnostic.code for diagnostic in graph.diagnostics)
        cells = "".join(f'<td class="number">{document.counts.get(key, 0)}</td>' for key, _ in INDEX_COLUMNS)
        cells += "".join(f'<td class="number">{codes[code]}</td>' for code in CODES)
        rows.append(f'<tr data-doc="{escape(document.id)}"><td><a href="{escape(document.id)}.html">'
                    f'{escape(document.id)}</a></td><td>{escape(document.title)}</td>{cells}</tr>')
    body = (f"<h1>Laporan argumen: {len(graphs)} dokumen</h1>"
            '<p class="meta">Klik judul kolom untuk mengurutkan.</p>'
            f'<div class="wide"><table class="sortable" id="documents"><thead><tr><th>dokumen</th><th>judul</th>'
            f'{header}</tr></thead><tbody>{"".join(rows)}</tbody></table></div>{corpus_section}')
    return page("Laporan argumen", body)


def works_table(works: list[Work], limit: int | None = None) -> str:
    rows = "".join(
        f'<tr data-work="{work.id}"><td>{work.id}</td><td>{escape(work.best("author"))}</td>'
        f'<td>{escape(work.best("year"))}</td><td>{escape(work.best("title"))}</td>'
        f'<td class="number">{len(work.theses)}</td><td class="number">{work.citation_count}</td>'
        f'<td>{escape(", ".join(work.theses))}</td></tr>' for work in works[:limit])
    return ('<table class="sortable works"><thead><tr><th>karya</th><th>penulis</th><th>tahun</th>'
            '<th>judul</th><th>skripsi</th><th>kutipan</th><th>dikutip oleh</th></tr></thead>'
            f"<tbody>{rows}</tbody></table>")


def corpus_section(view: CorpusView) -> str:
    """The index page's section: the most-cited works and the theses that share sources."""
    pairs = "".join(f"<tr><td>{escape(a)}</td><td>{escape(b)}</td><td class=\"number\">{len(ids)}</td>"
                    f"<td>{' '.join(ids)}</td></tr>" for a, b, ids in view.shared_pairs()[:SECTION_ROWS])
    authors = "".join(f"<tr><td>{escape(name)}</td><td>{escape(' | '.join(spellings))}</td>"
                      f'<td class="number">{len(theses)}</td><td>{escape(", ".join(theses))}</td></tr>'
                      for name, spellings, theses in view.shared_authors()[:SECTION_ROWS])
    return (f'<section id="corpus"><h2>Korpus: {escape(view.summary())}</h2>'
            f"<h3>Karya yang paling banyak dikutip</h3>{works_table(view.works, SECTION_ROWS)}"
            f'<h3>Skripsi yang berbagi sumber</h3><table class="sortable shared"><thead><tr><th>skripsi</th>'
            f"<th>skripsi</th><th>sumber bersama</th><th>karya</th></tr></thead><tbody>{pairs}</tbody></table>"
            f'<h3>Penulis yang dikutip lebih dari satu skripsi</h3><table class="sortable authors"><thead>'
            f"<tr><th>penulis</th><th>ejaan</th><th>skripsi</th><th>dikutip oleh</th></tr></thead>"
            f"<tbody>{authors}</tbody></table>"
            '<p><a href="corpus.html">semua karya dan diagnostik per skripsi</a></p></section>')


def corpus_page(view: CorpusView) -> str:
    """``corpus.html``: the section, every work, and the diagnostics per thesis."""
    rows = "".join(f"<tr><td>{escape(doc_id)}</td>"
                   + "".join(f'<td class="number">{counts[code]}</td>' for code in CODES) + "</tr>"
                   for doc_id, counts in view.diagnostic_counts())
    body = ('<p><a href="index.html">← semua dokumen</a></p>' + corpus_section(view)
            + f"<h3>Semua karya</h3>{works_table(view.works)}"
            + '<h3>Diagnostik per skripsi</h3><table class="sortable diagnostics"><thead><tr><th>skripsi</th>'
            + "".join(_code_header(code) for code in CODES)
            + f"</tr></thead><tbody>{rows}</tbody></table>")
    return page("Korpus", body)
