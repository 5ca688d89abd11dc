"""Public accountability pages: dashboard, open data, data dictionary, forum follow-up.

Every figure here is suppressed (suppression.py). Staff oversight pages are in
staff.py, on the same blueprint.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from typing import Any

from flask import Response, abort, render_template
from flask_babel import format_date

from grievance.domain import SEXES
from grievance.i18n import lang
from grievance.oversight import charts, figures, forum_followup, open_data, releases, snapshots
from grievance.oversight.map import province_map
from grievance.oversight.models import StatsSnapshot
from grievance.oversight.open_data import FIELDS as OPEN_DATA_FIELDS
from grievance.oversight.suppression import MARKERS, THRESHOLD, is_suppressed
from grievance.oversight.views.blueprint import bp

DIMENSIONS = ("month", "province", "category", "channel", "sex")
LICENCE = "CC BY 4.0"  # reuse with attribution to the National Social Security Fund
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"


@bp.app_context_processor
def _helpers() -> dict[str, Any]:
    return {
        "is_suppressed": is_suppressed,
        "suppression_threshold": THRESHOLD,
        "sexes": SEXES,
    }


def current_snapshot() -> StatsSnapshot | None:
    """The latest figures (a periodic job keeps them fresh; reading never writes)."""
    return snapshots.latest()


@bp.get("/accountability")
def dashboard() -> str:
    row = current_snapshot()
    dims = snapshots.figures(row)
    tables = [figures.table(dims, d, lang(), public=True) for d in DIMENSIONS]
    tables[0] = figures.last_months(tables[0])
    return render_template(
        "oversight/public_dashboard.html",
        snapshot=row,
        totals=figures.totals(dims, public=True),
        tables=[*tables, figures.workers_table(dims, lang(), public=True)],
        charts=charts.month_charts(tables[0]),
        map=province_map(tables[DIMENSIONS.index("province")]),
    )


@bp.get("/accountability/data")
def data_dictionary() -> str:
    return render_template(
        "oversight/data_dictionary.html",
        columns=OPEN_DATA_FIELDS,
        licence_url=LICENCE_URL,
        releases=[
            (m, format_date(date(int(m[:4]), int(m[5:7]), 1), "MMMM y"))
            for m, _at in releases.months()
        ],  # fmt: skip
    )


def _open_data_rows() -> tuple[StatsSnapshot | None, list[dict[str, Any]]]:
    row = current_snapshot()
    return row, open_data.records(snapshots.figures(row), snapshots.state_times())


def _json(generated_at: str | None, records: list[dict[str, Any]], **extra: Any) -> Response:
    body = {
        "generated_at": generated_at,
        **extra,
        "hidden_markers": {m.reason: m.marker for m in MARKERS},
        "licence": LICENCE,
        "licence_url": LICENCE_URL,
        "times": "Asia/Phnom_Penh (UTC+07:00); generated_at in UTC",
        "dictionary": "/accountability/data",
        "records": records,
    }
    response = Response(json.dumps(body, ensure_ascii=False), mimetype="application/json")
    response.headers["Access-Control-Allow-Origin"] = "*"  # open data: any site may read it
    return response


def _csv(records: list[dict[str, Any]], filename: str) -> Response:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=OPEN_DATA_FIELDS)
    writer.writeheader()
    writer.writerows(records)
    response = Response(buffer.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = f"attachment; filename={filename}"
    response.headers["Link"] = f'<{LICENCE_URL}>; rel="license"'
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.get("/accountability/data.json")
def open_data_json() -> Response:
    row, records = _open_data_rows()
    return _json(row.generated_at.isoformat() if row and row.generated_at else None, records)


@bp.get("/accountability/data.csv")
def open_data_csv() -> Response:
    _row, records = _open_data_rows()
    return _csv(records, "samleng-accountability.csv")


def _release(month: str) -> StatsSnapshot:
    row = releases.get(month)
    if row is None:
        abort(404)
    return row


@bp.get("/accountability/data/<month>.<any(json, csv):fmt>")
def open_data_release(fmt: str, month: str) -> Response:
    """A monthly release, as it was written (releases.py)."""
    row = _release(month)
    records = row.data["records"]
    if fmt == "csv":
        return _csv(records, f"samleng-accountability-{month}.csv")
    stamp = row.generated_at.isoformat() if row.generated_at else None
    return _json(stamp, records, month=month, cases_filed_before=row.data["cases_filed_before"])


@bp.get("/accountability/forums")
def forums() -> str:
    return render_template("forums/index.html", forums=forum_followup.forums())


@bp.get("/accountability/forums/<int:forum_id>")
def forum(forum_id: int) -> str:
    return render_template(
        "forums/show.html",
        report=forum_followup.report(forum_id),
        columns=forum_followup.COLUMNS,
        category_names=forum_followup.category_names(lang()),
    )
