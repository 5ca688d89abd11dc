"""The open-data records: every public figure as one flat record per group, suppressed.

Used by the live files (/accountability/data.csv and .json) and by the monthly releases
(releases.py), so both carry the same fields under the same disclosure rules.
"""

from __future__ import annotations

from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _

from grievance.i18n import label
from grievance.oversight import figures
from grievance.oversight.suppression import for_export

DIMENSIONS = ("month", "province", "category", "channel", "sex")
FIELDS = (
    "dimension",
    "key",
    "label_en",
    "label_km",
    "received",
    "resolved",
    "open",
    "overdue",
    "within_sla_pct",
    "ack_on_time_pct",
    "ack_median",
    "resolve_median",
    "satisfaction",
    "appeal_pct",
    "reopen_pct",
    "days_in_state",
)
CASE_FIELDS = FIELDS[4:-1]  # the figures of a group of cases
Dims = dict[str, dict[str, dict[str, Any]]]


def records(
    dims: Dims, times: Dims, published: figures.Published | None = None
) -> list[dict[str, Any]]:
    """One record per group of every public dimension, then one per open state (the
    average working days spent in it) and per state and month filed. `published`: what
    earlier releases published (a release is suppressed against them)."""
    return [*_case_records(dims, published), *_state_records(times)]


def _case_records(dims: Dims, published: figures.Published | None) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for dimension in ("all", *DIMENSIONS):
        labelled: dict[str, list[figures.Row]] = {}
        for language in ("en", "km"):
            with force_locale(language):
                if dimension == "all":
                    total = figures.totals(dims, public=True, published=published)
                    labelled[language] = [figures.Row("all", _("All cases"), total)]
                else:
                    labelled[language] = figures.table(
                        dims, dimension, language, public=True, published=published
                    ).rows
        for en, km in zip(labelled["en"], labelled["km"], strict=True):
            record = _blank(dimension, en.key, en.label, km.label)
            for name in CASE_FIELDS:
                record[name] = for_export(en.cells.get(name))
            out.append(record)
    return out


def _state_records(times: Dims) -> list[dict[str, Any]]:
    stays = figures.state_times(times, public=True, months=10_000)
    names: dict[str, dict[str, str]] = {}
    months: dict[str, dict[str, str]] = {}
    for language in ("en", "km"):
        with force_locale(language):
            names[language] = {s: label(msgid) for s, msgid in stays.states}
            months[language] = dict(figures.keys_and_labels("month", _present(stays), language))
    out = []
    for state, _msgid in stays.states:
        record = _blank("state", state, names["en"][state], names["km"][state])
        record["days_in_state"] = for_export(stays.overall[state].get("days_mean"))
        out.append(record)
    for month, _label in stays.months:
        for state, _msgid in stays.states:
            en = f"{names['en'][state]}, {months['en'][month]}"
            km = f"{names['km'][state]}, {months['km'][month]}"
            record = _blank("state_month", f"{state}|{month}", en, km)
            record["days_in_state"] = for_export(stays.by_month[(month, state)].get("days_mean"))
            out.append(record)
    return out


def _present(stays: figures.StateTimes) -> list[str]:
    return [key for key, _label in stays.months]


def _blank(dimension: str, key: str, en: str, km: str) -> dict[str, Any]:
    record: dict[str, Any] = dict.fromkeys(FIELDS)
    record.update({"dimension": dimension, "key": key, "label_en": en, "label_km": km})
    return record
