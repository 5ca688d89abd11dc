"""Dates, times and numbers on pages, written for the active language (Khmer month names,
the locale's digit grouping) with Babel's CLDR data: the one set of Jinja filters and
functions templates and views use for them.

Dates: in Cambodian order in both languages, day, month, year ("7 December 2026",
"7 Dec 2026", "7/12/2026"), not CLDR's English month-first order; Khmer month names on
Khmer pages ("7 ធ្នូ 2026, 14:03").

Digits: Western (0-9) on every page, Khmer pages included, for dates, counts and shares
alike, so that a page never mixes two scripts of digits. That is CLDR's default numbering
system for Khmer (`km`: latn), and the references, secrets and phone numbers shown beside
them are typed in Western digits on every phone. Khmer digits are accepted wherever
something is typed (grievance.khmer).
Times: 24-hour ("14:03") in both languages, never "PM", never seconds.

Times are stored in UTC and shown in the configured time zone. Machine-readable outputs
(CSV, JSON, Open311, `<time datetime>`, `data-value` attributes, form values) stay ISO and
raw: they do not go through these filters.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

from babel import Locale
from babel import dates as babel_dates
from flask import Flask
from flask_babel import (
    format_date,
    format_datetime,
    format_decimal,
    format_percent,
    get_locale,
    get_timezone,
)
from jinja2 import pass_context
from jinja2.runtime import Context

Number = int | float | Decimal


# Day, month, year, whatever the language: (the date's pattern, by length).
DATE_PATTERNS = {"short": "d/M/y", "medium": "d MMM y", "long": "d MMMM y"}
MONTH_PATTERN = "MMM y"


def datetime_pattern(fmt: str) -> str:
    """The date pattern `fmt` ("short", "medium", "long") and a 24-hour time."""
    return f"{DATE_PATTERNS[fmt]}, HH:mm"


def local_time(value: datetime | None, fmt: str = "medium") -> str:
    """A UTC time in local time: "5 មីនា 2026, 14:03" / "5 Mar 2026, 14:03"."""
    return "" if value is None else format_datetime(value, datetime_pattern(fmt))


def time_formatter(fmt: str = "short") -> Callable[[datetime], str]:
    """`local_time` for a long list: the locale and time zone are looked up once."""
    locale, zone = get_locale() or Locale.parse("km"), get_timezone()
    pattern = datetime_pattern(fmt)

    def formatted(value: datetime) -> str:
        return babel_dates.format_datetime(value, pattern, tzinfo=zone, locale=locale)

    return formatted


_PLACE = "_date_place"  # the template context's (locale, time zone), found once per page


def _place() -> tuple[Locale, Any]:
    return get_locale() or Locale.parse("km"), get_timezone()


def local_date(
    value: date | datetime | None, fmt: str = "medium", place: tuple[Locale, Any] | None = None
) -> str:
    """A day ("medium": 5 មីនា 2026 / 5 Mar 2026; "long": 5 មីនា 2026 / 5 March 2026); a
    datetime is first moved to local time, so a late-evening UTC
    time shows tomorrow. (`place`: the locale and time zone, when the caller has them.)"""
    if value is None:
        return ""
    locale, zone = place or _place()
    if isinstance(value, datetime):
        value = (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(zone).date()
    return _date_text(value, DATE_PATTERNS[fmt], locale)


@pass_context
def _page_date(context: Context, value: date | datetime | None, fmt: str = "medium") -> str:
    # `local_date` in templates: the page's locale and time zone were found as it started.
    return local_date(value, fmt, context.get(_PLACE))


@lru_cache(maxsize=4096)
def _date_text(day: date, pattern: str, locale: Locale) -> str:
    # A page shows a handful of days, and the pages of one week show the same few: each is
    # written out by Babel once per language.
    return str(babel_dates.format_date(day, pattern, locale=locale))


def month(value: date) -> str:
    """A month: "Mar 2026" / "មីនា 2026"."""
    return format_date(value, MONTH_PATTERN)


def number(value: Number | None) -> str:
    """A count or amount with the locale's grouping: 1,234 (up to 3 decimals: 0.5)."""
    return "" if value is None else format_decimal(value)


def decimal(value: Number | None, digits: int = 1) -> str:
    """A number with exactly `digits` decimals: 3.2 working days, rating 4.5."""
    if value is None:
        return ""
    return format_decimal(value, format="#,##0" + ("." + "0" * digits if digits else ""))


def percent(value: Number | None, digits: int = 0) -> str:
    """A fraction as a percentage: 0.873 -> 87%."""
    if value is None:
        return ""
    return format_percent(value, format="#,##0" + ("." + "0" * digits if digits else "") + "%")


FILTERS = {
    "local_time": local_time,
    "local_date": _page_date,
    "number": number,
    "decimal": decimal,
    "percent": percent,
}


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(FILTERS)
    # Also callable as functions (`local_time(x)`), as templates written before the
    # filters do; both names lead to the same code.
    app.jinja_env.globals.update(local_time=local_time, local_date=_page_date)

    @app.context_processor
    def place() -> dict[str, Any]:
        return {_PLACE: _place()}
