"""Facts, actors and inputs that make every guard of a transition pass."""

from __future__ import annotations

from workflows import Actor, Facts, Transition
from workflows.model import INPUTS

ACTOR_ID = 7
OTHER_OFFICER = 99
CASE_ID = 1
REFERENCE = "G7K2-QX"


def actor(*roles: str, id: int | None = ACTOR_ID) -> Actor:
    return Actor(id=id, roles=frozenset(roles))


def passing_facts(t: Transition, state: str, **overrides: object) -> Facts:
    values: dict[str, object] = {
        "state": state,
        "case_id": CASE_ID,
        "reference": REFERENCE,
        "assignee_id": ACTOR_ID,
        "resolved_by_id": OTHER_OFFICER,
        "acknowledged": "not_acknowledged" not in t.guards,
        "appeal_window_open": True,
        "auto_close_due": True,
    }
    values.update(overrides)
    return Facts(**values)  # type: ignore[arg-type]


def full_inputs(**overrides: object) -> dict[str, object]:
    values: dict[str, object] = {name: f"some {name}" for name in INPUTS}
    values.update(assignee_id=3, merged_into="G9AA-ZZ", rating=4)
    values.update(overrides)
    return values
