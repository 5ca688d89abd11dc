"""Snapshot figures arranged as tables for pages and open data, suppressed or not."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask import g
from sqlalchemy import select

from grievance import formats
from grievance.cases.models import Category, Province
from grievance.domain import CHANNELS, SEXES
from grievance.extensions import db
from grievance.khmer import sorted_choices
from grievance.oversight.suppression import (
    WITHHELD,
    Derived,
    Earlier,
    hidden_groups,
    is_suppressed,
    suppress,
)
from workflows.i18n import N_

MIN_RANKED = 20  # resolved cases an office or category needs before it is ranked
PAGE_MONTHS = 24  # months shown on the pages; open data has them all

DIMENSION_TITLES = {
    "month": N_("By month filed"),
    "province": N_("By province"),
    "category": N_("By type of problem"),
    "channel": N_("By way of filing"),
    "sex": N_("By sex of the complainant"),
}


@dataclass(frozen=True)
class Column:
    name: str
    label: str  # msgid
    kind: str  # count | pct | days | rating


RECEIVED = Column("received", N_("Received"), "count")
RESOLVED = Column("resolved", N_("Resolved"), "count")
OPEN = Column("open", N_("Open"), "count")
OVERDUE = Column("overdue", N_("Overdue"), "count")
REFERRED = Column("referred", N_("Referred"), "count")
WITHIN_SLA = Column("within_sla_pct", N_("Handled within the deadline"), "pct")
ACK_ON_TIME = Column("ack_on_time_pct", N_("Acknowledged on time"), "pct")
ACK_DAYS = Column("ack_median", N_("Working days to acknowledge (median)"), "days")
RESOLVE_DAYS = Column("resolve_median", N_("Working days to resolve (median)"), "days")
ACK_P90 = Column("ack_p90", N_("Working days to acknowledge (9 in 10 cases within)"), "days")
RESOLVE_P90 = Column("resolve_p90", N_("Working days to resolve (9 in 10 cases within)"), "days")
SATISFACTION = Column("satisfaction", N_("Satisfaction (1 to 5)"), "rating")
RATED = Column("rated", N_("Ratings"), "count")
APPEAL_SHARE = Column("appeal_pct", N_("Answers appealed"), "pct")
REOPEN_SHARE = Column("reopen_pct", N_("Closed cases reopened"), "pct")

PUBLIC_COLUMNS = (
    RECEIVED,
    RESOLVED,
    OPEN,
    OVERDUE,
    WITHIN_SLA,
    ACK_ON_TIME,
    ACK_DAYS,
    RESOLVE_DAYS,
    SATISFACTION,
)
OVERSIGHT_COLUMNS = (
    RECEIVED,
    RESOLVED,
    REFERRED,
    OPEN,
    OVERDUE,
    WITHIN_SLA,
    ACK_ON_TIME,
    ACK_DAYS,
    ACK_P90,
    RESOLVE_DAYS,
    RESOLVE_P90,
    SATISFACTION,
    RATED,
    APPEAL_SHARE,
    REOPEN_SHARE,
)
PUBLIC_COUNTS = ("received", "resolved", "open", "overdue")
PUBLIC_DERIVED = (
    Derived("within_sla_pct", "due_n"),
    Derived("ack_on_time_pct", "ack_due_n"),
    Derived("ack_median", "ack_n"),
    Derived("resolve_median", "resolve_n"),
    Derived("satisfaction", "rated"),
    Derived("appeal_pct", "answered_n"),
    Derived("reopen_pct", "finished_n"),
)


@dataclass
class Row:
    key: str
    label: str
    cells: dict[str, Any]


@dataclass
class Table:
    dimension: str
    title: str  # msgid
    rows: list[Row]
    total: Row
    columns: tuple[Column, ...] = field(default=PUBLIC_COLUMNS)
    note: str = ""  # msgid: what the figures count, under the table


def _pct(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def with_derived(raw: dict[str, Any]) -> dict[str, Any]:
    cells = dict(raw)
    cells["within_sla_pct"] = _pct(raw.get("within_sla", 0), raw.get("due_n", 0))
    cells["ack_on_time_pct"] = _pct(raw.get("ack_on_time", 0), raw.get("ack_due_n", 0))
    cells["appeal_pct"] = _pct(raw.get("appealed", 0), raw.get("answered_n", 0))
    cells["reopen_pct"] = _pct(raw.get("reopened", 0), raw.get("finished_n", 0))
    rated = raw.get("rated", 0)
    cells["satisfaction"] = round(raw.get("rating_sum", 0) / rated, 2) if rated else None
    return cells


def _zero() -> dict[str, Any]:
    return with_derived({})


def _month_keys(present: list[str]) -> list[str]:
    """Every month from the first to the last with cases (gaps shown as zero)."""
    if not present:
        return []
    year, month = map(int, min(present).split("-"))
    last = max(present)
    keys = []
    while True:
        key = f"{year:04d}-{month:02d}"
        keys.append(key)
        if key >= last:
            return keys
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def keys_and_labels(dimension: str, present: list[str], lang: str) -> list[tuple[str, str]]:
    """All the groups of a dimension (including those without cases) with their labels."""
    if dimension == "month":
        return [(k, formats.month(date(int(k[:4]), int(k[5:]), 1))) for k in _month_keys(present)]
    if dimension == "province":
        provinces = db.session.scalars(select(Province)).all()
        return sorted_choices(((p.code, p.name(lang)) for p in provinces), lang)
    if dimension == "category":
        categories = db.session.scalars(select(Category)).all()
        shown = ((c.code, c.name(lang)) for c in categories if c.active or c.code in present)
        return sorted_choices(shown, lang, last=("other",))
    vocabulary = CHANNELS if dimension == "channel" else SEXES
    from grievance.i18n import label

    return [(k, label(v)) for k, v in vocabulary.items()]


# "<dimension>|<key>|<column>" -> the values earlier open-data releases published there
Published = dict[str, set[int]]


def _earlier(published: Published | None, dimension: str, keys: list[str]) -> Earlier | None:
    """The history of one breakdown's cells, as suppression.suppress reads it."""
    if not published:
        return None
    out: dict[tuple[int | str, str], set[int]] = {}
    for column in PUBLIC_COUNTS:
        for i, key in enumerate(keys):
            out[(i, column)] = published.get(f"{dimension}|{key}|{column}", set())
        out[("total", column)] = published.get(f"all|all|{column}", set())
    return out


