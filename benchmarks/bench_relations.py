"""Seconds of the 'relations' stage alone on one long document at 1x, 2x and 4x length.

The long document is the texts of ``../shared/corpus/*.txt`` joined into one
(about 150k characters).  The stages before relations (structure, nlp,
citations, units) run once on it, untimed; the 2x and 4x documents are that
processed document repeated (units, sections, paragraphs and citations copied
with shifted offsets and fresh ids), which is what running the stages on the text
repeated would give, without hours of Stanza.  ``--rerun-stages`` runs the
stages on the repeated text instead.  Only ``link_relations`` is timed (best of
``--repeat``).  A linear stage takes about 4x as long at 4x; a quadratic one 16x.

    .venv/bin/python benchmarks/bench_relations.py [--sizes 1 2 4] [--repeat 1]
"""

from __future__ import annotations

import argparse
import copy
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("SHARED_DIR", ROOT.parent / "shared"))
SEPARATOR = "\n\n"
sys.path.insert(0, str(ROOT))

from pipeline.language import Pipeline
from pipeline.model import Document


def long_text(shared: Path) -> str:
    paths = sorted((shared / "corpus").glob("*.txt"))
    if not paths:
        raise SystemExit(f"bench_relations: no texts under {shared / 'corpus'} (SHARED_DIR)")
    return SEPARATOR.join(path.read_text(encoding="utf-8").strip() for path in paths)


def before_relations(pipeline: Pipeline, doc: Document) -> Document:
    """Every stage up to, not including, relations."""
    return pipeline.until("units")(doc)


def repeated(doc: Document, times: int) -> Document:
    """``doc`` followed by ``times - 1`` copies of itself, offsets shifted, ids made unique."""
    step = len(doc.text) + len(SEPARATOR)
    result = copy.deepcopy(doc)
    result.text = SEPARATOR.join([doc.text] * times)
    for copy_number in range(1, times):
        shift, suffix = copy_number * step, f".{copy_number}"
        piece = copy.deepcopy(doc)
        for section in piece.sections:
            section.id += suffix
            section.start, section.end = section.start + shift, section.end + shift
            section.heading_start += shift
            section.heading_end += shift
        for paragraph in piece.paragraphs:
            paragraph.id += suffix
            paragraph.section += suffix
            paragraph.start, paragraph.end = paragraph.start + shift, paragraph.end + shift
            paragraph.parts = [(s + shift, e + shift) for s, e in paragraph.parts]
        for unit in piece.units:
            unit.id += suffix
            unit.section += suffix
            unit.paragraph += suffix
            unit.start, unit.end = unit.start + shift, unit.end + shift
            unit.parts = [(s + shift, e + shift) for s, e in unit.parts]
            for token in unit.tokens:
                token.start, token.end = token.start + shift, token.end + shift
        for citation in piece.citations:
            citation.id += suffix
            citation.unit = citation.unit + suffix if citation.unit else citation.unit
            citation.start, citation.end = citation.start + shift, citation.end + shift
        result.sections += piece.sections
        result.paragraphs += piece.paragraphs
        result.units += piece.units
        result.citations += piece.citations
    return result


def time_relations(pipeline: Pipeline, doc: Document, repeat: int) -> tuple[float, float]:
    """Best wall-clock and best CPU seconds of the relations stage on ``doc``; CPU time is
    what the ratio uses, as it barely moves when other processes share the cores."""
    stage = pipeline.stage("relations")
    wall = cpu = float("inf")
    for _ in range(repeat):
        subject = copy.deepcopy(doc)
        start, start_cpu = time.perf_counter(), time.process_time()
        stage(subject)
        wall = min(wall, time.perf_counter() - start)
        cpu = min(cpu, time.process_time() - start_cpu)
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--rerun-stages", action="store_true",
                        help="run the stages before relations on each repeated text")
    parser.add_argument("--shared", type=Path, default=SHARED)
    args = parser.parse_args()

    from pipeline.relations import count_support_pairs

    pipeline = Pipeline().load()
    text = long_text(args.shared)
    base = None if args.rerun_stages else before_relations(pipeline, Document(id="long", source_path="", text=text))
    times: dict[int, float] = {}
    for size in args.sizes:
        if base is None:
            doc = before_relations(pipeline, Document(id="long", source_path="", text=SEPARATOR.join([text] * size)))
        else:
            doc = repeated(base, size)
        wall, times[size] = time_relations(pipeline, doc, args.repeat)
        print(f"{size}x: {len(doc.text):>9,} chars {len(doc.units):>6,} units "
              f"{count_support_pairs(doc):>7,} candidate pairs  relations {times[size]:7.2f} s CPU "
              f"({wall:.2f} s wall)", flush=True)
    smallest, largest = min(times), max(times)
    if largest > smallest:
        ratio = times[largest] / times[smallest]
        print(f"{largest}x/{smallest}x CPU time ratio: {ratio:.2f} (linear: {largest / smallest:.0f}, "
              f"quadratic: {(largest / smallest) ** 2:.0f})")


if __name__ == "__main__":
    main()
