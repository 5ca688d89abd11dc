"""Differencing the public outputs never gives a hidden count away.

Over a generated population with many small groups: every hidden count of the open data
(CSV and JSON alike, which the dashboard renders) keeps at least two possible values given
the published total, the other rows, what the markers say and what Open311's public list
shows (its items bound counts from below); the total is the same figure in every table;
and no answer of the public list, under any filter, contains a group of fewer than 5."""

from __future__ import annotations

import csv
import io
import itertools
import random
from collections import Counter
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from grievance.cases.services import PersonData
from grievance.oversight import snapshots
from grievance.oversight.suppression import is_suppressed
from tests.oversight.helpers import T0, case_in, refresh

COUNTS = ("received", "resolved", "open", "overdue")
MARKERS = {"fewer than 5": (0, 4), "withheld": (5, 10**9)}
PROVINCES = ["KH-12"] * 30 + ["KH-3"] * 9 + ["KH-2"] * 6 + ["KH-8"] * 4 + ["KH-17", "KH-1"]
CATEGORIES = ["contributions"] * 25 + ["maternity"] * 12 + ["healthcare_quality"] * 8
STATES = ["closed"] * 5 + ["in_progress"] * 3 + ["submitted", "referred"]


def _generated(seed: int = 21) -> None:
    rng = random.Random(seed)
    for i in range(60):
        case_in(
            rng.choice(STATES),
            at=T0 + timedelta(days=rng.choice([0, 1, 2, 33, 34, 64]), hours=i % 5),
            province_code=rng.choice(PROVINCES),
            category_code=rng.choice(CATEGORIES),
            complainant=PersonData(sex=rng.choice(["female"] * 4 + ["male", "other"])),
            confidentiality="normal" if i % 9 else "confidential",
            overdue=i % 4 == 0,
        )
    for i in range(14):  # one busy group, so that the public list has cells to show
        case_in("closed" if i % 2 else "in_progress", at=T0 + timedelta(days=i % 3))
    refresh()


def _records(client: FlaskClient) -> list[dict[str, object]]:
    body = client.get("/accountability/data.json").get_json()
    text = client.get("/accountability/data.csv").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == len(body["records"])
    for row, record in zip(rows, body["records"], strict=True):
        assert row == {k: "" if v is None else str(v) for k, v in record.items()}
    records: list[dict[str, object]] = body["records"]
    return records


def _public_list(client: FlaskClient, query: str = "") -> list[dict[str, object]]:
    span = "start_date=2026-01-20T00:00:00Z&end_date=2026-04-19T00:00:00Z"
    items: list[dict[str, object]] = client.get(
        f"/open311/v2/requests.json?{span}&{query}"
    ).get_json()
    return items


def _bounds(shown: list[object], hidden_sum: int, lower: list[int]) -> list[tuple[int, int] | None]:
    """For each hidden row, the least and greatest value it can take given the others."""
    ranges = [
        (max(MARKERS[str(v)][0], low), MARKERS[str(v)][1]) if v in MARKERS else None
        for v, low in zip(shown, lower, strict=True)
    ]
    out: list[tuple[int, int] | None] = []
    for i, r in enumerate(ranges):
        if r is None:
            out.append(None)
            continue
        others = [x for j, x in enumerate(ranges) if x is not None and j != i]
        hi = min(r[1], hidden_sum - sum(lo for lo, _hi in others))
        lo = max(r[0], hidden_sum - sum(min(h, hidden_sum) for _lo, h in others))
        out.append((lo, hi))
    return out


def _demo(app: Flask) -> None:
    from grievance.seed.demo import seed_demo
    from grievance.seed.demo_paths import advance
    from grievance.sla.sweep import sweep

    seed_demo(app.instance_path, advance=advance)
    sweep()
    refresh()


def test_no_hidden_count_can_be_worked_out_from_the_public_outputs(client: FlaskClient) -> None:
    _generated()
    _check_counts(client, minimum_hidden=10)


@pytest.mark.slow  # seeds the 300-case demo
def test_the_demo_data_gives_nothing_away_either(app: Flask, client: FlaskClient) -> None:
    _demo(app)
    _check_counts(client, minimum_hidden=10)
    _check_public_list(client, ["", "status=open", "status=closed"])
    _check_forums(client)


def test_forum_pages_follow_the_dashboards_hiding(client: FlaskClient) -> None:
    from tests.factories import make_forum

    rng = random.Random(6)
    forums = [make_forum(p, T0.date(), title=f"Forum {p}") for p in ("KH-12", "KH-3", "KH-8")]
    for forum in forums:
        for _ in range({"KH-12": 14, "KH-3": 7, "KH-8": 3}[forum.province_code]):
            case_in(rng.choice(STATES), forum_id=forum.id, province_code=forum.province_code,
                    category_code=rng.choice(CATEGORIES))  # fmt: skip
    _generated()
    _check_forums(client)


