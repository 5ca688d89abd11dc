"""Small-cell suppression: pure rules, no app."""

from __future__ import annotations

import itertools

from grievance.oversight.suppression import (
    FEWER_THAN_5,
    TOO_FEW,
    WITHHELD,
    Derived,
    cell_allowed,
    for_export,
    hidden_groups,
    is_suppressed,
    suppress,
)

COUNTS = ("received",)
SHARE = (Derived("share", "received"),)


def test_counts_below_five_are_fewer_than_5_and_larger_ones_kept() -> None:
    rows = [{"received": 4}, {"received": 0}, {"received": 12}, {"received": 30}]
    out, total = suppress(rows, {"received": 46}, COUNTS, ())
    assert [r["received"] for r in out] == [FEWER_THAN_5, FEWER_THAN_5, 12, 30]
    assert total["received"] == 46


def test_a_lone_small_cell_takes_the_next_smallest_with_it_marked_withheld() -> None:
    # 46 - 12 - 30 would give the 4 away: 12 must be hidden as well, and it is not "fewer
    # than 5".
    rows = [{"received": 4}, {"received": 12}, {"received": 30}]
    out, total = suppress(rows, {"received": 46}, COUNTS, ())
    assert [r["received"] for r in out] == [FEWER_THAN_5, WITHHELD, 30]
    assert total["received"] == 46


def test_every_marker_tells_the_truth_and_no_column_has_one_hidden_member() -> None:
    for values in itertools.product([0, 3, 5, 9, 40], repeat=3):
        rows = [{"received": v} for v in values]
        out, total = suppress(rows, {"received": sum(values)}, COUNTS, ())
        members = [*out, total]
        raw = [*values, sum(values)]
        assert sum(1 for c in members if is_suppressed(c["received"])) != 1, values
        for cell, true in zip(members, raw, strict=True):
            if cell["received"] is FEWER_THAN_5:
                assert true < 5, values
            elif cell["received"] is WITHHELD:
                assert true >= 5, values
            else:
                assert cell["received"] == true >= 5, values
        # Total minus the shown rows never pins a single hidden row down.
        hidden = [i for i, c in enumerate(out) if is_suppressed(c["received"])]
        assert len(hidden) != 1 or is_suppressed(total["received"]), values


def _feasible(shown: list[object], total: object, hidden_sum: int) -> list[set[int]]:
    """By brute force: every value each hidden row can take, given the markers and the sum
    of the hidden rows (total minus the shown ones)."""
    hidden = [i for i, v in enumerate(shown) if is_suppressed(v)]
    ranges = [range(5) if shown[i] is FEWER_THAN_5 else range(5, hidden_sum + 1) for i in hidden]
    values: list[set[int]] = [set() for _ in shown]
    for combo in itertools.product(*ranges):
        if sum(combo) == hidden_sum:
            for i, v in zip(hidden, combo, strict=True):
                values[i].add(v)
    return values


def test_no_hidden_count_can_be_worked_out_from_the_markers_and_the_total() -> None:
    for values in itertools.product([0, 1, 4, 5, 6, 9, 40], repeat=4):
        rows = [{"received": v} for v in values]
        out, total = suppress(rows, {"received": sum(values)}, COUNTS, ())
        shown = [r["received"] for r in out]
        if is_suppressed(total["received"]):
            continue  # every row is hidden and below 5: nothing to subtract from
        hidden_sum = sum(values) - sum(v for v in shown if not is_suppressed(v))
        for i, feasible in enumerate(_feasible(shown, total, hidden_sum)):
            if shown[i] is FEWER_THAN_5:
                assert len(feasible) >= 2, (values, shown)


def test_derived_figures_need_five_cases_behind_them_and_say_too_few() -> None:
    rows = [{"received": 4, "share": 100.0}, {"received": 20, "share": 55.0}]
    out, _total = suppress(rows, {"received": 24, "share": 62.5}, COUNTS, SHARE)
    assert out[0]["share"] is TOO_FEW
    assert out[1]["share"] == 55.0


def test_inputs_are_not_changed_and_export_markers_are_text() -> None:
    rows = [{"received": 2}]
    suppress(rows, {"received": 2}, COUNTS, ())
    assert rows == [{"received": 2}]
    assert for_export(FEWER_THAN_5) == "fewer than 5"
    assert for_export(WITHHELD) == "withheld"
    assert for_export(TOO_FEW) == "too few cases"
    assert for_export(7) == 7


def test_a_listing_leaves_out_small_groups_and_groups_a_breakdown_hides() -> None:
    out, _total = suppress(
        [{"received": 4, "open": 9}, {"received": 12, "open": 9}, {"received": 30, "open": 9}],
        {"received": 46, "open": 27},
        ("received", "open"),
        (),
    )
    blocked = {("province", k) for k in hidden_groups(zip("abc", out), ("received", "open"))}
    assert blocked == {("province", "a"), ("province", "b")}
    assert cell_allowed(5, [("province", "c")], blocked)
    assert not cell_allowed(4, [("province", "c")], blocked)
    assert not cell_allowed(9, [("province", "b")], blocked)
