"""Figures about all cases, computed set-based in SQL (no Python loop over cases).

One query derives per-case facts (state group, on-time flags, working days to acknowledge
and to resolve via the working-day index). On PostgreSQL a single GROUP BY GROUPING SETS
over them gives every dimension, medians by percentile_cont; elsewhere (SQLite, embedded
mode) the facts go to a temporary table, one GROUP BY per dimension gives the counts and
a window-function median the medians. The result is plain JSON-ready dicts, unsuppressed:
public pages suppress small cells on the way out (see suppression.py).

Definitions (also on the data dictionary page):
- received: every case, counted in the month it was filed (Phnom Penh time);
- open: the case's state is not final in its workflow;
- resolved: the case is closed (answered, and accepted or closed after the waiting time);
- referred: sent to another agency (final, not counted as resolved);
- overdue: open and marked overdue by the SLA sweep;
- late (to resolve): the deadline to resolve was breached (an SLA breach mark, or the case
  is open and past its deadline with the clock running, or it was
  answered after its deadline);
- handled within the deadline: resolved with a deadline and never late; the share is over
  every case the deadline has judged: resolved cases with a deadline, and open cases that
  are already late (so an open overdue case counts against it, not only once closed);
- acknowledged on time, the same for the acknowledge deadline: acknowledged at or before
  it and never breached, over acknowledged cases with a deadline and cases still waiting
  for an acknowledgement past it;
- working days to acknowledge: filing to acknowledgement; to resolve: filing to the answer
  of resolved cases (working time per the SLA calendar of the case's province);
- satisfaction: the complainants' ratings (1 to 5) of resolved cases;
- affected workers (by sex): every worker a case is about, counted once per case: the
  complainant, each member listed on a collective complaint, and the workers it says are
  affected without naming them (as sex "not stated"); so a case filed for 5 members is 5
  affected workers. "In collective complaints": those of cases about more than one worker.
- appealed: the complainant appealed against an answer at least once; the share is over
  the cases that were answered (a resolution proposed, or closed);
- reopened: the case left a final state (closed, referred, ...) at least once, which only
  an appeal after closing does; the share is over the cases that ever reached a final state;
- time in each state (state_times): working days between entering an open state and
  leaving it, over the stays that have ended, by the month the case was filed.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import text

from grievance.extensions import db
from grievance.oversight.workdays import ANSWERED, LocalTime
from grievance.sla.calendar import WorkingCalendar
from grievance.types import utcnow
from workflows import WORKFLOWS

DIMENSIONS = ("all", "month", "province", "category", "channel", "sex")
# Two-way tables for the oversight role (never public): name -> (rows, columns). Their
# keys are "<row key>|<column key>".
CROSSES = {"sex_by_category": ("category", "sex"), "province_by_category": ("province", "category")}
COUNTS = (
    "received",
    "open",
    "resolved",
    "referred",
    "overdue",
    "due_n",
    "within_sla",
    "ack_due_n",
    "ack_on_time",
    "ack_n",
    "resolve_n",
    "rated",
    "rating_sum",
    "answered_n",
    "appealed",
    "finished_n",
    "reopened",
)
# (name, facts column, fraction): medians and 90th percentiles, interpolated as
# PostgreSQL's percentile_cont does.
PERCENTILES = (
    ("ack_median", "ack_days", 0.5),
    ("resolve_median", "resolve_days", 0.5),
    ("ack_p90", "ack_days", 0.9),
    ("resolve_p90", "resolve_days", 0.9),
)
MEDIANS = tuple(name for name, _column, _fraction in PERCENTILES)
FACTS = "stats_facts"
# Affected workers by sex: {sex: {"workers": n, "collective": n}}, beside the dimensions.
WORKERS = "workers_sex"
WORKER_COUNTS = ("workers", "collective")


def _open_condition() -> str:
    parts = []
    for name, wf in sorted(WORKFLOWS.items()):
        states = ", ".join(f"'{s}'" for s in sorted(wf.open_states()))
        parts.append(f"(c.workflow = '{name}' AND c.state IN ({states}))")
    return "(" + " OR ".join(parts) + ")"


def _breached(clock: str) -> str:
    marks = "SELECT 1 FROM sla_marks m WHERE m.case_id = c.id AND m.kind = 'breach'"
    return f"EXISTS ({marks} AND m.clock = '{clock}')"  # noqa: S608 (a clock name)


def now_sql(dialect: str, now: datetime) -> str:
    """The time the figures are computed at, as an SQL literal comparable with stored UTC
    timestamps (SQLite stores naive UTC text)."""
    utc = now.astimezone(UTC)
    if dialect == "postgresql":
        return f"TIMESTAMPTZ '{utc.isoformat()}'"
    return f"'{utc.replace(tzinfo=None).isoformat(sep=' ', timespec='microseconds')}'"


def _final_states() -> str:
    finals = {s for wf in WORKFLOWS.values() for s in wf.final_states()}
    return ", ".join(f"'{s}'" for s in sorted(finals))


def _history_sql() -> str:
    """Per case with an appeal or a reopening: whether it was ever appealed or reopened
    (left a final state). One pass over the transitions, joined to the cases."""
    finals = _final_states()
    return f"""(SELECT e.case_id,
        MAX(CASE WHEN e.to_state = 'appealed' THEN 1 ELSE 0 END) AS appealed,
        MAX(CASE WHEN e.from_state IN ({finals}) THEN 1 ELSE 0 END) AS reopened
      FROM case_events e
      WHERE e.kind = 'transition'
        AND (e.to_state = 'appealed' OR e.from_state IN ({finals}))
      GROUP BY e.case_id)"""  # noqa: S608 (state names from the workflow definitions)


def _facts_sql(lt: LocalTime, now: str, until: str | None = None) -> str:
    opened = _open_condition()
    answered = ANSWERED
    closed = "c.state = 'closed'"
    late = f"""({_breached("resolve")}
        OR ({opened} AND c.resolve_due_at < {now} AND c.paused_at IS NULL)
        OR ({closed} AND {answered} > c.resolve_due_at))"""
    ack_late = f"""({_breached("acknowledge")} OR c.acknowledged_at > c.ack_due_at
        OR (c.acknowledged_at IS NULL AND {opened} AND c.ack_due_at < {now}))"""
    ack_days, resolve_days = lt.ack_days(), lt.answer_days()
    # Built from constants and vocabulary names only; nothing here comes from a request.
    return f"""
    SELECT
      'all' AS "all",
      {lt.month("c.created_at")} AS month,
      c.province_code AS province,
      cat.code AS category,
      c.channel AS channel,
      COALESCE(p.sex, 'not_stated') AS sex,
      CASE WHEN {opened} THEN 1 ELSE 0 END AS is_open,
      CASE WHEN {closed} THEN 1 ELSE 0 END AS is_resolved,
      CASE WHEN c.state = 'referred' THEN 1 ELSE 0 END AS is_referred,
      CASE WHEN {opened} AND c.overdue THEN 1 ELSE 0 END AS is_overdue,
      CASE WHEN ({closed} AND c.resolve_due_at IS NOT NULL) OR ({opened} AND {late})
           THEN 1 ELSE 0 END AS has_due,
      CASE WHEN {closed} AND c.resolve_due_at IS NOT NULL AND NOT {late}
           THEN 1 ELSE 0 END AS in_sla,
      CASE WHEN (c.acknowledged_at IS NOT NULL AND c.ack_due_at IS NOT NULL) OR {ack_late}
           THEN 1 ELSE 0 END AS ack_has_due,
      CASE WHEN c.acknowledged_at IS NOT NULL AND c.ack_due_at IS NOT NULL AND NOT {ack_late}
           THEN 1 ELSE 0 END AS ack_in_time,
      CASE WHEN c.acknowledged_at IS NOT NULL THEN {ack_days} END AS ack_days,
      CASE WHEN {closed} AND {answered} IS NOT NULL THEN {resolve_days} END AS resolve_days,
      CASE WHEN {closed} THEN c.satisfaction END AS rating,
      CASE WHEN {answered} IS NOT NULL OR h.appealed = 1 THEN 1 ELSE 0 END AS was_answered,
      COALESCE(h.appealed, 0) AS was_appealed,
      CASE WHEN NOT {opened} OR h.reopened = 1 THEN 1 ELSE 0 END AS was_finished,
      COALESCE(h.reopened, 0) AS was_reopened
    {lt.case_rows()}
    LEFT JOIN {_history_sql()} h ON h.case_id = c.id
    {f"WHERE c.created_at < {until}" if until else ""}
    """  # noqa: S608


AGGREGATES = """
      COUNT(*) AS received, SUM(is_open) AS open, SUM(is_resolved) AS resolved,
      SUM(is_referred) AS referred, SUM(is_overdue) AS overdue,
      SUM(has_due) AS due_n, SUM(in_sla) AS within_sla,
      SUM(ack_has_due) AS ack_due_n, SUM(ack_in_time) AS ack_on_time,
      COUNT(ack_days) AS ack_n, COUNT(resolve_days) AS resolve_n,
      COUNT(rating) AS rated, SUM(rating) AS rating_sum,
      SUM(was_answered) AS answered_n, SUM(was_appealed) AS appealed,
      SUM(was_finished) AS finished_n, SUM(was_reopened) AS reopened"""


PERCENTILE_SELECT = ",\n      ".join(
    f"percentile_cont({fraction}) WITHIN GROUP (ORDER BY {column}) AS {name}"
    for name, column, fraction in PERCENTILES
)


def _grouping_sets_sql(lt: LocalTime, now: str, until: str | None) -> str:
    """PostgreSQL: every dimension in one scan, medians by percentile_cont."""
    dims = ", ".join(f'"{d}"' for d in DIMENSIONS)
    sets = ", ".join(
        [f'("{d}")' for d in DIMENSIONS] + [f'("{a}", "{b}")' for a, b in CROSSES.values()]
    )
    return f"""
    WITH facts AS ({_facts_sql(lt, now, until)})
    SELECT {dims}, GROUPING({dims}) AS g, {AGGREGATES},
      {PERCENTILE_SELECT}
    FROM facts GROUP BY GROUPING SETS ({sets})
    """  # noqa: S608


def _key(dim: str) -> tuple[str, str]:
    """(key expression, GROUP BY list) of a dimension or a cross (see CROSSES)."""
    if dim in CROSSES:
        first, second = CROSSES[dim]
        return f'"{first}" || \'|\' || "{second}"', f'"{first}", "{second}"'
    return f'"{dim}"', f'"{dim}"'


def _counts_sql(dim: str) -> str:
    key, group = _key(dim)
    return f"""
    SELECT {key} AS k, {AGGREGATES}
    FROM {FACTS} GROUP BY {group}
    """  # noqa: S608


def _window_percentile_sql(dim: str, column: str, fraction: float) -> str:
    # Portable percentile_cont: the value at position fraction * (n - 1) (from 0) in each
    # group's sorted values, interpolated between the two rows around it.
    pos = f"({fraction} * (n - 1) + 1)"
    key, group = _key(dim)
    return f"""
    SELECT k, COALESCE(lo_x + ({pos} - lo) * (hi_x - lo_x), lo_x) FROM (
      SELECT k, n, CAST({pos} AS INTEGER) AS lo,
        MAX(CASE WHEN rn = CAST({pos} AS INTEGER) THEN x END) AS lo_x,
        MAX(CASE WHEN rn = CAST({pos} AS INTEGER) + 1 THEN x END) AS hi_x
      FROM (
        SELECT {key} AS k, {column} AS x,
          ROW_NUMBER() OVER (PARTITION BY {group} ORDER BY {column}) AS rn,
          COUNT(*) OVER (PARTITION BY {group}) AS n
        FROM {FACTS} WHERE {column} IS NOT NULL
      ) ranked GROUP BY k, n
    ) bounds
    """  # noqa: S608


def compute(
    cal: WorkingCalendar, now: datetime | None = None, filed_before: datetime | None = None
) -> dict[str, dict[str, dict[str, Any]]]:
    """{dimension: {key: {measure: number}}} over all cases (or those filed before
    `filed_before`), as of `now`, and, over all cases, the affected workers by sex (WORKERS;
    not for a release of earlier months, whose files do not carry them). The working-day
    index must be current (workdays.ensure) for the medians."""
    dialect = db.session.get_bind().dialect.name
    lt = LocalTime(dialect, cal)
    at = now_sql(dialect, now or utcnow())
    until = now_sql(dialect, filed_before) if filed_before else None
    compute_all = _compute_postgresql if dialect == "postgresql" else _compute_portable
    result = compute_all(lt, at, until)
    if filed_before is None:
        result[WORKERS] = workers_by_sex(result.get("sex", {}))
    return result


# Beyond one worker per case (the complainant, counted by the "sex" dimension already):
# the members listed on collective complaints, the unnamed rest of `affected_count` (as
# "not stated"), and, for the "collective" count, the complainants of cases about more than
# one worker. Only collective cases are read row by row. Built from constants only.
WORKERS_SQL = """
SELECT sex, SUM(extra) AS extra, SUM(collective) AS collective FROM (
  SELECT p.sex AS sex, COUNT(*) AS extra, COUNT(*) AS collective
  FROM affected_workers aw JOIN persons p ON p.id = aw.person_id
  GROUP BY p.sex
  UNION ALL
  SELECT COALESCE(p.sex, 'not_stated'), 0, COUNT(*)
  FROM cases c LEFT JOIN persons p ON p.id = c.complainant_id
  WHERE c.affected_count > 1
  GROUP BY COALESCE(p.sex, 'not_stated')
  UNION ALL
  SELECT 'not_stated', SUM(rest), SUM(rest) FROM (
    SELECT c.affected_count - 1
      - (SELECT COUNT(*) FROM affected_workers aw WHERE aw.case_id = c.id) AS rest
    FROM cases c WHERE c.affected_count > 1
  ) unnamed WHERE rest > 0
) parts GROUP BY sex
"""


def workers_by_sex(by_sex: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Affected workers by sex, and those of them in collective complaints, from the cases
    by their complainant's sex (`by_sex`, the "sex" dimension) and what collective
    complaints add."""
    result = {
        sex: {"workers": int(cells.get("received", 0)), "collective": 0}
        for sex, cells in by_sex.items()
    }
    for row in db.session.execute(text(WORKERS_SQL)).mappings():
        cells = result.setdefault(str(row["sex"]), {"workers": 0, "collective": 0})
        cells["workers"] += int(row["extra"] or 0)
        cells["collective"] += int(row["collective"] or 0)
    return result