def table(
    dims: dict[str, dict[str, dict[str, Any]]],
    dimension: str,
    lang: str,
    *,
    public: bool,
    published: Published | None = None,
) -> Table:
    raw = dims.get(dimension, {})
    total_raw = with_derived(dims.get("all", {}).get("all", {}))
    rows = [
        Row(key, text, with_derived(raw[key]) if key in raw else _zero())
        for key, text in keys_and_labels(dimension, list(raw), lang)
    ]
    total = Row("all", N_("All cases"), total_raw)
    if public:
        earlier = _earlier(published, dimension, [r.key for r in rows])
        cells, total_cells = suppress(
            [r.cells for r in rows], total.cells, PUBLIC_COUNTS, PUBLIC_DERIVED, earlier=earlier
        )
        for row, suppressed in zip(rows, cells, strict=True):
            row.cells = suppressed
        total.cells = _same_total(dims, total_cells, published)
    columns = PUBLIC_COLUMNS if public else OVERSIGHT_COLUMNS
    return Table(dimension, DIMENSION_TITLES.get(dimension, ""), rows, total, columns)


def totals(
    dims: dict[str, dict[str, dict[str, Any]]],
    *,
    public: bool,
    published: Published | None = None,
) -> dict[str, Any]:
    total = with_derived(dims.get("all", {}).get("all", {}))
    if not public:
        return total
    earlier = _earlier(published, "all", [])
    _rows, cells = suppress([], total, PUBLIC_COUNTS, PUBLIC_DERIVED, earlier=earlier)
    return _same_total(dims, cells, published)


def _hidden_total_columns(
    dims: dict[str, dict[str, dict[str, Any]]], published: Published | None
) -> set[str]:
    """Count columns whose total some breakdown had to hide: the total is one figure, so
    it is hidden everywhere, or one table would give away what another hides. Worked out
    once per request and set of figures."""
    memo = g.setdefault("hidden_total_columns", {})
    key = (id(dims), id(published))
    if key not in memo:
        memo[key] = (dims, published, _find_hidden_total_columns(dims, published))
    return memo[key][2]


