"""Dates, times and numbers on pages, written for the active language (Khmer month names,
the locale's digit grouping) with Babel's CLDR data: the one set of Jinja filters
templates use for them.

Digits: Western (0-9) on every page, Khmer pages included. That is CLDR's default
numbering system for Khmer (`km`: latn; Babel has no Khmer-digit symbols for it), and the
references, secrets and phone numbers shown beside the figures are typed in Western digits
on every phone. Khmer digits are accepted wherever something is typed (grievance.khmer).
Times: 24-hour ("14:03") in both languages, never "PM"; CLDR's Khmer patterns are 12-hour
with Latin AM/PM, so the date part comes from CLDR and the time part is fixed here.

Times are stored in UTC and shown in the configured time zone. Machine-readable outputs
(CSV, JSON, Open311, `<time datetime>`, `data-value` attributes, form values) stay ISO and
raw: they do not go through these filters.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from babel import Locale
from flask import Flask
from flask_babel import format_date, format_datetime, format_decimal, format_percent, get_locale

Number = int | float | Decimal


def datetime_pattern(fmt: str, locale: Locale | None = None) -> str:
    """The locale's date pattern `fmt` ("short", "medium", "long") and a 24-hour time."""
    chosen = locale or get_locale() or Locale.parse("km")
    return f"{chosen.date_formats[fmt].pattern}, HH:mm"


def local_time(value: datetime | None, fmt: str = "medium") -> str:
    """A UTC time in local time: "5 មីនា 2026, 14:03" / "Mar 5, 2026, 14:03"."""
    return "" if value is None else format_datetime(value, datetime_pattern(fmt))


def local_date(value: date | datetime | None, fmt: str = "medium") -> str:
    """A day ("medium": 5 មីនា 2026 / Mar 5, 2026; "long": 5 មីនា 2026 / March 5, 2026);
    a datetime is first moved to local time, so a late-evening UTC time shows tomorrow."""
    return "" if value is None else format_date(value, fmt)


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
    "local_date": local_date,
    "number": number,
    "decimal": decimal,
    "percent": percent,
}


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(FILTERS)
    # Also callable as functions (`local_time(x)`), as templates written before the
    # filters do; both names lead to the same code.
    app.jinja_env.globals.update(local_time=local_time, local_date=local_date)
