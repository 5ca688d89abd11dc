"""Charts drawn on the server as SVG: no script to download, readable without JavaScript.

A chart is laid out here (pure arithmetic over a figures table) and drawn by the
`bar_chart` macro in templates/oversight/_figures.html. Each bar carries a <title> with its
group and value, and the same numbers are in the table beside it. A hidden figure draws
no bar: a short hatched stub says it is hidden, with the marker's words in its title.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from grievance.oversight.figures import (
    ACK_ON_TIME,
    RECEIVED,
    RESOLVED,
    WITHIN_SLA,
    Column,
    Row,
    Table,
)
from grievance.oversight.suppression import is_suppressed

WIDTH = 320  # the drawing's own units; the SVG scales to the width of the screen
HEIGHT = 150
AXIS = 24  # room under the bars for the group labels
STUB = 3


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    series: int  # which column: its colour
    row: Row
    column: Column
    value: Any  # the cell: a number or a hidden marker


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    columns: tuple[Column, ...]
    bars: list[Bar]
    labels: list[tuple[float, str, str]]  # x, text and text-anchor of the group labels
    top: float  # the value at the top of the scale
    percent: bool


def _number(value: Any) -> float | None:
    if value is None or is_suppressed(value):
        return None
    return float(value)


def bar_chart(t: Table, columns: tuple[Column, ...], *, percent: bool = False) -> Chart:
    """Grouped bars, one group per row of `t`, one bar per column."""
    rows = t.rows
    values = [_number(r.cells.get(c.name)) for r in rows for c in columns]
    top = 100.0 if percent else max([v for v in values if v is not None] + [1.0])
    plot = HEIGHT - AXIS
    slot = WIDTH / max(len(rows), 1)
    bar_width = slot * 0.8 / len(columns)
    bars = []
    for i, row in enumerate(rows):
        for j, column in enumerate(columns):
            cell = row.cells.get(column.name)
            value = _number(cell)
            height = STUB if value is None else plot * value / top
            x = i * slot + slot * 0.1 + j * bar_width
            bars.append(Bar(x, plot - height, bar_width, height, j, row, column, cell))
    every = max(1, len(rows) // 6)  # at most about six labels fit under the bars
    shown = [i for i in range(len(rows)) if i % every == 0]
    labels = [(i * slot + slot / 2, rows[i].label, "middle") for i in shown]
    if labels:  # the outermost labels stay inside the drawing
        labels[0] = (0.0, labels[0][1], "start")
        if len(labels) > 1 and shown[-1] >= len(rows) - 2:
            labels[-1] = (float(WIDTH), labels[-1][1], "end")
    return Chart(WIDTH, HEIGHT, columns, bars, labels, top, percent)


@dataclass(frozen=True)
class MonthCharts:
    volume: Chart
    timeliness: Chart


def month_charts(months: Table) -> MonthCharts:
    """The dashboard's two trends: cases received and resolved, and the two on-time shares."""
    return MonthCharts(
        bar_chart(months, (RECEIVED, RESOLVED)),
        bar_chart(months, (WITHIN_SLA, ACK_ON_TIME), percent=True),
    )