def _cells(row: Any) -> dict[str, Any]:
    cells: dict[str, Any] = {name: int(row[name] or 0) for name in COUNTS}
    for name in MEDIANS:
        value = row.get(name)
        cells[name] = None if value is None else round(float(value), 2)
    return cells


def _compute_postgresql(
    lt: LocalTime, now: str, until: str | None
) -> dict[str, dict[str, dict[str, Any]]]:
    # JIT compilation costs more than it saves here (measured: it took most of the time).
    db.session.execute(text("SET LOCAL jit = off"))
    # The six sorts of the grouping sets fit in memory instead of spilling to disk.
    db.session.execute(text("SET LOCAL work_mem = '64MB'"))
    result: dict[str, dict[str, dict[str, Any]]] = {d: {} for d in (*DIMENSIONS, *CROSSES)}
    width = len(DIMENSIONS)
    crosses = {frozenset(pair): name for name, pair in CROSSES.items()}
    for row in db.session.execute(text(_grouping_sets_sql(lt, now, until))).mappings():
        # GROUPING() sets a bit for every dimension *not* grouped in this row's set.
        grouped = [d for i, d in enumerate(DIMENSIONS) if not row["g"] >> (width - 1 - i) & 1]
        if len(grouped) == 1:
            result[grouped[0]][str(row[grouped[0]])] = _cells(row)
        else:
            name = crosses[frozenset(grouped)]
            first, second = CROSSES[name]
            result[name][f"{row[first]}|{row[second]}"] = _cells(row)
    return result


