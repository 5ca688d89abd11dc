from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from workflows import WORKFLOWS
from workflows.diagram import to_dot, to_mermaid, to_svg

SVG = "{http://www.w3.org/2000/svg}"


@pytest.mark.parametrize("name", sorted(WORKFLOWS))
def test_dot_and_mermaid_mention_every_state_and_transition(name: str) -> None:
    wf = WORKFLOWS[name]
    for text in (to_dot(wf), to_mermaid(wf)):
        for s in wf.states:
            assert s.name in text
        for t in wf.transitions:
            assert t.name in text
    dot = to_dot(wf)
    assert dot.startswith("digraph") and dot.count("{") == dot.count("}")
    for final in wf.final_states():
        assert f'"{final}" [shape=doublecircle' in dot
    assert to_mermaid(wf).startswith("stateDiagram-v2\n")
    assert f"[*] --> {wf.initial}" in to_mermaid(wf)


@pytest.mark.parametrize("name", sorted(WORKFLOWS))
def test_svg_is_well_formed_and_free_of_inline_styles(name: str) -> None:
    wf = WORKFLOWS[name]
    svg = to_svg(wf)
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    for el in root.iter():
        assert el.tag != f"{SVG}style"
        assert "style" not in el.attrib
    texts = " ".join(el.text or "" for el in root.iter(f"{SVG}text"))
    for s in wf.states:
        assert s.name in texts
    for t in wf.transitions:
        assert t.name in texts


@pytest.mark.parametrize("name", sorted(WORKFLOWS))
def test_svg_boxes_do_not_overlap_and_fit_the_canvas(name: str) -> None:
    root = ET.fromstring(to_svg(WORKFLOWS[name]))
    width, height = float(root.attrib["width"]), float(root.attrib["height"])
    boxes = [
        tuple(float(r.attrib[k]) for k in ("x", "y", "width", "height"))
        for g in root.iter(f"{SVG}g")
        for r in g.findall(f"{SVG}rect")[:1]
    ]
    assert len(boxes) == len(WORKFLOWS[name].states)
    for i, (x, y, w, h) in enumerate(boxes):
        assert x >= 0 and x + w <= width and y >= 0 and y + h <= height
        for x2, y2, w2, h2 in boxes[i + 1 :]:
            assert x + w <= x2 or x2 + w2 <= x or y + h <= y2 or y2 + h2 <= y


def test_special_characters_are_escaped() -> None:
    from dataclasses import replace

    wf = WORKFLOWS["suggestion"]
    odd = replace(wf, name='a"b<c>&d')
    ET.fromstring(to_svg(odd))
    assert '\\"' in to_dot(odd)
