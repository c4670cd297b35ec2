"""What other tools read: a folder of ``argraph/1`` graphs as AIF JSON (:mod:`.aif`),
brat standoff (:mod:`.brat`), CSV/Parquet tables (:mod:`.tables`), and one graph as a
spaCy ``Doc`` (:func:`to_spacy`, :mod:`.spacy_doc`).  Everything reads the graph files
through :mod:`pipeline.graph.read`; ``argmap export`` is the command."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from pipeline.export.aif import to_aif, write_aif
from pipeline.export.brat import ANNOTATION_CONF, to_brat, write_brat
from pipeline.export.spacy_doc import to_spacy
from pipeline.export.tables import TABLES, table_rows, write_tables
from pipeline.graph import Graph, read_output_folder

FORMATS = ("aif", "brat", "csv")

__all__ = ["ANNOTATION_CONF", "FORMATS", "TABLES", "export_folder", "table_rows", "to_aif", "to_brat",
           "to_spacy", "write_aif", "write_brat", "write_tables"]


def export_folder(out_dir: Path | str, fmt: str, dest: Path | str) -> list[Path]:
    """Write every graph of ``out_dir`` to ``dest`` in format ``fmt``; the files written."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; formats: {', '.join(FORMATS)}")
    graphs = read_output_folder(out_dir)
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    if fmt == "csv":
        return write_tables(graphs, dest)
    writer: Callable[[Graph, Path], list[Path]] = write_aif if fmt == "aif" else write_brat
    written: list[Path] = []
    for graph in graphs:
        written += writer(graph, dest)
    if fmt == "brat":
        conf = dest / "annotation.conf"
        conf.write_text(ANNOTATION_CONF, encoding="utf-8")
        written.append(conf)
    return written
