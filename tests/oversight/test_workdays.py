"""Working days computed in SQL (the working-day index) equal the SLA calendar's."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

import pytest

from grievance.extensions import db
from grievance.oversight import exports, workdays
from grievance.oversight.exports import Filters
from grievance.sla.clocks import working_calendar
from grievance.sla.models import Closure
from tests.oversight.helpers import case_in

LOCAL = timedelta(hours=7)


def local(y: int, m: int, d: int, hh: int, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=UTC) - LOCAL


SAMPLES = [
    # (province, filed, acknowledged)
    ("KH-12", local(2026, 3, 6, 16), local(2026, 3, 9, 9)),  # over a weekend
    ("KH-12", local(2026, 3, 7, 20), local(2026, 3, 9, 8, 30)),  # filed on Saturday night
    ("KH-12", local(2026, 3, 10, 6), local(2026, 3, 10, 7)),  # both before opening
    ("KH-12", local(2026, 4, 10, 10), local(2026, 4, 20, 10)),  # over Khmer New Year
    ("KH-12", local(2026, 3, 18, 10), local(2026, 3, 20, 10)),  # over a Phnom Penh closure
    ("KH-3", local(2026, 3, 18, 10), local(2026, 3, 20, 10)),  # the same days elsewhere
    ("KH-3", local(2026, 3, 11, 17), local(2026, 3, 11, 23)),  # after closing
]


@pytest.fixture
def closure() -> None:
    db.session.add(
        Closure(
            start_date=date(2026, 3, 19),
            end_date=date(2026, 3, 19),
            provinces=["KH-12"],
            reason="flood",
        )
    )
    db.session.flush()


def _random_samples(n: int) -> list[tuple[str, datetime, datetime]]:
    rng = random.Random(8)
    start = local(2025, 12, 20, 0)
    out = []
    for _ in range(n):
        filed = start + timedelta(minutes=rng.randrange(0, 60 * 24 * 120))
        acked = filed + timedelta(minutes=rng.randrange(0, 60 * 24 * 25))
        out.append((rng.choice(["KH-12", "KH-3", "KH-17"]), filed, acked))
    return out


def test_sql_working_days_match_the_calendar(closure: None) -> None:
    samples = SAMPLES + _random_samples(25)
    refs = {}
    for province, filed, acked in samples:
        case = case_in(
            "closed",
            at=filed,
            province_code=province,
            acknowledged_at=acked,
            resolution_proposed_at=acked + timedelta(days=3),
            closed_at=acked + timedelta(days=20),
        )
        refs[case.reference] = (province, filed, acked)
    cal = working_calendar()
    workdays.ensure(cal)
    got = {row[0]: row for row in exports.rows(Filters())}
    ack_col = exports.CODES.index("working_days_to_acknowledge")
    resolve_col = exports.CODES.index("working_days_to_resolve")
    for ref, (province, filed, acked) in refs.items():
        expected_ack = cal.working_days_between(filed, acked, province)
        expected_res = cal.working_days_between(filed, acked + timedelta(days=3), province)
        assert got[ref][ack_col] == pytest.approx(expected_ack, abs=1e-4), (province, filed, acked)
        assert got[ref][resolve_col] == pytest.approx(expected_res, abs=1e-4)


def test_the_index_is_rebuilt_only_when_the_calendar_changes(closure: None) -> None:
    assert workdays.ensure() in (True, False)
    assert workdays.ensure() is False
    db.session.add(Closure(start_date=date(2026, 5, 4), end_date=date(2026, 5, 4), reason="storm"))
    db.session.flush()
    assert workdays.ensure() is True
