"""The HTML report (``argmap report OUT_DIR -o REPORT_DIR``): one self-contained page
per graph (:mod:`.page`, with the argument map of :mod:`.argument_map`) and an
``index.html`` with a sortable table of the documents and a section of the
corpus view of :mod:`pipeline.corpus_view` (all of it in ``corpus.html``).  Reads the graphs through :mod:`pipeline.graph.read`."""

from __future__ import annotations

from pathlib import Path

from pipeline.corpus_view import build_corpus_view
from pipeline.graph import read_output_folder
from pipeline.report.page import corpus_page, corpus_section, document_page, index_page

__all__ = ["corpus_page", "document_page", "index_page", "write_report"]


def write_report(out_dir: Path | str, report_dir: Path | str) -> list[Path]:
    """Write ``<doc-id>.html`` per graph, ``corpus.html`` and ``index.html``; the pages written."""
    graphs = read_output_folder(out_dir)
    report_dir = Path(report_dir)
    report_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for graph in graphs:
        path = report_dir / f"{graph.document.id}.html"
        path.write_text(document_page(graph, graph.text()), encoding="utf-8")
        written.append(path)
    view = build_corpus_view(graphs)
    corpus = report_dir / "corpus.html"
    corpus.write_text(corpus_page(view), encoding="utf-8")
    index = report_dir / "index.html"
    index.write_text(index_page(graphs, corpus_section(view)), encoding="utf-8")
    return [*written, corpus, index]
