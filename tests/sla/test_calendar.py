"""Working-time calendar: Cambodian holidays, office hours, closures, pauses."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from grievance.sla.calendar import PHNOM_PENH, Closure, WorkingCalendar

CAL = WorkingCalendar()


def pp(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A Phnom Penh wall-clock time."""
    return datetime(year, month, day, hour, minute, tzinfo=PHNOM_PENH)


def as_local(value: datetime) -> datetime:
    assert value.tzinfo is UTC
    return value.astimezone(PHNOM_PENH)


# -- deadlines across weekends and holidays ------------------------------------


def test_acknowledge_deadline_skips_water_festival() -> None:
    # Friday 16:00, 2 working days = 20 h: 1.5 h Friday, Water Festival Mon-Wed,
    # 10 h Thursday, 8.5 h Friday.
    due = CAL.add_working_time(pp(2026, 11, 20, 16), days=2)
    assert due == pp(2026, 11, 27, 16)
    assert due == datetime(2026, 11, 27, 9, tzinfo=UTC)
    assert due.tzinfo is UTC


def test_one_working_day_over_a_weekend() -> None:
    assert as_local(CAL.add_working_time(pp(2026, 11, 13, 16), days=1)) == pp(2026, 11, 16, 16)


def test_deadline_exactly_at_close_is_that_day() -> None:
    assert as_local(CAL.add_working_time(pp(2026, 11, 16, 7, 30), days=1)) == pp(
        2026, 11, 16, 17, 30
    )
    assert as_local(CAL.add_working_time(pp(2026, 11, 16, 16), hours=1.5)) == pp(
        2026, 11, 16, 17, 30
    )


@pytest.mark.parametrize(
    ("filed", "hours", "expected"),
    [
        (pp(2026, 11, 13, 20), 1, pp(2026, 11, 16, 8, 30)),  # Friday evening
        (pp(2026, 11, 13, 20), 0, pp(2026, 11, 16, 7, 30)),
        (pp(2026, 11, 14, 10), 10, pp(2026, 11, 16, 17, 30)),  # Saturday
        (pp(2026, 11, 23, 10), 2, pp(2026, 11, 26, 9, 30)),  # Water Festival
        (pp(2026, 11, 26, 6), 1, pp(2026, 11, 26, 8, 30)),  # before opening
        (datetime(2026, 11, 13, 13, tzinfo=UTC), 1, pp(2026, 11, 16, 8, 30)),
    ],
)
def test_filing_outside_hours_starts_next_working_morning(
    filed: datetime, hours: float, expected: datetime
) -> None:
    assert as_local(CAL.add_working_time(filed, hours=hours)) == expected


def test_working_time_between() -> None:
    assert CAL.working_seconds_between(pp(2026, 11, 13, 16), pp(2026, 11, 16, 16)) == 36000
    assert CAL.working_days_between(pp(2026, 11, 20, 16), pp(2026, 11, 27, 16)) == 2
    assert CAL.working_seconds_between(pp(2026, 11, 16, 16), pp(2026, 11, 13, 16)) == 0
    assert CAL.working_seconds_between(pp(2026, 11, 14, 8), pp(2026, 11, 15, 17)) == 0


def test_due_and_risk() -> None:
    due, at_risk = CAL.due_and_risk(pp(2026, 11, 20, 16), days=2)
    assert due == pp(2026, 11, 27, 16)
    # 75 % of 20 h = 15 h: 1.5 h Friday, 10 h Thursday, 3.5 h on Friday 27th.
    assert at_risk == pp(2026, 11, 27, 11)
    assert at_risk.tzinfo is UTC
    with pytest.raises(ValueError):
        CAL.due_and_risk(pp(2026, 11, 20, 16), days=2, risk_fraction=1.5)


# -- calendar ------------------------------------------------------------------


def test_working_days() -> None:
    assert CAL.is_working_day(date(2026, 11, 20))
    assert not CAL.is_working_day(date(2026, 11, 21))  # Saturday
    assert not CAL.is_working_day(date(2026, 11, 22))  # Sunday
    assert not CAL.is_working_day(date(2026, 11, 24))  # Water Festival


def test_holiday_names_in_khmer_and_english() -> None:
    assert CAL.holiday_name(date(2026, 11, 23)) == "Water Festival"
    assert CAL.holiday_name(date(2026, 11, 23), "en") == "Water Festival"
    assert CAL.holiday_name(date(2026, 11, 23), "km") == "ព្រះរាជពិធីបុណ្យអុំទូក បណ្តែតប្រទីប និងសំពះព្រះខែអកអំបុក"
    assert CAL.holiday_name(date(2026, 4, 14), "km") == "ពិធីបុណ្យចូលឆ្នាំថ្មីប្រពៃណីជាតិ"
    assert CAL.holiday_name(date(2026, 11, 20)) is None
    with pytest.raises(ValueError):
        CAL.holiday_name(date(2026, 11, 23), "fr")


def test_provincial_closure_moves_only_that_province() -> None:
    flood = Closure(date(2026, 11, 16), date(2026, 11, 16), frozenset({"KH-12"}), "flood")
    cal = WorkingCalendar(closures=(flood,))
    start = pp(2026, 11, 13, 16)
    assert not cal.is_working_day(date(2026, 11, 16), "KH-12")
    assert cal.is_working_day(date(2026, 11, 16), "KH-1")
    assert cal.is_working_day(date(2026, 11, 16))
    assert cal.add_working_time(start, days=1, province="KH-12") == pp(2026, 11, 17, 16)
    assert cal.add_working_time(start, days=1, province="KH-1") == pp(2026, 11, 16, 16)
    assert cal.add_working_time(start, days=1) == pp(2026, 11, 16, 16)


