"""Small-cell suppression: pure rules, no app."""

from __future__ import annotations

from grievance.oversight.suppression import (
    FEWER_THAN_5,
    SUPPRESSED,
    Derived,
    for_export,
    suppress,
)

COUNTS = ("received",)
SHARE = (Derived("share", "received"),)


def test_counts_below_five_are_withheld_and_larger_ones_kept() -> None:
    rows = [{"received": 4}, {"received": 0}, {"received": 12}, {"received": 30}]
    out, total = suppress(rows, {"received": 46}, COUNTS, ())
    assert [r["received"] for r in out] == [SUPPRESSED, SUPPRESSED, 12, 30]
    assert total["received"] == 46


def test_a_lone_small_cell_takes_the_next_smallest_with_it() -> None:
    # 46 - 12 - 30 would give the 4 away: 12 must be withheld as well.
    rows = [{"received": 4}, {"received": 12}, {"received": 30}]
    out, total = suppress(rows, {"received": 46}, COUNTS, ())
    assert [r["received"] for r in out] == [SUPPRESSED, SUPPRESSED, 30]
    assert total["received"] == 46


def test_no_column_ever_has_exactly_one_withheld_member() -> None:
    import itertools

    for values in itertools.product([0, 3, 5, 9, 40], repeat=3):
        rows = [{"received": v} for v in values]
        out, total = suppress(rows, {"received": sum(values)}, COUNTS, ())
        withheld = sum(1 for c in [*out, total] if c["received"] is SUPPRESSED)
        assert withheld != 1, values


def test_derived_figures_need_five_cases_behind_them() -> None:
    rows = [{"received": 4, "share": 100.0}, {"received": 20, "share": 55.0}]
    out, _total = suppress(rows, {"received": 24, "share": 62.5}, COUNTS, SHARE)
    assert out[0]["share"] is SUPPRESSED
    assert out[1]["share"] == 55.0


def test_inputs_are_not_changed_and_export_marker_is_text() -> None:
    rows = [{"received": 2}]
    suppress(rows, {"received": 2}, COUNTS, ())
    assert rows == [{"received": 2}]
    assert for_export(SUPPRESSED) == FEWER_THAN_5 == "fewer than 5"
    assert for_export(7) == 7
