"""Working-time calendar for SLA clocks: Cambodian working days and office hours.

Pure Python (no Flask, no SQLAlchemy) so the SLA engine, the sweep and the oversight
reports share one definition of "working time", and deadlines can be stored as plain
UTC timestamps that a sweep compares with ``now()`` in SQL.

Conventions:
- every datetime in or out is timezone-aware; results are UTC;
- a "working day" as a duration is the length of the office day (10 h by default), so
  one working day from Friday 16:00 is Monday 16:00;
- time outside office hours does not count: a clock started on Friday at 20:00 starts
  running on the next working morning;
- a deadline that uses up a day exactly is that day's closing time, not the next opening.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

PHNOM_PENH = ZoneInfo("Asia/Phnom_Penh")

# Hard stops so a bad policy or a runaway closure list cannot spin a request forever.
MAX_WORKING_DAYS = 3660
_MAX_CALENDAR_DAYS = MAX_WORKING_DAYS * 2
# Days a calendar keeps the hours of (a few years for each of the 25 provinces), and the
# spans of days it keeps together (from each first day of a walk).
_MAX_KEPT_DAYS = 50_000
_MAX_KEPT_SPANS = 10_000
_SPAN = 64

_LANGUAGES = {"en": "en_US", "km": "km"}


@lru_cache(maxsize=512)
def _public_holidays(year: int, language: str) -> holidays.HolidayBase:
    # expand=False keeps lookups read-only, so one cached object is safe to share
    # between threads (web workers and the sweep timer run side by side).
    return holidays.country_holidays("KH", years=year, language=language, expand=False)


@lru_cache(maxsize=512)
def _holiday_dates(year: int) -> frozenset[date]:
    # The same holidays as a plain set: a day's lookup is then one hash, not a trip through
    # HolidayBase's key conversion (the calendar asks once per day it walks).
    return frozenset(_public_holidays(year, "en_US"))


def _to_utc(value: datetime, name: str = "datetime") -> datetime:
    # Naive datetimes are ambiguous between server time, UTC and Phnom Penh time; a
    # silent guess would shift every deadline by 7 hours.
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {value!r}")
    return value.astimezone(UTC)


def _check_amount(value: float, name: str) -> float:
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a finite, non-negative number, got {value!r}")
    return value


@dataclass(frozen=True)
class Closure:
    """An office closure declared by an admin (flood, storm, extra holiday).

    ``end`` is inclusive. ``provinces`` holds ISO 3166-2:KH codes ("KH-12");
    ``None`` means nationwide.
    """

    start: date
    end: date
    provinces: frozenset[str] | None = None
    reason: str = ""

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"closure ends ({self.end}) before it starts ({self.start})")
        if self.provinces is not None:
            # Accept any iterable from callers but keep the dataclass hashable.
            object.__setattr__(self, "provinces", frozenset(self.provinces))
            if not self.provinces:
                raise ValueError("an empty province set is ambiguous; use None for nationwide")

    def applies(self, day: date, province: str | None = None) -> bool:
        if not self.start <= day <= self.end:
            return False
        return self.provinces is None or (province is not None and province in self.provinces)


@dataclass(frozen=True)
class WorkingCalendar:
    """Working days (Mon-Fri minus KH public holidays minus closures) and office hours."""

    closures: tuple[Closure, ...] = ()
    day_start: time = time(7, 30)
    day_end: time = time(17, 30)
    tz: ZoneInfo = field(default_factory=lambda: PHNOM_PENH)
    # Each day's office hours in UTC (None: not a working day), by (day, province), found
    # once per calendar: deadlines of many cases walk the same few weeks of days.
    _days: dict[tuple[date, str | None], tuple[datetime, datetime] | None] = field(
        default_factory=dict, init=False, repr=False, compare=False, hash=False
    )
    _spans: dict[tuple[date, str | None], tuple[tuple[datetime, datetime], ...]] = field(
        default_factory=dict, init=False, repr=False, compare=False, hash=False
    )

    def __post_init__(self) -> None:
        object.__setattr__(self, "closures", tuple(self.closures))
        if self.day_start.tzinfo is not None or self.day_end.tzinfo is not None:
            raise ValueError("day_start/day_end are wall-clock times in tz; pass naive times")
        if self.day_start >= self.day_end:
            raise ValueError("day_start must be before day_end")

    # -- days ---------------------------------------------------------------------

    @property
    def day_length(self) -> timedelta:
        """The duration of one "working day" (wall-clock office hours)."""
        return datetime.combine(date.min, self.day_end) - datetime.combine(date.min, self.day_start)

    @property
    def day_seconds(self) -> float:
        return self.day_length.total_seconds()

    def is_working_day(self, d: date, province: str | None = None) -> bool:
        if d.weekday() >= 5:
            return False
        if d in _holiday_dates(d.year):
            return False
        return not any(c.applies(d, province) for c in self.closures)

    def holiday_name(self, d: date, lang: str = "en") -> str | None:
        """Name of the public holiday on ``d`` in Khmer ("km") or English ("en"), or None."""
        try:
            language = _LANGUAGES[lang]
        except KeyError:
            raise ValueError(f"lang must be one of {sorted(_LANGUAGES)}, got {lang!r}") from None
        name = _public_holidays(d.year, language).get(d)
        return str(name) if name is not None else None

    # -- durations ----------------------------------------------------------------

    def add_working_time(
        self,
        start: datetime,
        *,
        days: float = 0,
        hours: float = 0,
        province: str | None = None,
    ) -> datetime:
        """The UTC moment when ``days``/``hours`` of working time have elapsed after ``start``.

        With a zero amount the result is ``start`` if it is inside working hours, else the
        next opening time.
        """
        return self._add(_to_utc(start, "start"), self._duration(days, hours), province)

    def working_seconds_between(
        self, a: datetime, b: datetime, province: str | None = None
    ) -> float:
        """Working seconds in [a, b]; 0 if ``b <= a``. Inverse of :meth:`add_working_time`."""
        return self._between(_to_utc(a, "a"), _to_utc(b, "b"), province).total_seconds()

    def working_days_between(self, a: datetime, b: datetime, province: str | None = None) -> float:
        return self.working_seconds_between(a, b, province) / self.day_seconds

    def due_and_risk(
        self,
        start: datetime,
        *,
        days: float = 0,
        hours: float = 0,
        risk_fraction: float = 0.75,
        province: str | None = None,
    ) -> tuple[datetime, datetime]:
        """(deadline, at-risk moment), both UTC.

        Storing both lets the sweep find at-risk and breached cases with plain
        timestamp comparisons instead of recomputing working time per case.
        """
        if not 0 <= _check_amount(risk_fraction, "risk_fraction") <= 1:
            raise ValueError(f"risk_fraction must be within [0, 1], got {risk_fraction!r}")
        origin = _to_utc(start, "start")
        total = self._duration(days, hours)
        due = self._add(origin, total, province)
        at_risk = self._add(origin, total * risk_fraction, province)
        return due, at_risk

    def shift_for_pause(
        self,
        due: datetime,
        paused_from: datetime,
        paused_to: datetime,
        province: str | None = None,
    ) -> datetime:
        """``due`` moved later by the working time that elapsed while the clock was paused."""
        due_utc = _to_utc(due, "due")
        paused = self._between(
            _to_utc(paused_from, "paused_from"), _to_utc(paused_to, "paused_to"), province
        )
        # A pause with no working time in it (e.g. over a weekend) must not nudge a
        # deadline that sits outside office hours to the next opening.
        if not paused:
            return due_utc
        return self._add(due_utc, paused, province)

    # -- internals ----------------------------------------------------------------

    def _duration(self, days: float, hours: float) -> timedelta:
        days = _check_amount(days, "days")
        hours = _check_amount(hours, "hours")
        seconds = days * self.day_seconds + hours * 3600
        if seconds > MAX_WORKING_DAYS * self.day_seconds:
            raise ValueError(f"working time above {MAX_WORKING_DAYS} working days is refused")
        return timedelta(seconds=seconds)

    def _window(self, d: date) -> tuple[datetime, datetime]:
        # Through UTC so that a zone with DST would still give correct real durations.
        opens = datetime.combine(d, self.day_start, tzinfo=self.tz).astimezone(UTC)
        closes = datetime.combine(d, self.day_end, tzinfo=self.tz).astimezone(UTC)
        return opens, closes

    def _hours(self, d: date, province: str | None) -> tuple[datetime, datetime] | None:
        """Day `d`'s office hours in UTC, or None when it is not a working day."""
        key = (d, province)
        try:
            return self._days[key]
        except KeyError:
            pass
        hours = self._window(d) if self.is_working_day(d, province) else None
        if len(self._days) < _MAX_KEPT_DAYS:
            self._days[key] = hours
        return hours

    def _dates(self, first: date) -> Iterator[date]:
        for offset in range(_MAX_CALENDAR_DAYS):
            yield first + timedelta(days=offset)
        raise ValueError(f"span exceeds {_MAX_CALENDAR_DAYS} calendar days")

    def _span(self, first: date, province: str | None) -> tuple[tuple[datetime, datetime], ...]:
        """The office hours of the working days among the `_SPAN` calendar days from
        `first`, kept: the deadlines set on one day (answers given, cases filed) all walk
        the same weeks."""
        key = (first, province)
        found = self._spans.get(key)
        if found is None:
            days = (self._hours(first + timedelta(days=i), province) for i in range(_SPAN))
            found = tuple(hours for hours in days if hours is not None)
            if len(self._spans) >= _MAX_KEPT_SPANS:
                self._spans.clear()
            self._spans[key] = found
        return found

    def _add(self, start: datetime, remaining: timedelta, province: str | None) -> datetime:
        # Whole days are consumed at once, from the kept span of days, then (for more than
        # the span) one step per calendar day.
        first = start.astimezone(self.tz).date()
        for opens, closes in self._span(first, province):
            begin = max(start, opens)
            if begin > closes:
                continue
            available = closes - begin
            # "<=" keeps a deadline that uses the day up exactly at closing time.
            if remaining <= available:
                return begin + remaining
            remaining -= available
        for d in self._dates(first + timedelta(days=_SPAN)):
            hours = self._hours(d, province)
            if hours is None:
                continue
            opens, closes = hours
            if remaining <= closes - opens:
                return opens + remaining
            remaining -= closes - opens
        raise AssertionError("unreachable: _dates raises when the horizon is exceeded")

    def _between(self, a: datetime, b: datetime, province: str | None) -> timedelta:
        total = timedelta()
        if b <= a:
            return total
        last = b.astimezone(self.tz).date()
        for d in self._dates(a.astimezone(self.tz).date()):
            if d > last:
                break
            hours = self._hours(d, province)
            if hours is None:
                continue
            opens, closes = hours
            lo, hi = max(a, opens), min(b, closes)
            if hi > lo:
                total += hi - lo
        return total
