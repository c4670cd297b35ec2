"""Session checks: the tests assert real values from ../shared and the shipped models,
so a run without them fails loudly instead of skipping half the suite."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("SHARED_DIR", ROOT.parent / "shared"))
SEED = SHARED / "corpus" / "000_b7960c56fa7a1039.txt"  # the seed article
REQUIRED = (
    SHARED / "corpus" / "000_b7960c56fa7a1039.txt",
    SHARED / "ANNOTATION.md",
    ROOT / "models" / "stanza" / "id" / "tokenize.pt",
    ROOT / "models" / "stanza" / "id" / "pos.pt",
    ROOT / "models" / "argument" / "model.npz",
)


def pytest_sessionstart(session: pytest.Session) -> None:
    if os.environ.get("ARGMAP_ALLOW_MISSING_DATA") == "1":
        return
    missing = [str(path) for path in REQUIRED if not path.exists()]
    if missing:
        raise pytest.UsageError(
            "the tests need ../shared beside the checkout and the shipped models; missing: "
            + ", ".join(missing)
            + " (set ARGMAP_ALLOW_MISSING_DATA=1 to run what can run without them)"
        )


def write_gold_graph(doc_id: str, out_dir: Path) -> Path:
    """The graph of a shared document with its gold units and relations in place of the
    classifier's (structure and citations by the pipeline, no Stanza, diagnostics
    computed): real documents for the export, report and corpus tests, fast and
    unchanged by retraining."""
    from pipeline.citations import link_citations
    from pipeline.diagnostics import find_diagnostics
    from pipeline.gold import load_gold
    from pipeline.graph import write_graph
    from pipeline.ingest import read_document
    from pipeline.model import Relation, Unit
    from pipeline.structure import segment

    doc = segment(read_document(SHARED / "corpus" / f"{doc_id}.txt", doc_id))
    gold = load_gold(ROOT / "corpus" / "gold" / f"{doc_id}.jsonl", doc.text)

    def containing(items: list, offset: int) -> str:
        return next((item.id for item in items if item.start <= offset < item.end), "")

    doc.units = [Unit(unit.id, unit.start, unit.end, " ".join(doc.text[s:e] for s, e in unit.spans),
                      containing(doc.sections, unit.start), containing(doc.paragraphs, unit.start),
                      parts=list(unit.spans) if len(unit.spans) > 1 else [], label=unit.label,
                      major=unit.major, attribution=unit.attribution, kind=unit.kind, producer="gold")
                 for unit in gold.units]
    link_citations(doc)
    pairs = [(record["from"], record["to"], record["label"]) for record in gold.relations]
    pairs += [(citation.unit, citation.id, "cites") for citation in doc.citations if citation.unit]
    doc.relations = [Relation(f"r{number}", source, target, label, 1.0, "gold")
                     for number, (source, target, label) in enumerate(pairs, 1)]
    find_diagnostics(doc)
    path = out_dir / f"{doc_id}.jsonl"
    write_graph(doc, path, "test", {})
    return path


@pytest.fixture(scope="session")
def seed_graph(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed's gold-labelled graph, alone in its output folder."""
    return write_gold_graph("000_b7960c56fa7a1039", tmp_path_factory.mktemp("seed_graph"))


def without_text_path(graph: bytes) -> bytes:
    """A graph file's bytes with ``document.text_path`` (written from the output folder,
    so it differs between two folders) taken out of its first record."""
    first, rest = graph.split(b"\n", 1)
    document = json.loads(first)
    document.pop("text_path")
    return json.dumps(document, ensure_ascii=False).encode("utf-8") + b"\n" + rest