def _check_forums(client: FlaskClient) -> None:
    """Every number a forum page shows lies in a province and type of problem whose
    dashboard counts are shown too, and is 5 or more; totals agree between list and page."""
    from grievance.oversight import figures, forum_followup

    with client.application.test_request_context():
        blocked = figures.blocked_groups(snapshots.figures(snapshots.latest()))
        summaries = forum_followup.forums()
        reports = {s.forum.id: forum_followup.report(s.forum.id) for s in summaries}
    shown_any = False
    for summary in summaries:
        report = reports[summary.forum.id]
        for name in ("listed", "resolved"):
            value = summary.cells[name]
            if not is_suppressed(value):
                assert value >= 5 and ("province", summary.forum.province_code) not in blocked
                shown_any = True
        assert is_suppressed(report.total["raised"]) == is_suppressed(summary.cells["listed"]), (
            report,
            summary,
        )
        for group in report.groups:
            for value in group.cells.values():
                if not is_suppressed(value):
                    assert value >= 5 and ("category", group.category_code) not in blocked
        page = client.get(f"/accountability/forums/{summary.forum.id}").get_data(as_text=True)
        assert page.count("<tr>") >= len(report.groups)
    assert shown_any or not summaries


def _check_counts(client: FlaskClient, minimum_hidden: int) -> None:
    records = _records(client)
    raw = snapshots.figures(snapshots.latest())
    items = _public_list(client)
    listed = {
        "province": Counter(str(i["address_id"]) for i in items),
        "category": Counter(str(i["service_code"]) for i in items),
        "month": Counter(str(i["requested_datetime"])[:7] for i in items),
    }
    totals = [r for r in records if r["key"] == "all"]
    hidden_anything = 0
    for dimension in ("month", "province", "category", "channel", "sex"):
        rows = [r for r in records if r["dimension"] == dimension]
        for column in COUNTS:
            shown = [r[column] for r in rows]
            true = [raw[dimension].get(str(r["key"]), {}).get(column, 0) for r in rows]
            for value, exact in zip(shown, true, strict=True):  # every marker tells the truth
                if value in MARKERS:
                    low, high = MARKERS[str(value)]
                    assert low <= exact <= high, (dimension, column, value, exact)
                    hidden_anything += 1
                else:
                    assert value == exact >= 5
            total = {str(t[column]) for t in totals}
            assert len(total) == 1, (dimension, column, total)  # one total everywhere
            if total & MARKERS.keys():
                continue
            hidden_sum = int(totals[0][column]) - sum(int(v) for v in shown if v not in MARKERS)  # type: ignore[call-overload]
            lower = [
                listed[dimension][str(r["key"])] if column == "received" and dimension in listed
                else 0
                for r in rows
            ]  # fmt: skip
            for row, value, bound in zip(
                rows, shown, _bounds(shown, hidden_sum, lower), strict=True
            ):
                if value == "fewer than 5":
                    assert bound is not None and bound[0] < bound[1], (dimension, column, row)
                    # Open311 lists nothing in a group whose count is hidden.
                    assert listed.get(dimension, Counter())[str(row["key"])] == 0
    assert hidden_anything > 10  # the population does exercise the rules


def test_no_filter_of_the_public_list_isolates_fewer_than_5_cases(client: FlaskClient) -> None:
    _generated()
    queries = ["", "status=open", "status=closed"] + [f"service_code={c}" for c in set(CATEGORIES)]
    assert _public_list(client)  # something is listed
    _check_public_list(client, queries)


def _check_public_list(client: FlaskClient, queries: list[str]) -> None:
    fields = ("address_id", "service_code", "requested_datetime", "status")
    answers = {q: _public_list(client, q) for q in queries}
    for query, items in answers.items():
        for size in range(1, len(fields) + 1):
            for chosen in itertools.combinations(fields, size):
                groups = Counter(tuple(str(i[f]) for f in chosen) for i in items)
                assert all(n >= 5 for n in groups.values()), (query, chosen, groups)
    # One filter minus another: the difference is whole groups too.
    everything = Counter(tuple(str(i[f]) for f in fields) for i in answers[""])
    for query, items in answers.items():
        part = Counter(tuple(str(i[f]) for f in fields) for i in items)
        rest = everything - part
        assert all(n >= 5 for n in rest.values()), query
