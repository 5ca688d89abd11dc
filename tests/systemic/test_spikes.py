"""Weekly spike alerts: a Poisson upper bound at 99 % over a 12-week baseline, at least 5
cases; once per series and week."""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from grievance.extensions import db
from grievance.systemic import spikes
from grievance.systemic.models import SpikeAlert
from notifications.models import Notification
from tests.factories import make_case, make_user


def poisson(rng: random.Random, mean: float) -> int:
    limit, k, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        k += 1
        product *= rng.random()
    return k


def alerted_weeks(series: list[int]) -> list[int]:
    """The weeks (1-based) a series alerts in, each judged on the weeks before it."""
    found = []
    for week in range(1, len(series)):
        verdict = spikes.judge(series[week], series[:week])
        if verdict is not None and verdict.alert:
            found.append(week + 1)
    return found


def test_the_poisson_bound() -> None:
    assert spikes.poisson_bound(4.0) == 10  # P(X >= 10 | 4) = 0.008, P(X >= 9) = 0.021
    assert spikes.poisson_bound(0.0) == 1
    assert spikes.judge(4, [0] * 12) == spikes.Verdict(False, 0.0, 5)  # at least 5 cases
    assert spikes.judge(40, [4] * 7) is None  # under 8 weeks of history: no judgement


def test_a_fourfold_spike_in_week_10_alerts_in_week_10() -> None:
    rng = random.Random(10)
    caught = 0
    for _ in range(100):  # Poisson(16) falls under the bound of 10 about 2 % of the time
        series = [poisson(rng, 4) for _ in range(12)]
        series[9] = poisson(rng, 16)
        caught += 10 in alerted_weeks(series)
    assert caught >= 95
    series = [4, 3, 5, 4, 6, 2, 4, 5, 3, 16, 4, 3]
    assert alerted_weeks(series) == [10]


def test_stationary_series_alert_under_1_5_times_per_100_series_weeks() -> None:
    rng = random.Random(2026)
    alerts = judged = 0
    for mean in [4.0] * 50 + [10.0] * 50:
        series = [poisson(rng, mean) for _ in range(52)]
        alerts += len(alerted_weeks(series))
        judged += 52 - spikes.MIN_BASELINE_WEEKS
    assert alerts / judged * 100 < 1.5


def test_the_job_alerts_a_spike_once_and_tells_oversight() -> None:
    make_user("oversight")
    now = datetime(2026, 6, 17, 3, tzinfo=UTC)  # a Wednesday
    last_monday = datetime(2026, 6, 8, 2, tzinfo=UTC)  # 09:00 in Phnom Penh
    for weeks_back in range(1, 13):
        for n in range(weeks_back % 3 + 1):  # 1 to 3 a week
            make_case(at=last_monday - timedelta(weeks=weeks_back, hours=-n))
    for n in range(12):
        make_case(at=last_monday + timedelta(hours=n))
    written = spikes.run(now)
    keys = {(a.series, a.series_key) for a in written}
    assert ("category_province", "contributions|KH-12") in keys
    assert ("channel", "web") in keys
    [alert] = [a for a in written if a.series == "category_province"]
    assert alert.week.isoformat() == "2026-06-08" and alert.count == 12
    rows = db.session.scalar(select(func.count()).where(Notification.template == "spike"))
    assert rows == len(written)  # one in-app message each for the oversight user
    assert spikes.run(now) == [] and spikes.run(now + timedelta(days=1)) == []
    assert db.session.scalar(select(func.count()).select_from(SpikeAlert)) == len(written)
    assert db.session.scalar(select(func.count()).where(Notification.template == "spike")) == rows


def test_the_alerts_page_lists_them_for_oversight(client, auth) -> None:  # type: ignore[no-untyped-def]
    db.session.add(
        SpikeAlert(
            series="category_province",
            series_key="contributions|KH-12",
            week=datetime(2026, 6, 8).date(),
            count=12,
            baseline=2.0,
            threshold=6,
        )
    )
    auth.login("oversight")
    page = client.get("/systemic/alerts").get_data(as_text=True)
    assert "Contributions not paid or wrongly deducted" in page and "2026-06-08" in page


def test_the_bound_holds_for_large_series_too() -> None:
    # A whole channel can count thousands a week: e^-mean underflows, the bound must not.
    assert 3000 + 2.2 * 3000**0.5 < spikes.poisson_bound(3000.0) < 3000 + 2.5 * 3000**0.5
    assert spikes.poisson_bound(100.0) == 125  # P(X >= 125 | 100) = 0.0088, >= 124: 0.0112


def test_the_periodic_job_judges_a_week_once_per_process(jobs_in_process) -> None:  # type: ignore[no-untyped-def]
    from grievance import uow

    spikes._judged.clear()
    calls = []
    original = spikes.run
    try:
        spikes.run = lambda now=None: calls.append(now) or []  # type: ignore[assignment]
        assert spikes.spike_job() == 0
        uow.checkpoint()
        assert spikes.spike_job() == 0
        assert len(calls) == 1
    finally:
        spikes.run = original  # type: ignore[assignment]
        spikes._judged.clear()