def _find_hidden_total_columns(
    dims: dict[str, dict[str, dict[str, Any]]], published: Published | None
) -> set[str]:
    total = with_derived(dims.get("all", {}).get("all", {}))
    hidden: set[str] = set()
    for dimension in DIMENSION_TITLES:
        raw = dims.get(dimension, {})
        keys = [k for k, _ in keys_and_labels(dimension, list(raw), "en")]
        rows = [with_derived(raw[k]) if k in raw else _zero() for k in keys]
        earlier = _earlier(published, dimension, keys)
        _rows, cells = suppress(rows, total, PUBLIC_COUNTS, (), earlier=earlier)
        hidden |= {c for c in PUBLIC_COUNTS if is_suppressed(cells.get(c))}
    return hidden


def _same_total(
    dims: dict[str, dict[str, dict[str, Any]]],
    cells: dict[str, Any],
    published: Published | None = None,
) -> dict[str, Any]:
    for column in _hidden_total_columns(dims, published):
        if not is_suppressed(cells.get(column)):
            cells[column] = WITHHELD
    return cells


def last_months(t: Table, n: int = PAGE_MONTHS) -> Table:
    return Table(t.dimension, t.title, t.rows[-n:], t.total, t.columns)


@dataclass
class League:
    ranked: list[tuple[int, Row]]
    unranked: list[Row]


def league(t: Table) -> League:
    """Rank by share resolved within the deadline, then by median days to resolve."""
    eligible = [r for r in t.rows if r.cells.get("due_n", 0) >= MIN_RANKED]
    eligible.sort(
        key=lambda r: (-(r.cells["within_sla_pct"] or 0), r.cells["resolve_median"] or 1e9)
    )
    unranked = [r for r in t.rows if r not in eligible and r.cells.get("received", 0) > 0]
    return League([(i, r) for i, r in enumerate(eligible, start=1)], unranked)


WORKERS = Column("workers", N_("Affected workers"), "count")
COLLECTIVE = Column("collective", N_("Of them in collective complaints"), "count")
WORKERS_DIMENSION = "workers_sex"
WORKERS_TITLE = N_("Affected workers by sex")
WORKERS_NOTE = N_(
    "Every worker a complaint is about counts once: a complaint filed for 5 members of a"
    " union counts 5 workers. Workers a complaint mentions without naming count as"
    " “not stated”."
)


def workers_table(dims: dict[str, dict[str, dict[str, Any]]], lang: str, *, public: bool) -> Table:
    """Affected workers by sex (a collective complaint counts each of its workers), with
    the same disclosure control as every public table. The public table has the one count
    column: a second one in the same row (those in collective complaints) would let a
    small difference be worked out; and it hides every sex (and the total) the table of
    complainants by sex hides, since a shown count of workers would bound it. A snapshot
    made before these figures were kept shows no data rather than zeros."""
    from grievance.i18n import label
    from grievance.oversight.aggregates import WORKERS as KEY

    columns = (WORKERS,) if public else (WORKERS, COLLECTIVE)
    names = tuple(c.name for c in columns)
    raw = dims.get(KEY)
    rows = [Row(key, label(text), _worker_cells(raw, key, names)) for key, text in SEXES.items()]
    total = Row("all", N_("All affected workers"), _worker_cells(raw, None, names))
    if public and raw is not None:
        # A sex whose cases the complainants' table hides is hidden here too: the workers
        # are those cases plus the members, so a shown count would bound a hidden one.
        by_complainant = table(dims, "sex", lang, public=True)
        hidden = {r.key for r in by_complainant.rows if is_suppressed(r.cells.get("received"))}
        cells, total.cells = suppress(
            [r.cells for r in rows],
            total.cells,
            names,
            (),
            hide_rows=[i for i, r in enumerate(rows) if r.key in hidden],
            hide_total=is_suppressed(by_complainant.total.cells.get("received")),
        )
        for row, suppressed in zip(rows, cells, strict=True):
            row.cells = suppressed
    return Table(WORKERS_DIMENSION, WORKERS_TITLE, rows, total, columns, WORKERS_NOTE)


def _worker_cells(
    raw: dict[str, dict[str, Any]] | None, key: str | None, names: tuple[str, ...]
) -> dict[str, Any]:
    """A sex's counts (key None: every sex's), or no data when the snapshot has none."""
    if raw is None:
        return {}
    groups = list(raw.values()) if key is None else [raw.get(key, {})]
    return {name: sum(int(g.get(name, 0)) for g in groups) for name in names}


