"""Draw a workflow: Graphviz DOT, Mermaid, or a self-contained SVG.

The SVG is drawn here rather than by Graphviz so the admin screens can show it with no
external tool. It uses presentation attributes only: the site's Content-Security-Policy
forbids inline styles.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from workflows.model import SAME, Transition, Workflow


def _roles(t: Transition) -> str:
    return ", ".join(sorted(t.roles))


def _dot_quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def to_dot(workflow: Workflow) -> str:
    lines = [
        f"digraph {_dot_quote(workflow.name)} {{",
        "  rankdir=TB;",
        '  node [shape=box, style=rounded, fontname="sans-serif"];',
        '  edge [fontname="sans-serif", fontsize=9];',
        '  __start [shape=point, label=""];',
        f"  __start -> {_dot_quote(workflow.initial)};",
    ]
    for s in workflow.states:
        shape = "doublecircle" if s.final else "box"
        lines.append(f"  {_dot_quote(s.name)} [shape={shape}, tooltip={_dot_quote(s.label)}];")
    for src, t, dst in workflow.edges():
        label = f'{_dot_quote(t.name)[:-1]}\\n[{_roles(t)}]"'  # \n: a Graphviz line break
        lines.append(f"  {_dot_quote(src)} -> {_dot_quote(dst)} [label={label}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def to_mermaid(workflow: Workflow) -> str:
    lines = ["stateDiagram-v2", f"    [*] --> {workflow.initial}"]
    for s in workflow.states:
        lines.append(f"    {s.name} : {s.label}")
    for src, t, dst in workflow.edges():
        # Mermaid ends a label at ':' and dislikes semicolons, so keep roles plain.
        lines.append(f"    {src} --> {dst} : {t.name} ({_roles(t)})")
    for name in workflow.final_states():
        lines.append(f"    {name} --> [*]")
    return "\n".join(lines) + "\n"


# --- SVG -------------------------------------------------------------------------------

CHAR_W = 7.2  # rough width of one character at FONT px, for sizing boxes
FONT = 12
LABEL_FONT = 9
BOX_H = 30
H_GAP = 70
V_GAP = 90
MARGIN = 30


@dataclass(frozen=True)
class _Box:
    x: float
    y: float
    w: float
    h: float = BOX_H

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def cy(self) -> float:
        return self.y + self.h / 2

    def border_point(self, tx: float, ty: float) -> tuple[float, float]:
        """Where the segment from the centre towards (tx, ty) leaves the box."""
        dx, dy = tx - self.cx, ty - self.cy
        if dx == 0 and dy == 0:
            return self.cx, self.cy
        scale = min(
            (self.w / 2) / abs(dx) if dx else float("inf"),
            (self.h / 2) / abs(dy) if dy else float("inf"),
        )
        return self.cx + dx * scale, self.cy + dy * scale


def _layers(workflow: Workflow) -> list[list[str]]:
    """Open states by BFS distance from the initial state; final states on the last row."""
    depth = {workflow.initial: 0}
    todo = deque([workflow.initial])
    while todo:
        here = todo.popleft()
        for t in workflow.transitions_from(here):
            nxt = t.target_for(here)
            if nxt not in depth:
                depth[nxt] = depth[here] + 1
                todo.append(nxt)
    bottom = max(depth.values(), default=0) + 1  # also takes unreachable states
    layers: list[list[str]] = [[] for _ in range(bottom + 1)]
    for s in workflow.states:
        layers[bottom if s.final else depth.get(s.name, bottom)].append(s.name)
    return [layer for layer in layers if layer]


def _layout(
    workflow: Workflow, pairs: Iterable[tuple[str, str]], min_width: float
) -> tuple[dict[str, _Box], float, float]:
    layers = _layers(workflow)
    near: dict[str, set[str]] = {}
    for src, dst in pairs:
        near.setdefault(src, set()).add(dst)
        near.setdefault(dst, set()).add(src)
    widths = {s.name: len(s.name) * CHAR_W + 20 for s in workflow.states}
    row_w = [sum(widths[n] for n in row) + H_GAP * (len(row) - 1) for row in layers]
    total_w = max(max(row_w) + 2 * MARGIN, min_width)
    boxes: dict[str, _Box] = {}
    for i, row in enumerate(layers):
        # Barycentre ordering: sit each state under the states it connects to above,
        # which removes most crossings in these small graphs.
        def pull(name: str) -> float:
            xs = [boxes[n].cx for n in near.get(name, set()) if n in boxes]
            return sum(xs) / len(xs) if xs else total_w / 2

        x = (total_w - row_w[i]) / 2
        y = MARGIN + i * (BOX_H + V_GAP)
        for name in sorted(row, key=pull):
            boxes[name] = _Box(x, y, widths[name])
            x += widths[name] + H_GAP
    total_h = MARGIN * 2 + len(layers) * BOX_H + (len(layers) - 1) * V_GAP
    return boxes, total_w, total_h


def _is_broad(workflow: Workflow, t: Transition) -> bool:
    # Transitions possible from most states (withdraw, escalate...) would cover the picture
    # in arrows; they are listed as notes under it instead.
    return len(t.sources) >= max(4, round(len(workflow.open_states()) * 0.6))


def _notes(workflow: Workflow) -> list[str]:
    notes = []
    every = set(workflow.open_states())
    for t in workflow.transitions:
        if _is_broad(workflow, t):
            where = "any open state" if t.sources == every else ", ".join(sorted(t.sources))
            to = "same state" if t.target == SAME else t.target
            notes.append(f"{t.name} [{_roles(t)}]: from {where} -> {to}")
    return notes


def _edge_labels(workflow: Workflow) -> dict[tuple[str, str], list[str]]:
    # One arrow per pair of states keeps the picture readable; its label lists every name.
    grouped: dict[tuple[str, str], list[str]] = {}
    for src, t, dst in workflow.edges():
        if not _is_broad(workflow, t):
            grouped.setdefault((src, dst), []).append(t.name)
    return grouped


def _text(
    x: float, y: float, text: str, size: int, anchor: str = "middle", bold: bool = False
) -> str:
    weight = ' font-weight="bold"' if bold else ""
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" font-family="sans-serif"'
        f' text-anchor="{anchor}" fill="#222"{weight}>{escape(text)}</text>'
    )


def _svg_state(box: _Box, name: str, label: str, final: bool, initial: bool) -> list[str]:
    stroke = "#1f4e79"
    out = [
        f'<g><title>{escape(label)}</title><rect x="{box.x:.1f}" y="{box.y:.1f}"'
        f' width="{box.w:.1f}" height="{box.h}" rx="8" fill="{"#e8f0f8" if final else "#fff"}"'
        f' stroke="{stroke}" stroke-width="{2.5 if initial else 1.2}"/>'
    ]
    if final:  # double border, like a doublecircle in DOT
        out.append(
            f'<rect x="{box.x + 3:.1f}" y="{box.y + 3:.1f}" width="{box.w - 6:.1f}"'
            f' height="{box.h - 6}" rx="6" fill="none" stroke="{stroke}" stroke-width="1"/>'
        )
    out.append(_text(box.cx, box.cy + FONT / 3, name, FONT, bold=initial) + "</g>")
    return out


def _svg_edge(a: _Box, b: _Box, names: list[str], two_way: bool) -> tuple[str, str]:
    """The arrow and its label, returned apart so labels can be drawn above the boxes."""
    label = ", ".join(names)
    if a is b:  # self-loop drawn as an arc over the right edge of the box
        x, y = a.x + a.w, a.cy
        path = f"M{x:.1f},{y - 8:.1f} C{x + 40:.1f},{y - 30:.1f} {x + 40:.1f},{y + 30:.1f}"
        path += f" {x:.1f},{y + 8:.1f}"
        return (
            f'<path d="{path}" fill="none" stroke="#555" stroke-width="1"'
            ' marker-end="url(#arrow)"/>',
            _text(x + 34, y - 18, label, LABEL_FONT, anchor="start"),
        )
    x1, y1 = a.border_point(b.cx, b.cy)
    x2, y2 = b.border_point(a.cx, a.cy)
    dx, dy = x2 - x1, y2 - y1
    length = max((dx * dx + dy * dy) ** 0.5, 1.0)
    nx, ny = -dy / length, dx / length
    if two_way:  # shift each direction to its own side so the pair does not overlap
        x1, y1, x2, y2 = x1 + nx * 5, y1 + ny * 5, x2 + nx * 5, y2 + ny * 5
    # Arrows that jump over a row bend sideways so they do not run through its boxes.
    bend = 70.0 if abs(dy) > BOX_H + V_GAP else 0.0
    cx, cy = (x1 + x2) / 2 + nx * bend, (y1 + y2) / 2 + ny * bend
    # Labels sit 40 % along, so opposite arrows do not stack their labels.
    lx = 0.36 * x1 + 0.48 * cx + 0.16 * x2
    ly = 0.36 * y1 + 0.48 * cy + 0.16 * y2
    return (
        f'<path d="M{x1:.1f},{y1:.1f} Q{cx:.1f},{cy:.1f} {x2:.1f},{y2:.1f}" fill="none"'
        ' stroke="#555" stroke-width="1" marker-end="url(#arrow)"/>',
        _text(lx, ly - 3, label, LABEL_FONT),
    )


def to_svg(workflow: Workflow) -> str:
    notes = _notes(workflow)
    notes_w = max((len(n) for n in notes), default=0) * 5.6 + 2 * MARGIN
    grouped = _edge_labels(workflow)
    boxes, width, height = _layout(workflow, grouped, notes_w)
    if any(src == dst for src, dst in grouped):
        width += 160  # room for self-loop labels on the right
    notes_top = height
    height += len(notes) * 16 + (MARGIN if notes else 0)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}"'
        f' viewBox="0 0 {width:.0f} {height:.0f}" role="img"'
        f" aria-label={quoteattr(workflow.name + ' workflow')}>",
        f"<title>{escape(workflow.name)}</title>",
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7"'
        ' markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z"'
        ' fill="#555"/></marker></defs>',
        f'<rect x="0" y="0" width="{width:.0f}" height="{height:.0f}" fill="#fff"/>',
    ]
    labels = []
    for (src, dst), names in grouped.items():
        line, label = _svg_edge(boxes[src], boxes[dst], names, (dst, src) in grouped)
        parts.append(line)
        labels.append(label)
    for s in workflow.states:
        parts += _svg_state(boxes[s.name], s.name, s.label, s.final, s.name == workflow.initial)
    parts += labels
    for i, note in enumerate(notes):
        parts.append(_text(MARGIN, notes_top + i * 16, note, LABEL_FONT + 1, anchor="start"))
    parts.append("</svg>")
    return "\n".join(parts) + "\n"
