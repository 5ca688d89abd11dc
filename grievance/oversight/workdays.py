"""Working days in SQL: a calendar index table so durations are computed set-based.

Why a table: the SLA calendar (grievance/sla/calendar.py) walks day by day in Python,
which is right for one deadline but far too slow for the medians over a million cases.
Instead, `working_days` holds one row per (province, calendar day) with `working` (is it
a working day there: weekday, not a Cambodian public holiday, no closure) and `worked_before`
(working days strictly before that day). The working time from the start of the table to
a moment t on local day d is then

    position(t) = worked_before(d) * L
                  + (working(d) ? clamp(seconds_since_midnight(t) - S, 0, L) : 0)

with S the opening time and L the length of the office day, and the working time between
a and b is position(b) - position(a) (or 0 if b <= a). This is exactly what
WorkingCalendar.working_seconds_between computes (its day-by-day sum telescopes to the
same difference); tests compare both on sample cases.

The table is rebuilt (a few tens of thousands of rows, independent of the number of cases)
whenever its signature changes: the closures, the office hours, the holidays package
version or the covered date range (first case's year to next year).
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, timedelta
from typing import Any

import holidays
from sqlalchemy import delete, func, insert, select, text

from grievance.cases.models import Case, Province
from grievance.extensions import db
from grievance.oversight.models import StatsSnapshot, WorkingDay
from grievance.sla.calendar import WorkingCalendar
from grievance.sla.clocks import working_calendar
from grievance.types import utcnow

SIGNATURE_ROW = "working_days"


def _range(today: date) -> tuple[date, date]:
    first_case = db.session.scalar(select(func.min(Case.created_at)))
    start_year = min(first_case.year, today.year) if first_case else today.year
    # Local dates are never before UTC dates here (UTC+7), so the first case's UTC year is
    # early enough.
    return date(start_year, 1, 1), date(today.year + 1, 12, 31)


def _span(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def _signature(cal: WorkingCalendar, first: date, last: date, provinces: list[str]) -> str:
    parts = [
        first.isoformat(),
        last.isoformat(),
        cal.day_start.isoformat(),
        cal.day_end.isoformat(),
        str(cal.tz),
        holidays.__version__,
        ",".join(provinces),
        *sorted(repr(c) for c in cal.closures),
    ]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def ensure(cal: WorkingCalendar | None = None, today: date | None = None) -> bool:
    """Rebuild the index if the calendar or range changed. True if it was rebuilt."""
    cal = cal or working_calendar()
    today = today or utcnow().astimezone(cal.tz).date()
    first, last = _range(today)
    provinces = sorted(db.session.scalars(select(Province.code)))
    signature = _signature(cal, first, last, provinces)
    row = db.session.get(StatsSnapshot, SIGNATURE_ROW)
    if row is not None and row.data.get("signature") == signature:
        return False
    db.session.execute(delete(WorkingDay))
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    # Weekends, holidays and nationwide closures once; province closures on top.
    nationwide = [cal.is_working_day(d) for d in days]
    for province in provinces:
        closed = {
            d
            for c in cal.closures
            if c.provinces and province in c.provinces
            for d in _span(c.start, c.end)
        }
        rows: list[tuple[str, date, bool, int]] = []
        before = 0
        for day, open_nationwide in zip(days, nationwide, strict=True):
            working = open_nationwide and day not in closed
            rows.append((province, day, working, before))
            before += int(working)
        _insert(rows)
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("ANALYZE working_days"))  # fresh statistics for the joins
    if row is None:
        row = StatsSnapshot(name=SIGNATURE_ROW)
        db.session.add(row)
    row.data = {"signature": signature, "first": first.isoformat(), "last": last.isoformat()}
    row.generated_at = utcnow()
    db.session.flush()
    return True


def _insert(rows: list[tuple[str, date, bool, int]]) -> None:
    connection = db.session.connection()
    if connection.dialect.name != "postgresql":
        keys = ("province_code", "day", "working", "worked_before")
        connection.execute(
            insert(WorkingDay.__table__), [dict(zip(keys, r, strict=True)) for r in rows]
        )
        return
    # COPY: tens of thousands of rows in one round trip, inside the session's transaction.
    raw: Any = connection.connection.dbapi_connection  # a psycopg 3 connection
    sql = "COPY working_days (province_code, day, working, worked_before) FROM STDIN"
    with raw.cursor() as cursor, cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)


# When a case was answered: its proposed resolution, or its closing.
ANSWERED = "COALESCE(c.resolution_proposed_at, c.closed_at)"


class LocalTime:
    """SQL fragments for the local day and time of a stored UTC timestamp, per dialect."""

    def __init__(self, dialect: str, cal: WorkingCalendar) -> None:
        self.dialect = dialect
        self.zone = str(cal.tz)
        offset = cal.tz.utcoffset(datetime.now(UTC).replace(tzinfo=None))
        # SQLite has no time-zone database: a fixed offset is exact for zones without DST
        # (Asia/Phnom_Penh has been UTC+7 since 1975).
        self.offset = int(offset.total_seconds()) if offset is not None else 0
        self.opens = cal.day_start.hour * 3600 + cal.day_start.minute * 60 + cal.day_start.second
        self.length = int(cal.day_seconds)

    def day(self, col: str) -> str:
        if self.dialect == "postgresql":
            return f"CAST(({col} AT TIME ZONE '{self.zone}') AS DATE)"
        return f"date({col}, '{self.offset:+d} seconds')"

    def month(self, col: str) -> str:
        if self.dialect == "postgresql":
            return f"to_char({col} AT TIME ZONE '{self.zone}', 'YYYY-MM')"
        return f"strftime('%Y-%m', {col}, '{self.offset:+d} seconds')"

    def seconds(self, col: str) -> str:
        if self.dialect == "postgresql":
            return f"EXTRACT(EPOCH FROM CAST(({col} AT TIME ZONE '{self.zone}') AS TIME))"
        shifted = f"{col}, '{self.offset:+d} seconds'"
        return f"((julianday({shifted}) - julianday(date({shifted}))) * 86400.0)"

    def iso_utc(self, col: str) -> str:
        """A timestamp as ISO 8601 UTC text, to the second."""
        if self.dialect == "postgresql":
            return f"""to_char({col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')"""
        return f"strftime('%Y-%m-%dT%H:%M:%SZ', {col})"

    def iso_local(self, col: str) -> str:
        """A timestamp as ISO 8601 Phnom Penh time with its offset, to the second."""
        sign = "+" if self.offset >= 0 else "-"
        hours, minutes = divmod(abs(self.offset) // 60, 60)
        zone = f"{sign}{hours:02d}:{minutes:02d}"
        if self.dialect == "postgresql":
            local = f"{col} AT TIME ZONE '{self.zone}'"
            return f"""to_char({local}, 'YYYY-MM-DD"T"HH24:MI:SS"{zone}"')"""
        return f"strftime('%Y-%m-%dT%H:%M:%S{zone}', {col}, '{self.offset:+d} seconds')"

    def rounded_text(self, expr: str) -> str:
        """A number rounded to 2 decimals, as text without trailing zeros."""
        if self.dialect == "postgresql":
            return f"CAST(trim_scale(ROUND(CAST({expr} AS numeric), 2)) AS text)"
        return f"CAST(ROUND({expr}, 2) AS TEXT)"

    def position(self, col: str, wd: str) -> str:
        """Working seconds from the table's first day to `col`; `wd` is its working_days row."""
        inside = f"MIN(MAX({self.seconds(col)} - {self.opens}, 0), {self.length})"
        if self.dialect == "postgresql":
            inside = f"LEAST(GREATEST({self.seconds(col)} - {self.opens}, 0), {self.length})"
        done = f"{wd}.worked_before * {self.length}"
        return f"({done} + CASE WHEN {wd}.working THEN {inside} ELSE 0 END)"

    def days_between(self, start: str, wd_start: str, end: str, wd_end: str) -> str:
        diff = f"({self.position(end, wd_end)} - {self.position(start, wd_start)})"
        return f"(CASE WHEN {diff} > 0 THEN {diff} ELSE 0 END * 1.0 / {self.length})"

    def case_rows(self) -> str:
        """`FROM cases c` with its category (cat), complainant (p) and the working-day
        rows of the days it was filed (w0), acknowledged (w1) and answered (w2): what the
        statistics and the exports count working days with."""
        return f"""FROM cases c
    JOIN categories cat ON cat.id = c.category_id
    LEFT JOIN persons p ON p.id = c.complainant_id
    LEFT JOIN working_days w0
      ON w0.province_code = c.province_code AND w0.day = {self.day("c.created_at")}
    LEFT JOIN working_days w1
      ON w1.province_code = c.province_code AND w1.day = {self.day("c.acknowledged_at")}
    LEFT JOIN working_days w2
      ON w2.province_code = c.province_code AND w2.day = {self.day(ANSWERED)}"""

    def ack_days(self) -> str:
        """Working days from filing to acknowledgement (with `case_rows`)."""
        return self.days_between("c.created_at", "w0", "c.acknowledged_at", "w1")

    def answer_days(self) -> str:
        """Working days from filing to the answer (with `case_rows`)."""
        return self.days_between("c.created_at", "w0", ANSWERED, "w2")
