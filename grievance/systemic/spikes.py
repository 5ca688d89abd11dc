"""Weekly spike alerts: for each series (category x province, category x employer or
facility, channel), last week's count against a baseline of the 12 weeks before it.

The week is alerted when its count reaches the Poisson upper bound at 99 % of the
baseline's weekly mean and is at least 5 cases: on a steady series that is about one
alert per hundred series-weeks at most, and a small series never alerts on a handful.
The job runs on every scheduler tick but judges each week once per process; an alert is a
row unique per series and week, so a re-run (or a second worker) alerts nothing new. A
run reads one grouped count per series kind and week (39 indexed range scans): about
10 s at 1M cases (python -m bench.systemic_jobs).
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Select, func, select

from grievance import jobs, uow
from grievance.cases.models import Case, Category
from grievance.effects import StaffAlert, emit
from grievance.extensions import db, insert_unless_present
from grievance.systemic.clusters import parents
from grievance.systemic.models import CaseEntity, RegistryEntry, SpikeAlert
from grievance.types import utcnow

BASELINE_WEEKS = 12
MIN_BASELINE_WEEKS = 8
MIN_CASES = 5
LEVEL = 0.99
PHNOM_PENH = timedelta(hours=7)  # UTC+7 all year, no daylight saving


def poisson_bound(mean: float, level: float = LEVEL) -> int:
    """The smallest k with P(X >= k) <= 1 - level for X ~ Poisson(mean). Each term is
    computed in log space: for a weekly mean in the thousands (a whole channel), e^-mean
    alone underflows to zero."""
    if mean <= 0:
        return 1
    log_mean, cdf, k = math.log(mean), 0.0, 0
    while True:
        cdf += math.exp(k * log_mean - mean - math.lgamma(k + 1))
        if cdf >= level:
            return k + 1
        k += 1


@dataclass(frozen=True)
class Verdict:
    alert: bool
    baseline: float
    threshold: int


def judge(count: int, history: list[int]) -> Verdict | None:
    """Whether `count` is a spike over `history` (the weeks before, oldest first); None
    without enough history to judge."""
    history = history[-BASELINE_WEEKS:]
    if len(history) < MIN_BASELINE_WEEKS:
        return None
    mean = sum(history) / len(history)
    threshold = max(poisson_bound(mean), MIN_CASES)
    return Verdict(count >= threshold, mean, threshold)


def week_start(moment: datetime) -> date:
    """The Monday (Phnom Penh) of the week holding `moment`."""
    local = (moment.astimezone(UTC) + PHNOM_PENH).date()
    return local - timedelta(days=local.weekday())


def _bounds(monday: date) -> tuple[datetime, datetime]:
    start = datetime(monday.year, monday.month, monday.day, tzinfo=UTC) - PHNOM_PENH
    return start, start + timedelta(days=7)


def _week_counts(monday: date) -> dict[tuple[str, str], int]:
    start, end = _bounds(monday)
    when = (Case.created_at >= start, Case.created_at < end, Case.id.not_in(parents()))
    counts: dict[tuple[str, str], int] = {}
    queries: dict[str, Select[Any]] = {
        "category_province": select(Category.code, Case.province_code, func.count())
        .select_from(Case)
        .join(Category, Category.id == Case.category_id)
        .where(*when)
        .group_by(Category.code, Case.province_code),
        "category_employer": select(Category.code, RegistryEntry.code, func.count())
        .select_from(Case)
        .join(Category, Category.id == Case.category_id)
        .join(CaseEntity, CaseEntity.case_id == Case.id)
        .join(RegistryEntry, RegistryEntry.id == CaseEntity.entry_id)
        .where(*when)
        .group_by(Category.code, RegistryEntry.code),
        "channel": select(Case.channel, func.count()).where(*when).group_by(Case.channel),
    }
    for series, query in queries.items():
        for row in db.session.execute(query):
            key = "|".join(str(part) for part in row[:-1])
            counts[(series, key)] = int(row[-1])
    return counts


def _history_starts() -> date | None:
    first = db.session.scalar(select(func.min(Case.created_at)))
    return week_start(first) if first else None


def run(now: datetime | None = None) -> list[SpikeAlert]:
    """Judge last complete week; alert the new spikes. Returns the alerts written."""
    now = now or utcnow()
    week = week_start(now) - timedelta(days=7)
    first = _history_starts()
    if first is None:
        return []
    weeks = [week - timedelta(days=7 * n) for n in range(BASELINE_WEEKS, 0, -1)]
    weeks = [w for w in weeks if w >= first]
    if len(weeks) < MIN_BASELINE_WEEKS:
        return []
    current = _week_counts(week)
    done = set(
        db.session.execute(
            select(SpikeAlert.series, SpikeAlert.series_key).where(SpikeAlert.week == week)
        ).tuples()
    )
    wanted = {s: n for s, n in current.items() if n >= MIN_CASES and s not in done}
    if not wanted:
        return []
    history: dict[tuple[str, str], list[int]] = defaultdict(list)
    for past in weeks:
        counts = _week_counts(past)
        for one in wanted:
            history[one].append(counts.get(one, 0))
    written = []
    for (series, key), count in sorted(wanted.items()):
        verdict = judge(count, history[(series, key)])
        if verdict is None or not verdict.alert:
            continue
        alert = _record(series, key, week, count, verdict, now)
        if alert is not None:
            written.append(alert)
    return written


def _record(
    series: str, key: str, week: date, count: int, verdict: Verdict, now: datetime
) -> SpikeAlert | None:
    values = {
        "series": series,
        "series_key": key,
        "week": week,
        "count": count,
        "baseline": round(verdict.baseline, 2),
        "threshold": verdict.threshold,
        "created_at": now,
    }
    stmt = (
        insert_unless_present(SpikeAlert)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["series", "series_key", "week"])
        .returning(SpikeAlert.id)
    )
    alert_id = db.session.scalar(stmt)
    if alert_id is None:
        return None  # another run wrote it first
    province = key.split("|")[1] if series == "category_province" else None
    emit(
        StaffAlert(
            key=f"spike:{alert_id}",
            template="spike",
            roles=("supervisor", "oversight"),
            province_code=province,
            context={
                "week": week.isoformat(),
                "count": count,
                "label": key.replace("|", ", "),
                "baseline": f"{verdict.baseline:.1f}",
                "threshold": verdict.threshold,
            },
        )
    )
    return db.session.get(SpikeAlert, alert_id)


# The last week this process judged and committed: the job runs on every scheduler tick,
# and a week is judged again only by a new process (the alert rows keep that harmless).
_judged: dict[str, date] = {}


@jobs.job(queue="default")
def spike_job() -> int:
    now = utcnow()
    week = week_start(now) - timedelta(days=7)
    if _judged.get("week") == week:
        return 0
    written = len(run(now))
    uow.after_commit(lambda: _judged.update(week=week))
    return written