def _compute_portable(
    lt: LocalTime, now: str, until: str | None
) -> dict[str, dict[str, dict[str, Any]]]:
    session = db.session
    session.execute(text(f"DROP TABLE IF EXISTS {FACTS}"))
    session.execute(text(f"CREATE TEMPORARY TABLE {FACTS} AS {_facts_sql(lt, now, until)}"))
    try:
        return {dim: _dimension(dim) for dim in (*DIMENSIONS, *CROSSES)}
    finally:
        session.execute(text(f"DROP TABLE IF EXISTS {FACTS}"))


def _dimension(dim: str) -> dict[str, dict[str, Any]]:
    result = {
        str(row["k"]): _cells(row) for row in db.session.execute(text(_counts_sql(dim))).mappings()
    }
    for name, column, fraction in PERCENTILES:
        for key, value in db.session.execute(text(_window_percentile_sql(dim, column, fraction))):
            result[str(key)][name] = None if value is None else round(float(value), 2)
    return result


def listing_cells(cal: WorkingCalendar) -> list[list[Any]]:
    """[province, category, month, "open" | "closed", cases] for the cases a public listing
    may show at all (confidentiality normal): what Open311's public request list is drawn
    from, computed with the dashboard's figures so that both describe the same moment."""
    lt = LocalTime(db.session.get_bind().dialect.name, cal)
    sql = f"""
    SELECT c.province_code, cat.code, {lt.month("c.created_at")} AS month,
      CASE WHEN {_open_condition()} THEN 'open' ELSE 'closed' END AS status, COUNT(*)
    FROM cases c JOIN categories cat ON cat.id = c.category_id
    WHERE c.confidentiality = 'normal'
    GROUP BY c.province_code, cat.code, month, status
    """  # noqa: S608
    return [
        [str(p), str(c), str(m), str(s), int(n)] for p, c, m, s, n in db.session.execute(text(sql))
    ]


