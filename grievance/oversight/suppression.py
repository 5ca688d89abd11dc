"""Small-cell suppression for every public figure (pure: no Flask, no database).

Rules, applied to one breakdown at a time (e.g. received/resolved/open/overdue by province,
together with the national total row):

1. Primary: a count below THRESHOLD (0 to 4) is withheld. A figure derived from cases (a
   share, a median, an average rating) is withheld when the number of cases it is computed
   from is below THRESHOLD.
2. Complementary: the rows of a breakdown add up to the total row, so one withheld count
   in a column could be recovered as "total minus the others". In every count column the
   number of withheld members (rows and total together) is therefore never exactly one:
   while it is one, the smallest remaining row is withheld as well.

What this does not claim: no further protection is attempted between different columns
of the same row (resolved + open is not published as a sum equal to received: referred,
rejected, withdrawn and merged cases are not published separately, so the difference is
not a published figure), and breakdowns are published one dimension at a time, never
crossed (no province x category table), so no two-way table can be unpicked.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

THRESHOLD = 5
FEWER_THAN_5 = "fewer than 5"  # the marker used in open data; pages show a translation


class _Suppressed:
    """The value of a withheld cell: prints as the open-data marker."""

    _instance: _Suppressed | None = None

    def __new__(cls) -> _Suppressed:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "SUPPRESSED"

    def __str__(self) -> str:
        return FEWER_THAN_5


SUPPRESSED = _Suppressed()
Cell = Any  # a number, None (no data) or SUPPRESSED


@dataclass(frozen=True)
class Derived:
    """A figure computed from `base` cases (the count that protects it)."""

    name: str
    base: str


def primary(value: float | None) -> bool:
    return value is None or value < THRESHOLD


def suppress(
    rows: Sequence[Mapping[str, Any]],
    total: Mapping[str, Any],
    counts: Sequence[str],
    derived: Sequence[Derived],
) -> tuple[list[dict[str, Cell]], dict[str, Cell]]:
    """(rows, total) with withheld cells replaced by SUPPRESSED. Inputs are not changed.

    `counts` are the additive columns (rows sum to the total); `derived` are the figures
    protected by a base count, which need not itself be published.
    """
    out_rows = [dict(r) for r in rows]
    out_total = dict(total)
    for column in counts:
        _suppress_column(out_rows, out_total, column)
    for d in derived:
        for raw, out in zip([*rows, total], [*out_rows, out_total], strict=True):
            if primary(raw.get(d.base)) or raw.get(d.name) is None:
                out[d.name] = SUPPRESSED if primary(raw.get(d.base)) else None
    return out_rows, out_total


def _suppress_column(rows: list[dict[str, Cell]], total: dict[str, Cell], column: str) -> None:
    members = [*rows, total]
    for cell in members:
        if primary(cell.get(column)):
            cell[column] = SUPPRESSED
    while sum(1 for cell in members if cell[column] is SUPPRESSED) == 1:
        candidates = [r for r in rows if r[column] is not SUPPRESSED]
        if not candidates:  # only the total is withheld; the rows are all withheld too
            break
        smallest = min(candidates, key=lambda r: r[column])
        smallest[column] = SUPPRESSED


def is_suppressed(value: Cell) -> bool:
    return value is SUPPRESSED


def for_export(value: Cell) -> Any:
    """A cell as written to CSV/JSON open data."""
    return FEWER_THAN_5 if value is SUPPRESSED else value
