"""Monthly open-data releases: written once, in month order, listed and downloadable; and
subtracting one release from another never gives a hidden or small count away."""

from __future__ import annotations

import itertools
from datetime import datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient

from grievance.errors import DomainError
from grievance.oversight import aggregates, open_data, releases
from grievance.oversight.suppression import THRESHOLD
from grievance.sla.clocks import working_calendar
from grievance.uow import checkpoint as commit
from tests.oversight.helpers import case_in
from tests.oversight.test_disclosure import COUNTS, MARKERS, _bounds, _generated

MONTHS = ("2026-03", "2026-04", "2026-05")  # the generated cases are filed in these


def _write_all() -> dict[str, list[dict[str, object]]]:
    out = {}
    for month in MONTHS:
        out[month] = releases.write(month).data["records"]
        commit()
    return out


def _cells(records: list[dict[str, object]]) -> dict[tuple[str, str, str], object]:
    return {
        (str(r["dimension"]), str(r["key"]), column): r[column]
        for r in records
        for column in COUNTS
        if r["dimension"] not in ("state", "state_month")
    }


def _small_differences(
    first: list[dict[str, object]], second: list[dict[str, object]]
) -> list[tuple[tuple[str, str, str], object, object]]:
    a, b = _cells(first), _cells(second)
    return [
        (cell, a[cell], b[cell])
        for cell in a.keys() & b.keys()
        if isinstance(a[cell], int)
        and isinstance(b[cell], int)
        and 0 < abs(a[cell] - b[cell]) < THRESHOLD  # type: ignore[operator]
    ]


def test_no_two_releases_differ_by_a_small_number(client: FlaskClient) -> None:
    _generated()
    written = _write_all()
    for first, second in itertools.combinations(MONTHS, 2):
        assert _small_differences(written[first], written[second]) == [], (first, second)
    # Without the earlier releases the same figures would give small differences away.
    cal = working_calendar()
    with client.application.test_request_context():
        cutoff = releases._month_end("2026-04")
        dims = aggregates.compute(cal, filed_before=cutoff)
        naive = open_data.records(dims, aggregates.state_times(cal, cutoff))
    assert _small_differences(written["2026-03"], naive)


def test_a_hidden_count_keeps_two_values_given_every_earlier_release() -> None:
    """Received counts only grow: an earlier release's number is a lower bound on the same
    group later. Each "fewer than 5" still has two possible values given the release's
    total, its other rows, its markers and those lower bounds; every marker tells the truth
    about the figures of the cases filed up to the release's month."""
    _generated()
    written = _write_all()
    cal = working_calendar()
    hidden = 0
    for n, month in enumerate(MONTHS):
        raw = aggregates.compute(cal, filed_before=releases._month_end(month))
        records = written[month]
        total = next(r for r in records if r["dimension"] == "all")
        for dimension in ("month", "province", "category", "channel", "sex"):
            rows = [r for r in records if r["dimension"] == dimension]
            for column in COUNTS:
                shown = [r[column] for r in rows]
                for row, value in zip(rows, shown, strict=True):
                    exact = raw[dimension].get(str(row["key"]), {}).get(column, 0)
                    if value in MARKERS:
                        low, high = MARKERS[str(value)]
                        assert low <= exact <= high, (month, dimension, column, row)
                    else:
                        assert value == exact >= THRESHOLD
                if total[column] in MARKERS:
                    continue
                hidden_sum = int(total[column]) - sum(  # type: ignore[call-overload]
                    int(v)
                    for v in shown
                    if v not in MARKERS  # type: ignore[call-overload]
                )
                lower = [_earlier_received(written, MONTHS[:n], dimension, str(r["key"]))
                         if column == "received" else 0 for r in rows]  # fmt: skip
                for row, value, bound in zip(rows, shown, _bounds(shown, hidden_sum, lower)):
                    if value == "fewer than 5":
                        hidden += 1
                        assert bound is not None and bound[0] < bound[1], (month, column, row)
    assert hidden > 10


def _earlier_received(
    written: dict[str, list[dict[str, object]]], months: tuple[str, ...], dimension: str, key: str
) -> int:
    values = [
        int(r["received"])  # type: ignore[call-overload]
        for m in months
        for r in written[m]
        if r["dimension"] == dimension and r["key"] == key and isinstance(r["received"], int)
    ]
    return max(values, default=0)


def test_a_release_is_written_once_in_month_order_for_a_month_that_is_over() -> None:
    case_in("closed", at=datetime(2026, 3, 5, 3, 0).astimezone())
    releases.write("2026-04")
    with pytest.raises(DomainError, match="release_exists"):
        releases.write("2026-04")
    with pytest.raises(DomainError, match="release_exists"):
        releases.write("2026-03")
    with pytest.raises(DomainError, match="release_month_not_over"):
        releases.write("2099-01")
    assert [m for m, _at in releases.months()] == ["2026-04"]


def test_releases_are_listed_and_downloadable(client: FlaskClient) -> None:
    _generated()
    _write_all()
    page = client.get("/accountability/data?lang=en").get_data(as_text=True)
    assert "Monthly releases" in page and "April 2026" in page
    assert "/accountability/data/2026-04.csv" in page
    body = client.get("/accountability/data/2026-04.json").get_json()
    assert body["month"] == "2026-04" and body["licence"] == "CC BY 4.0"
    assert body["cases_filed_before"].startswith("2026-05-01T00:00:00+07")
    months = {r["key"] for r in body["records"] if r["dimension"] == "month"}
    assert max(months) == "2026-04"  # May's cases are not in April's release
    csv = client.get("/accountability/data/2026-04.csv")
    assert csv.headers["Content-Disposition"].endswith("samleng-accountability-2026-04.csv")
    assert csv.get_data(as_text=True).splitlines()[0].startswith("dimension,key,label_en")
    assert client.get("/accountability/data/2026-02.json").status_code == 404
    khmer = client.get("/accountability/data?lang=km").get_data(as_text=True)
    assert "/accountability/data/2026-03.json" in khmer


def test_the_job_writes_last_month_once_and_the_command_refuses_a_second(app: Flask) -> None:
    case_in("closed")
    assert releases.release_last_month_job() is True
    assert releases.release_last_month_job() is False  # written already: nothing to do
    month = releases.last_complete_month()
    assert [m for m, _at in releases.months()] == [month]
    result = app.test_cli_runner().invoke(args=["stats", "release", "--month", month])
    assert result.exit_code != 0 and "exists already" in result.output
    result = app.test_cli_runner().invoke(args=["stats", "release", "--month", "2026-13"])
    assert result.exit_code != 0
