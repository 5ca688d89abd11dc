"""A map of the 25 provinces drawn on the server as SVG, readable without JavaScript.

No boundaries are shipped, so the map is a tile grid: one square per province, placed
roughly where the province lies (north at the top), which keeps Phnom Penh and Kandal
apart and every province the same size whatever its area. Each square is coloured by the
bin of the province's median working days to resolve (public, suppressed figures), and
hatched when that figure is hidden; its <title> names the province and its figure, and
the province table beside the map gives the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from grievance.oversight.figures import Table
from grievance.oversight.suppression import is_suppressed
from workflows.i18n import N_

# (column, row) of each province's square.
TILES: dict[str, tuple[int, int]] = {
    "KH-22": (2, 0), "KH-13": (3, 0), "KH-19": (4, 0), "KH-16": (5, 0),
    "KH-1": (1, 1), "KH-17": (2, 1), "KH-6": (3, 1), "KH-10": (4, 1), "KH-11": (5, 1),
    "KH-24": (0, 2), "KH-2": (1, 2), "KH-15": (2, 2), "KH-4": (3, 2), "KH-3": (4, 2),
    "KH-25": (5, 2),
    "KH-9": (1, 3), "KH-5": (2, 3), "KH-12": (3, 3), "KH-8": (4, 3), "KH-14": (5, 3),
    "KH-18": (1, 4), "KH-7": (2, 4), "KH-21": (3, 4), "KH-20": (5, 4),
    "KH-23": (2, 5),
}  # fmt: skip
SIZE = 44
GAP = 2
# Upper bounds of the bins of median working days to resolve, and their labels.
BINS: tuple[tuple[float, str], ...] = (
    (5.0, N_("under 5 working days")),
    (10.0, N_("5 to 10 working days")),
    (20.0, N_("10 to 20 working days")),
    (float("inf"), N_("20 working days or more")),
)
MEASURE = "resolve_median"


@dataclass(frozen=True)
class Tile:
    code: str
    label: str
    x: int
    y: int
    value: Any  # the cell: a number, None or a hidden marker
    bin: int | None  # index in BINS; None when hidden or without data

    @property
    def number(self) -> int:
        """The number in the province's ISO 3166-2:KH code, written on its square."""
        return int(self.code[3:])


@dataclass(frozen=True)
class Map:
    width: int
    height: int
    size: int
    tiles: list[Tile]
    bins: tuple[tuple[float, str], ...]


def _bin(value: Any) -> int | None:
    if value is None or is_suppressed(value):
        return None
    return next(i for i, (upper, _label) in enumerate(BINS) if float(value) < upper)


def province_map(provinces: Table) -> Map:
    """The map of the province table's (suppressed) median working days to resolve."""
    tiles = []
    for row in provinces.rows:
        if row.key not in TILES:
            continue
        col, line = TILES[row.key]
        value = row.cells.get(MEASURE)
        tiles.append(
            Tile(row.key, row.label, col * (SIZE + GAP), line * (SIZE + GAP), value, _bin(value))
        )
    columns = 1 + max(c for c, _r in TILES.values())
    rows = 1 + max(r for _c, r in TILES.values())
    return Map(columns * (SIZE + GAP), rows * (SIZE + GAP), SIZE, tiles, BINS)
