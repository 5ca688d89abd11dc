"""The supervisor's inbox: escalations, appeals, rejections with the officer's reason beside
Approve and Refuse, queues nobody staffs, officers over capacity; her provinces only."""

from __future__ import annotations

from flask.testing import FlaskClient

from grievance.cases import transitions
from grievance.cases.models import Case
from grievance.extensions import db
from tests.conftest import Auth, csrf_from
from tests.factories import make_case, make_user
from tests.queues.helpers import SUPERVISOR, acknowledged_case, join, make_queue, reload

REASON = "The employer is a sole trader outside NSSF coverage."


def _working(province: str = "KH-12") -> tuple[Case, object]:
    officer = make_user("officer", sex="female", name=f"Officer {province}")
    join(officer, "office-kh-12")
    case = acknowledged_case(province_code=province)
    transitions.apply(case, "assign", SUPERVISOR, {"assignee_id": officer.id})
    transitions.apply(case, "start_work", transitions.actor_for(officer))
    return case, officer


def test_the_inbox_shows_what_waits_in_her_provinces(client: FlaskClient, auth: Auth) -> None:
    auth.login("supervisor", province="KH-12")
    escalated, _ = _working()
    transitions.apply(escalated, "escalate", SUPERVISOR, {"reason": "Overdue"})
    far, _ = _working("KH-17")
    transitions.apply(far, "escalate", SUPERVISOR, {"reason": "Overdue"})
    rejected, officer = _working()
    transitions.apply(
        rejected, "propose_rejection", transitions.actor_for(officer), {"reason": REASON}
    )
    empty = make_queue("kh12-night", position=999, province_code="KH-12")
    waiting = make_case().case
    waiting.queue_id = empty.id
    busy = make_user("officer", name="Overloaded Officer", capacity=1)
    for _ in range(2):
        transitions.apply(acknowledged_case(), "assign", SUPERVISOR, {"assignee_id": busy.id})
    db.session.flush()

    page = client.get("/workspace/inbox?lang=en").get_data(as_text=True)

    assert escalated.reference in page and far.reference not in page
    assert rejected.reference in page and REASON in page
    assert "The complainant will read this reason if you approve." in page
    assert "kh12-night" in page and "1 case waits with nobody to take it" in page
    assert "Overloaded Officer: 2 open cases for a capacity of 1" in page


def test_a_rejection_is_approved_from_the_inbox_and_she_comes_back_to_it(
    client: FlaskClient, auth: Auth
) -> None:
    auth.login("supervisor", province="KH-12")
    case, officer = _working()
    transitions.apply(case, "propose_rejection", transitions.actor_for(officer), {"reason": REASON})
    db.session.flush()
    page = client.get("/workspace/inbox?lang=en").get_data(as_text=True)
    response = client.post(
        f"/cases/{case.reference}/act/approve_rejection?lang=en",
        data={
            "csrf_token": csrf_from(page),
            "version": str(case.version),
            "seen": str(case.event_count),
            "back": "inbox",
            "confirm": "1",
        },
        follow_redirects=True,
    )
    body = response.get_data(as_text=True)
    assert response.request.path == "/workspace/inbox"
    assert "Approve rejection: done." in body and "The complainant is told." in body
    assert reload(case).state == "rejected" and case.reference not in body.split("</h1>")[1]
