"""AIF JSON (the Argument Interchange Format as AIFdb and OVA write it; arguebuf
loads it): one I-node per claim or evidence unit (its text), one scheme node per
relation — RA (``supports``), CA (``attacks``), MA (``restates``) — with an edge
from the unit that argues to the scheme node and one from the scheme node to the
unit argued about.  Node ids are the graph's own (``u12``, ``r3``); no timestamps,
so the same graph gives the same file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pipeline.graph import Graph

SCHEMES = {"supports": ("RA", "Default Inference"), "attacks": ("CA", "Default Conflict"),
           "restates": ("MA", "Default Rephrase")}
ARGUMENT_LABELS = ("claim", "evidence")


def to_aif(graph: Graph) -> dict[str, Any]:
    """The AIF dict of one graph: ``nodes``, ``edges`` and (empty) ``locutions``."""
    nodes: list[dict[str, Any]] = []
    edges: list[dict[str, Any]] = []
    exported = set()
    for unit in graph.units:
        if unit.label in ARGUMENT_LABELS:
            nodes.append({"nodeID": unit.id, "text": unit.text, "type": "I"})
            exported.add(unit.id)
    for relation in graph.relations:
        if relation.label not in SCHEMES or not {relation.source, relation.target} <= exported:
            continue
        node_type, text = SCHEMES[relation.label]
        nodes.append({"nodeID": relation.id, "text": text, "type": node_type})
        for source, target in ((relation.source, relation.id), (relation.id, relation.target)):
            edges.append({"edgeID": f"e{len(edges) + 1}", "fromID": source, "toID": target,
                          "formEdgeID": None})
    return {"nodes": nodes, "edges": edges, "locutions": []}


def write_aif(graph: Graph, dest: Path) -> list[Path]:
    """``<dest>/<doc-id>.json``."""
    path = Path(dest) / f"{graph.document.id}.json"
    path.write_text(json.dumps(to_aif(graph), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return [path]
