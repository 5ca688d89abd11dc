"""Clock effects are derived from the states' clock sets."""

from __future__ import annotations

from tests.workflows.helpers import actor, full_inputs, passing_facts
from workflows import WORKFLOWS, Step, initial_effects, plan
from workflows.model import clock

G = WORKFLOWS["grievance"]


def step(name: str, state: str, role: str = "supervisor") -> Step:
    t = G.transition(name)
    return plan(G, passing_facts(t, state), actor(role), name, full_inputs())


def test_filing_starts_both_clocks() -> None:
    assert initial_effects(G) == (clock("acknowledge", "start"), clock("resolve", "start"))


def test_acknowledge_stops_the_acknowledge_clock_only() -> None:
    assert step("acknowledge", "submitted").effects_of("clock") == (clock("acknowledge", "stop"),)


def test_waiting_for_the_complainant_pauses_and_resumes_resolve() -> None:
    assert step("request_information", "in_progress").effects_of("clock") == (
        clock("resolve", "pause"),
    )
    assert step("provide_information", "awaiting_complainant", "complainant").effects_of(
        "clock"
    ) == (clock("resolve", "resume"),)
    assert step("resume_work", "awaiting_complainant").effects_of("clock") == (
        clock("resolve", "resume"),
    )


def test_closing_or_leaving_stops_resolve() -> None:
    assert step("propose_resolution", "in_progress").effects_of("clock") == (
        clock("resolve", "stop"),
    )
    assert step("uphold_resolution", "appealed").effects_of("clock") == (clock("resolve", "stop"),)
    assert step("withdraw", "awaiting_complainant", "complainant").effects_of("clock") == (
        clock("resolve", "stop"),
    )


def test_appeal_restarts_resolve() -> None:
    assert step("appeal", "closed", "complainant").effects_of("clock") == (
        clock("resolve", "start"),
    )


def test_staying_put_touches_no_clock() -> None:
    assert step("reassign", "awaiting_complainant").effects_of("clock") == ()
    assert step("escalate", "escalated").effects_of("clock") == ()


def test_explicit_effects_come_first() -> None:
    s = step("acknowledge", "submitted")
    assert [e.kind for e in s.effects] == ["notify", "set_timestamp", "clock"]
