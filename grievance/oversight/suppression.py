"""Disclosure control for every public output (pure: no Flask, no database).

Every public figure (dashboard, charts, map, open data CSV/JSON and its monthly snapshots,
forum pages, Open311's public request list) passes through this module, and a hidden
figure says why it is hidden, with one of three markers:

- FEWER_THAN_5 ("fewer than 5"), primary suppression: a count from 0 to 4 cases. The
  marker is true: the count is below 5.
- WITHHELD ("withheld"), complementary suppression: a count of 5 or more, hidden only so
  that a count "fewer than 5" cannot be worked out as "total minus the others".
- TOO_FEW ("too few cases"): a derived figure (a share, a median, an average rating)
  computed from fewer than 5 cases. It is not a count, so it never says "fewer than 5".

Rules, applied to one breakdown at a time (the rows of a dimension with the total row):

1. Primary: a count below THRESHOLD is FEWER_THAN_5.
2. Complementary: the rows add up to the total, so a hidden count could be worked out
   as "total minus the others", or pinned down by the markers themselves (two hidden rows
   summing to 5, one "fewer than 5" and one "withheld", can only be 0 and 5). While some
   "fewer than 5" count of a column could take only one value given the published total,
   the other rows and what the markers say (0 to 4; 5 or more), the smallest remaining row
   is WITHHELD (`pinned`).
3. Derived: a figure whose base count is below THRESHOLD is TOO_FEW.

Across releases (the monthly open-data snapshots, each a cumulative release built by these
rules): a reader can subtract one release from another. `earlier` gives, for each cell,
the values earlier releases published for it, and

4. Stable across releases: a count within 1 to 4 of a value published earlier is
   WITHHELD (or FEWER_THAN_5), so no two releases differ by a small number in any cell,
   and complementary suppression never picks a row whose value an earlier release
   published (hiding it would hide nothing); the total is withheld instead.

`hidden_groups` says which groups of a breakdown have any count hidden: an output that
lists cases one by one (Open311) leaves those groups out entirely, so counting its items
cannot bound a hidden count. `cell_allowed` is the rule for such a listing: a group of
items is published only if it has THRESHOLD items or more and none of the breakdowns it
belongs to hides anything about it.

What this does not claim: columns of one row are not protected against each other
(resolved + open is not received: referred, rejected, withdrawn and merged cases are not
published separately), and public breakdowns are one dimension at a time (cross-tables are
for the oversight role only).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

THRESHOLD = 5


@dataclass(frozen=True)
class Hidden:
    """The value of a hidden cell. `reason` names it; `marker` is its open-data text."""

    reason: str  # fewer_than_5 | withheld | too_few
    marker: str

    def __str__(self) -> str:
        return self.marker


FEWER_THAN_5 = Hidden("fewer_than_5", "fewer than 5")
WITHHELD = Hidden("withheld", "withheld")
TOO_FEW = Hidden("too_few", "too few cases")
MARKERS = (FEWER_THAN_5, WITHHELD, TOO_FEW)
Cell = Any  # a number, None (no data) or a Hidden marker
# (row index or "total", column) -> the values earlier releases published for that cell
Earlier = Mapping[tuple[int | str, str], Collection[int]]


@dataclass(frozen=True)
class Derived:
    """A figure computed from `base` cases (the count that protects it)."""

    name: str
    base: str


def primary(value: float | None) -> bool:
    return value is None or value < THRESHOLD


def too_close(value: int, earlier: Collection[int]) -> bool:
    """Would publishing `value` tell a reader of an earlier release that a count changed
    by 1 to 4 since then?"""
    return any(0 < abs(value - before) < THRESHOLD for before in earlier)


def suppress(
    rows: Sequence[Mapping[str, Any]],
    total: Mapping[str, Any],
    counts: Sequence[str],
    derived: Sequence[Derived],
    *,
    hide_rows: Iterable[int] = (),
    hide_total: bool | Iterable[str] = False,
    earlier: Earlier | None = None,
) -> tuple[list[dict[str, Cell]], dict[str, Cell]]:
    """(rows, total) with hidden cells replaced by markers. Inputs are not changed.

    `counts` are the additive columns (rows sum to the total); `derived` are the figures
    protected by a base count, which need not itself be published. `hide_rows` (indexes)
    and `hide_total` (True, or the count columns of the total) are hidden whatever their
    size, because another output has to hide them (a forum's province or type of problem
    the dashboard hides, a total the forum list hides). `earlier`: what earlier releases
    published (rule 4).
    """
    out_rows = [dict(r) for r in rows]
    out_total = dict(total)
    forced = set(hide_rows)
    hidden_total = set(counts) if hide_total is True else set(hide_total or ())
    before = earlier or {}
    for column in counts:
        history = [before.get((i, column), ()) for i in range(len(rows))]
        history.append(before.get(("total", column), ()))
        _suppress_column(out_rows, out_total, column, forced, column in hidden_total, history)
    for d in derived:
        for raw, out in zip([*rows, total], [*out_rows, out_total], strict=True):
            if primary(raw.get(d.base)):
                out[d.name] = TOO_FEW
            elif raw.get(d.name) is None:
                out[d.name] = None
    return out_rows, out_total


def _hide(cells: dict[str, Cell], column: str) -> None:
    if not is_suppressed(cells.get(column)):
        cells[column] = WITHHELD  # not primary: those are marked already


def _suppress_column(
    rows: list[dict[str, Cell]],
    total: dict[str, Cell],
    column: str,
    forced: set[int],
    hide_total: bool,
    history: list[Collection[int]],
) -> None:
    raw = [r.get(column) or 0 for r in rows]
    raw_total = total.get(column) or 0
    for cell in [*rows, total]:
        if primary(cell.get(column)):
            cell[column] = FEWER_THAN_5
    for i in forced | {i for i, value in enumerate(raw) if too_close(value, history[i])}:
        _hide(rows[i], column)
    if hide_total or too_close(raw_total, history[-1]):
        _hide(total, column)
    known = [value in history[i] for i, value in enumerate(raw)]
    while pinned([r[column] for r in rows], total[column], raw_total):
        candidates = [
            i for i, r in enumerate(rows) if not is_suppressed(r[column]) and not known[i]
        ]
        if not candidates:  # every row is hidden and still they give one away
            total[column] = WITHHELD
            break
        smallest = min(candidates, key=lambda i: raw[i])
        rows[smallest][column] = WITHHELD


def pinned(shown: Sequence[Cell], total: Cell, raw_total: int) -> bool:
    """Could a reader of one column (its rows `shown` and `total`, markers included) work
    out the exact value of a "fewer than 5" row? `raw_total` is the true total: the
    reader learns what the hidden rows add up to as total minus the shown rows."""
    small = [i for i, v in enumerate(shown) if v is FEWER_THAN_5]
    if not small:
        return False
    if is_suppressed(total):
        # Every row is below the total, so below 5: only the bounds 0..4 are known, and a
        # single hidden row with the total hidden too is still one of five values.
        return False
    hidden_sum = raw_total - sum(v for v in shown if not is_suppressed(v))
    withheld = sum(1 for v in shown if v is WITHHELD)
    # Each "fewer than 5" row lies in [lo, hi]: the others at their extremes.
    room = hidden_sum - THRESHOLD * withheld  # what the small rows can share at most
    hi = min(THRESHOLD - 1, room)
    lo = 0 if withheld else max(0, hidden_sum - (THRESHOLD - 1) * (len(small) - 1))
    return hi <= lo


def is_suppressed(value: Cell) -> bool:
    return isinstance(value, Hidden)


def reason(value: Cell) -> str | None:
    return value.reason if isinstance(value, Hidden) else None


def for_export(value: Cell) -> Any:
    """A cell as written to CSV/JSON open data."""
    return value.marker if isinstance(value, Hidden) else value


def hidden_groups(
    keyed_rows: Iterable[tuple[str, Mapping[str, Cell]]], columns: Sequence[str]
) -> set[str]:
    """The keys of suppressed rows whose count in any of `columns` is hidden."""
    return {key for key, cells in keyed_rows if any(is_suppressed(cells.get(c)) for c in columns)}


def cell_allowed(
    size: int, memberships: Iterable[tuple[str, str]], blocked: set[tuple[str, str]]
) -> bool:
    """May a group of `size` items, one per case, be listed? `memberships` are the
    (dimension, key) groups of the published breakdowns it falls in; `blocked` those of
    them with a hidden count."""
    return size >= THRESHOLD and not any(m in blocked for m in memberships)


def listed_cells(
    cells: Iterable[Sequence[Any]], blocked: set[tuple[str, str]]
) -> list[tuple[str, str, str, str, int]]:
    """The cells of a one-item-per-case public listing that may be shown: each cell is
    (province, category, month, status, cases). A cell is shown whole or not at all, so no
    filter can cut it below THRESHOLD, and never inside a province, type of problem or
    month whose public received or open count is hidden (`blocked`, as (dimension, key))."""
    shown = []
    for province, category, month, status, size in cells:
        groups = (("province", province), ("category", category), ("month", month))
        if cell_allowed(int(size), groups, blocked):
            shown.append((str(province), str(category), str(month), str(status), int(size)))
    return shown
