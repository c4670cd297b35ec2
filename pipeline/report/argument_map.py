"""The argument map of one graph as inline SVG, from introduction to conclusion.

One column per section that holds claims or evidence, in reading order (left:
the abstract and introduction, right: the conclusion); in each column the units
top to bottom in reading order — claims as circles (major claims larger, with a
ring), evidence as squares.  ``supports`` are green curves, ``attacks`` red,
``restates`` blue and dashed.  Every node links to its sentence in the page
and shows its text on hover.  Positions depend only on the graph, so the same
graph draws the same picture."""

from __future__ import annotations

from html import escape

from pipeline.graph import Graph

COLUMN_WIDTH = 150
ROW_HEIGHT = 16
TOP = 44
LEFT = 30
DRAWN_LABELS = ("claim", "evidence")
DRAWN_RELATIONS = ("supports", "attacks", "restates")


def argument_map_svg(graph: Graph) -> str:
    """The ``<svg>`` element (no XML declaration: it is inlined in the page)."""
    sections = {section.id: section for section in graph.sections}
    columns: dict[str, list[str]] = {}
    for unit in graph.units:
        if unit.label in DRAWN_LABELS:
            columns.setdefault(unit.section or "", []).append(unit.id)
    position: dict[str, tuple[float, float]] = {}
    for column, (section_id, unit_ids) in enumerate(columns.items()):
        for row, unit_id in enumerate(unit_ids):
            position[unit_id] = (LEFT + column * COLUMN_WIDTH, TOP + row * ROW_HEIGHT)
    width = LEFT * 2 + max(len(columns) - 1, 0) * COLUMN_WIDTH + 40
    height = TOP + max((len(ids) for ids in columns.values()), default=0) * ROW_HEIGHT + 20
    opening = (f'<svg xmlns="http://www.w3.org/2000/svg" class="argument-map" width="{width}" '
               f'height="{height}" viewBox="0 0 {width} {height}" role="img" '
               f'aria-label="peta argumen {escape(graph.document.id)}">')
    parts = [opening]
    for column, section_id in enumerate(columns):
        section = sections.get(section_id)
        heading = section.heading if section else "(tanpa bagian)"
        role = section.role if section else ""
        label = heading if len(heading) <= 22 else heading[:21] + "…"
        parts.append(f'<text class="column" x="{LEFT + column * COLUMN_WIDTH - 10}" y="16">'
                     f'{escape(label)}</text>'
                     f'<text class="role" x="{LEFT + column * COLUMN_WIDTH - 10}" y="30">{escape(role)}</text>')
    for relation in graph.relations:
        if relation.label not in DRAWN_RELATIONS:
            continue
        if relation.source not in position or relation.target not in position:
            continue
        (x1, y1), (x2, y2) = position[relation.source], position[relation.target]
        bend = 40 if x1 == x2 else 0  # within a column: bow out to the right
        parts.append(f'<path class="edge {relation.label}" data-relation="{relation.id}" '
                     f'd="M{x1},{y1} C{x1 + bend + (x2 - x1) / 2},{y1} {x2 + bend - (x2 - x1) / 2},{y2} '
                     f'{x2},{y2}"><title>{relation.id}: {relation.source} {relation.label} '
                     f'{relation.target} ({relation.score:.2f})</title></path>')
    units = graph.by_id()
    for unit_id, (x, y) in position.items():
        unit = units[unit_id]
        title = f"{unit.id} {unit.label}{' (mayor)' if unit.major else ''}: {unit.text}"
        if unit.label == "claim":
            radius = 6 if unit.major else 4.5
            shape = f'<circle class="node claim{" major" if unit.major else ""}" cx="{x}" cy="{y}" r="{radius}"/>'
        else:
            shape = f'<rect class="node evidence" x="{x - 4}" y="{y - 4}" width="8" height="8"/>'
        parts.append(f'<a href="#{unit.id}" data-unit="{unit.id}">{shape}<title>{escape(title)}</title></a>')
    parts.append("</svg>")
    return "".join(parts)