LISTING_COUNTS = ("received", "open")  # what counting a listing's items bounds


def blocked_groups(dims: dict[str, dict[str, dict[str, Any]]]) -> set[tuple[str, str]]:
    """(dimension, key) of the public groups with a hidden received or open count: a
    listing of cases leaves them out (suppression.listed_cells)."""
    blocked: set[tuple[str, str]] = set()
    for dimension in ("province", "category", "month"):
        t = table(dims, dimension, "en", public=True)
        keyed = ((r.key, r.cells) for r in t.rows)
        blocked |= {(dimension, k) for k in hidden_groups(keyed, LISTING_COUNTS)}
    return blocked


CROSS_TITLES = {
    "sex_by_category": N_("Type of problem by sex of the complainant"),
    "province_by_category": N_("Province by type of problem"),
}


@dataclass
class CrossTable:
    name: str
    title: str  # msgid
    rows: list[tuple[str, str]]  # key, label
    columns: list[tuple[str, str]]
    cells: dict[tuple[str, str], dict[str, Any]]  # (row key, column key) -> figures

    def received(self, row: str, column: str) -> int:
        return int(self.cells.get((row, column), {}).get("received", 0))


def cross_table(dims: dict[str, dict[str, dict[str, Any]]], name: str, lang: str) -> CrossTable:
    """A two-way table for the oversight role (not suppressed: it is never public)."""
    from grievance.oversight.aggregates import CROSSES

    first, second = CROSSES[name]
    raw = dims.get(name, {})
    keys = [k.split("|", 1) for k in raw]
    cells = {(a, b): with_derived(raw[f"{a}|{b}"]) for a, b in keys}
    rows = keys_and_labels(first, [a for a, _b in keys], lang)
    columns = keys_and_labels(second, [b for _a, b in keys], lang)
    return CrossTable(name, CROSS_TITLES[name], rows, columns, cells)


STAYS = Derived("days_mean", "stays")  # an average from fewer than 5 stays says "too few"


def state_label(state: str) -> str:
    """A state's name (msgid), from the first workflow that has it, the grievance first."""
    from workflows import WORKFLOWS

    for name in sorted(WORKFLOWS, key=lambda n: (n != "grievance", n)):
        wf = WORKFLOWS[name]
        if state in wf.open_states() or state in wf.final_states():
            return wf.state(state).label
    return state


def _stay_cells(raw: dict[str, Any]) -> dict[str, Any]:
    stays = int(raw.get("stays", 0))
    mean = round(raw.get("days_sum", 0.0) / stays, 1) if stays else None
    return {"stays": stays, "days_mean": mean}


@dataclass
class StateTimes:
    """Average working days in each open state: overall and by month filed."""

    states: list[tuple[str, str]]  # state, label (msgid)
    overall: dict[str, dict[str, Any]]  # state -> cells
    months: list[tuple[str, str]]  # key, label
    by_month: dict[tuple[str, str], dict[str, Any]]  # (month, state) -> cells


def state_times(
    times: dict[str, dict[str, dict[str, Any]]], *, public: bool, months: int = PAGE_MONTHS
) -> StateTimes:
    """Time in each state from the snapshot (aggregates.state_times). Public: an average
    from fewer than 5 stays is "too few cases" (suppression.TOO_FEW); the number of stays
    itself is not published."""
    overall_raw = times.get("state", {})
    month_raw = times.get("state_month", {})
    states = [(s, state_label(s)) for s in sorted(overall_raw, key=_state_order)]
    present = sorted({k.split("|", 1)[1] for k in month_raw})
    month_keys = keys_and_labels("month", present, "")[-months:] if present else []

    def shown(raw: dict[str, Any]) -> dict[str, Any]:
        cells = _stay_cells(raw)
        if not public:
            return cells
        _rows, out = suppress([], cells, (), (STAYS,))
        out.pop("stays")
        return out

    overall = {s: shown(overall_raw[s]) for s, _label in states}
    by_month = {
        (m, s): shown(month_raw.get(f"{s}|{m}", {})) for m, _l in month_keys for s, _x in states
    }
    return StateTimes(states, overall, month_keys, by_month)


def _state_order(state: str) -> tuple[int, str]:
    from workflows import WORKFLOWS

    order = list(WORKFLOWS["grievance"].open_states())
    return (order.index(state), state) if state in order else (len(order), state)