def _open_states() -> list[str]:
    return sorted({s for wf in WORKFLOWS.values() for s in wf.open_states()})


def state_times(
    cal: WorkingCalendar, filed_before: datetime | None = None
) -> dict[str, dict[str, dict[str, Any]]]:
    """{"state": {state: cells}, "state_month": {"<state>|<month filed>": cells}} with
    cells {"stays": stays that ended, "days_sum": their working days}: how long cases
    stay in each open state. A stay runs from the event that entered the state to the
    next event that changed it (an event that keeps the state is not a move)."""
    dialect = db.session.get_bind().dialect.name
    lt = LocalTime(dialect, cal)
    opens = ", ".join(f"'{s}'" for s in _open_states())
    until = f"AND c.created_at < {now_sql(dialect, filed_before)}" if filed_before else ""
    entered, left = lt.day("m.entered"), lt.day("m.left_at")
    days = lt.days_between("m.entered", "wa", "m.left_at", "wb")
    sql = f"""
    WITH moves AS (
      SELECT e.case_id, e.to_state AS state, e.created_at AS entered,
        LEAD(e.created_at) OVER (PARTITION BY e.case_id ORDER BY e.seq) AS left_at
      FROM case_events e
      WHERE e.to_state IS NOT NULL AND (e.from_state IS NULL OR e.from_state <> e.to_state)
    )
    SELECT m.state, {lt.month("c.created_at")} AS month, COUNT(*) AS stays,
      SUM({days}) AS days_sum
    FROM moves m JOIN cases c ON c.id = m.case_id
    LEFT JOIN working_days wa ON wa.province_code = c.province_code AND wa.day = {entered}
    LEFT JOIN working_days wb ON wb.province_code = c.province_code AND wb.day = {left}
    WHERE m.left_at IS NOT NULL AND m.state IN ({opens}) {until}
    GROUP BY m.state, month
    """  # noqa: S608 (state names from the workflow definitions)
    by_state: dict[str, dict[str, Any]] = {}
    by_month: dict[str, dict[str, Any]] = {}
    for state, month, stays, days_sum in db.session.execute(text(sql)):
        cells = {"stays": int(stays), "days_sum": round(float(days_sum or 0), 2)}
        by_month[f"{state}|{month}"] = cells
        total = by_state.setdefault(str(state), {"stays": 0, "days_sum": 0.0})
        total["stays"] += cells["stays"]
        total["days_sum"] = round(total["days_sum"] + cells["days_sum"], 2)
    return {"state": by_state, "state_month": by_month}