def test_nationwide_closure_moves_all() -> None:
    storm = Closure(date(2026, 11, 16), date(2026, 11, 17), None, "storm")
    cal = WorkingCalendar(closures=(storm,))
    start = pp(2026, 11, 13, 16)
    for province in (None, "KH-12", "KH-1"):
        assert cal.add_working_time(start, days=1, province=province) == pp(2026, 11, 18, 16)


def test_closure_validation() -> None:
    with pytest.raises(ValueError):
        Closure(date(2026, 11, 17), date(2026, 11, 16), None, "backwards")
    with pytest.raises(ValueError):
        Closure(date(2026, 11, 16), date(2026, 11, 16), frozenset(), "nowhere")


def test_custom_office_hours() -> None:
    cal = WorkingCalendar(day_start=time(8), day_end=time(16))
    assert cal.day_seconds == 8 * 3600
    assert cal.add_working_time(pp(2026, 11, 13, 15), days=1) == pp(2026, 11, 16, 15)
    with pytest.raises(ValueError):
        WorkingCalendar(day_start=time(17), day_end=time(8))


# -- pauses --------------------------------------------------------------------


def test_pause_moves_resolve_deadline_by_paused_working_time() -> None:
    filed = pp(2026, 11, 2, 9)
    due = CAL.add_working_time(filed, days=20)
    # Nov 9 (Independence Day) and Nov 23-25 (Water Festival) are skipped.
    assert due == pp(2026, 12, 4, 9)
    # Awaiting the complainant Tue 10:00 -> Fri 10:00: exactly 3 working days.
    new_due = CAL.shift_for_pause(due, pp(2026, 11, 10, 10), pp(2026, 11, 13, 10))
    assert new_due == pp(2026, 12, 9, 9)
    assert CAL.working_days_between(due, new_due) == 3


def test_pause_over_a_weekend_changes_nothing() -> None:
    due = pp(2026, 11, 20, 17, 30)
    assert CAL.shift_for_pause(due, pp(2026, 11, 21, 9), pp(2026, 11, 22, 9)) == due


# -- guards --------------------------------------------------------------------


def test_naive_datetimes_rejected() -> None:
    naive = datetime(2026, 11, 20, 16)
    aware = pp(2026, 11, 20, 16)
    with pytest.raises(ValueError, match="timezone-aware"):
        CAL.add_working_time(naive, days=1)
    with pytest.raises(ValueError):
        CAL.working_seconds_between(naive, aware)
    with pytest.raises(ValueError):
        CAL.working_days_between(aware, naive)
    with pytest.raises(ValueError):
        CAL.due_and_risk(naive, days=2)
    with pytest.raises(ValueError):
        CAL.shift_for_pause(aware, naive, aware)


@pytest.mark.parametrize(("days", "hours"), [(-1, 0), (0, float("nan")), (3661, 0), (0, 36601)])
def test_bad_amounts_rejected(days: float, hours: float) -> None:
    with pytest.raises(ValueError):
        CAL.add_working_time(pp(2026, 11, 20, 16), days=days, hours=hours)


def test_long_spans_are_bounded_and_cheap() -> None:
    start = pp(2026, 1, 5, 9)
    end = CAL.add_working_time(start, days=3660)
    assert CAL.working_days_between(start, end) == pytest.approx(3660)
    with pytest.raises(ValueError):
        CAL.working_seconds_between(start, start + timedelta(days=10_000))


# -- properties ----------------------------------------------------------------

PROP_CAL = WorkingCalendar(
    closures=(
        Closure(date(2026, 3, 2), date(2026, 3, 4), None, "nationwide"),
        Closure(date(2026, 6, 1), date(2026, 6, 12), frozenset({"KH-12"}), "flood"),
    )
)
moments = st.datetimes(
    min_value=datetime(2025, 12, 1),
    max_value=datetime(2026, 12, 31),
    timezones=st.sampled_from([PHNOM_PENH, UTC]),
)
amounts = st.floats(min_value=0, max_value=500, allow_nan=False, allow_infinity=False)
provinces = st.sampled_from([None, "KH-12", "KH-1"])


@given(moments, amounts, provinces)
def test_add_then_measure_is_identity(start: datetime, hours: float, province: str | None) -> None:
    end = PROP_CAL.add_working_time(start, hours=hours, province=province)
    measured = PROP_CAL.working_seconds_between(start, end, province)
    assert measured == pytest.approx(hours * 3600, abs=1)


@given(moments, amounts, amounts, provinces)
def test_more_time_never_gives_an_earlier_deadline(
    start: datetime, h1: float, h2: float, province: str | None
) -> None:
    lo, hi = sorted((h1, h2))
    assert PROP_CAL.add_working_time(
        start, hours=lo, province=province
    ) <= PROP_CAL.add_working_time(start, hours=hi, province=province)


@given(moments, moments, amounts)
def test_later_start_never_gives_an_earlier_deadline(a: datetime, b: datetime, h: float) -> None:
    first, second = sorted((a, b))
    assert PROP_CAL.add_working_time(first, hours=h) <= PROP_CAL.add_working_time(second, hours=h)


@given(moments, amounts, st.floats(0, 30), provinces)
def test_results_fall_inside_working_hours(
    start: datetime, hours: float, days: float, province: str | None
) -> None:
    due = PROP_CAL.add_working_time(start, days=days, hours=hours, province=province)
    assert due.tzinfo is UTC
    local = due.astimezone(PHNOM_PENH)
    assert PROP_CAL.day_start <= local.time() <= PROP_CAL.day_end
    assert PROP_CAL.is_working_day(local.date(), province)
