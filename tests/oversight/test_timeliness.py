"""'Handled within the deadline' counts open cases already past their deadline, and a
breached deadline stays breached; the same for acknowledgement. Expectations computed by
hand from the fixture."""

from __future__ import annotations

from datetime import timedelta

from flask.testing import FlaskClient

from grievance.extensions import db
from grievance.oversight import snapshots
from grievance.sla.models import SlaMark
from grievance.types import utcnow
from tests.oversight.helpers import T0, case_in, refresh

DUE = T0 + timedelta(days=10)
ACK_DUE = T0 + timedelta(days=1)


def _fixture() -> None:
    later = utcnow() + timedelta(days=10)
    on_time = {"acknowledged_at": T0 + timedelta(hours=1), "ack_due_at": ACK_DUE}
    for _ in range(6):  # A: resolved on time, acknowledged on time
        case_in("closed", resolve_due_at=DUE, resolution_proposed_at=T0 + timedelta(days=2),
                closed_at=T0 + timedelta(days=8), **on_time)  # fmt: skip
    for _ in range(2):  # B: resolved late, acknowledged late
        case_in("closed", resolve_due_at=DUE, resolution_proposed_at=T0 + timedelta(days=20),
                closed_at=T0 + timedelta(days=25), acknowledged_at=T0 + timedelta(days=3),
                ack_due_at=ACK_DUE)  # fmt: skip
    for _ in range(3):  # C: open, past both deadlines, never acknowledged
        case_in("submitted", resolve_due_at=DUE, ack_due_at=ACK_DUE, acknowledged_at=None,
                overdue=True)  # fmt: skip
    for _ in range(4):  # D: open, neither deadline reached yet
        case_in("submitted", resolve_due_at=later, ack_due_at=later, acknowledged_at=None)
    # E: waiting for the complainant (clock paused): not judged on resolving yet.
    case_in("awaiting_complainant", resolve_due_at=DUE, paused_at=T0 + timedelta(days=3),
            **on_time)  # fmt: skip
    # F: breached, escalated, then answered before the restarted deadline: still late.
    late = case_in("closed", resolve_due_at=DUE, resolution_proposed_at=T0 + timedelta(days=5),
                   closed_at=T0 + timedelta(days=9), **on_time)  # fmt: skip
    db.session.add(SlaMark(case_id=late.id, clock="resolve", kind="breach", level=0,
                           deadline_version=0, due_at=T0 + timedelta(days=4)))  # fmt: skip
    db.session.flush()


def test_open_cases_past_their_deadline_count_against_the_share() -> None:
    _fixture()
    refresh()
    total = snapshots.figures(snapshots.latest())["all"]["all"]
    # Judged: A 6 + B 2 + F 1 resolved with a deadline, C 3 open and late = 12 (D, E not
    # yet). Within: A 6 only (F was breached).
    assert (total["due_n"], total["within_sla"]) == (12, 6)
    # Acknowledgement judged: A 6 + B 2 + C 3 + E 1 + F 1 = 13; on time: A 6 + E 1 + F 1.
    assert (total["ack_due_n"], total["ack_on_time"]) == (13, 8)


def test_the_share_is_published_as_computed_by_hand(client: FlaskClient) -> None:
    _fixture()
    refresh()
    body = client.get("/accountability/data.json").get_json()
    total = next(r for r in body["records"] if r["dimension"] == "all")
    assert total["within_sla_pct"] == 50.0  # the old definition said 6 / 9 = 66.7
    assert total["overdue"] == "fewer than 5"  # C: 3
    page = client.get("/accountability?lang=en").get_data(as_text=True)
    assert "Handled within the deadline" in page and "50%" in page
