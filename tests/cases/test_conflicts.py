"""Conflicts that keep work: a colleague's note while an officer types is not a conflict; a
real one (the state or the officer changed) shows what changed and gives the text back."""

from __future__ import annotations

import re

from flask.testing import FlaskClient

from grievance.cases import comments, transitions
from grievance.cases.models import Case
from grievance.extensions import db
from tests.conftest import Auth, csrf_from
from tests.factories import make_case, make_user
from tests.queues.helpers import SUPERVISOR

RESOLUTION = "The employer registered you on 3 March and paid the arrears for 9 months."


def _working_case(officer_id: int) -> Case:
    case = make_case().case
    for name, inputs in (("acknowledge", {}), ("assign", {"assignee_id": officer_id})):
        transitions.apply(case, name, SUPERVISOR, inputs)
    db.session.flush()
    return case


def _open_form(client: FlaskClient, case: Case) -> dict[str, str]:
    page = client.get(f"/cases/{case.reference}?lang=en").get_data(as_text=True)
    version = re.search(r'name="version" value="(\d+)"', page)
    seen = re.search(r'name="seen" value="(\d+)"', page)
    assert version and seen
    return {"csrf_token": csrf_from(page), "version": version[1], "seen": seen[1]}


def _reload(case: Case) -> Case:
    db.session.expire_all()
    fresh = db.session.get(Case, case.id)
    assert fresh is not None
    return fresh


def test_a_colleagues_note_does_not_throw_away_the_resolution(
    client: FlaskClient, auth: Auth
) -> None:
    officer = auth.login("officer")
    case = _working_case(officer.id)
    transitions.apply(case, "start_work", transitions.actor_for(officer))
    db.session.flush()
    form = _open_form(client, case)  # she starts typing her answer
    colleague = make_user("officer", name="Colleague")
    comments.add_comment(
        case, actor_id=colleague.id, actor_role="officer", text="Called HR.", public=False
    )
    db.session.flush()

    response = client.post(
        f"/cases/{case.reference}/act/propose_resolution",
        data={**form, "resolution": RESOLUTION},
    )

    assert response.status_code == 302
    case = _reload(case)
    assert case.state == "resolution_proposed" and case.resolution == RESOLUTION


def test_a_real_conflict_shows_what_changed_and_gives_the_text_back(
    client: FlaskClient, auth: Auth
) -> None:
    officer = auth.login("officer", "supervisor")
    case = _working_case(officer.id)
    transitions.apply(case, "start_work", transitions.actor_for(officer))
    db.session.flush()
    form = _open_form(client, case)
    boss = make_user("supervisor", name="Channa Supervisor")
    transitions.apply(case, "escalate", transitions.actor_for(boss), {"reason": "Overdue"})
    db.session.flush()

    response = client.post(
        f"/cases/{case.reference}/act/propose_resolution?lang=en",
        data={**form, "resolution": RESOLUTION},
    )

    assert response.status_code == 409
    body = response.get_data(as_text=True)
    assert "This case changed while you were looking at it" in body
    assert "Channa Supervisor" in body and "Escalate" in body
    assert RESOLUTION in body  # her text, to send again or copy
    assert _reload(case).state == "escalated" and _reload(case).resolution is None
