"""Contacting the complainant from the case: a message she reads on her status page and by
SMS (discreet on a confidential case), and a staff-only note of a phone call."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy import select

from grievance.cases import transitions
from grievance.cases.models import Case, CaseEvent
from grievance.cases.services import PersonData
from grievance.extensions import db
from notifications.complainant_sms import body
from notifications.models import Notification
from tests.conftest import Auth, csrf_from
from tests.factories import make_case
from tests.queues.helpers import SUPERVISOR

WORDS = "Please bring your NSSF card to the Phnom Penh office on Monday."


def _mine(officer_id: int, **overrides: object) -> Case:
    person = PersonData(phone="+85512345678", sex="female", consent_to_contact=True)
    case = make_case(complainant=overrides.pop("complainant", person), **overrides).case
    transitions.apply(case, "acknowledge", SUPERVISOR)
    transitions.apply(case, "assign", SUPERVISOR, {"assignee_id": officer_id})
    db.session.flush()
    return case


def _post(client: FlaskClient, case: Case, what: str, **fields: str) -> str:
    page = client.get(f"/cases/{case.reference}?lang=en").get_data(as_text=True)
    response = client.post(
        f"/cases/{case.reference}/{what}?lang=en",
        data={"csrf_token": csrf_from(page), **fields},
        follow_redirects=True,
    )
    return response.get_data(as_text=True)


def _sms(case: Case) -> Notification | None:
    return db.session.scalar(
        select(Notification).where(
            Notification.case_id == case.id, Notification.template == "officer_message"
        )
    )


def test_the_officer_writes_to_the_complainant_by_sms(client: FlaskClient, auth: Auth) -> None:
    officer = auth.login("officer")
    case = _mine(officer.id)
    page = _post(client, case, "message", text=WORDS)
    assert "Message sent to the complainant by SMS" in page
    row = _sms(case)
    assert row is not None and row.channel == "sms"
    text = body(row, None)
    assert WORDS[:20] in text and "/t/" in text  # as much as fits two parts
    event = case.events[-1]
    assert (event.kind, event.public, event.data["text"]) == ("comment", True, WORDS)


def test_a_confidential_case_gets_a_discreet_sms(client: FlaskClient, auth: Auth) -> None:
    officer = auth.login("officer")
    case = _mine(officer.id, confidentiality="confidential")
    _post(client, case, "message", text=WORDS)
    row = _sms(case)
    assert row is not None and "NSSF card" not in body(row, None)


def test_no_consent_no_sms_and_the_officer_is_told(client: FlaskClient, auth: Auth) -> None:
    officer = auth.login("officer")
    quiet = PersonData(phone="+85512345678", sex="female", consent_to_contact=False)
    case = _mine(officer.id, complainant=quiet)
    page = _post(client, case, "message", text=WORDS)
    assert "No SMS" in page and _sms(case) is None


def test_only_the_cases_officer_or_a_supervisor_writes_or_logs(
    client: FlaskClient, auth: Auth
) -> None:
    from tests.factories import make_user

    holder = make_user("officer")
    case = _mine(holder.id)
    auth.login("officer")
    before = case.event_count
    page = _post(client, case, "message", text=WORDS)
    assert "Only the officer of the case or a supervisor may do this." in page
    _post(client, case, "call", direction="in", note="Called about her card.")
    db.session.expire_all()
    assert db.session.get(Case, case.id).event_count == before


def test_a_call_is_logged_for_staff_only(client: FlaskClient, auth: Auth) -> None:
    officer = auth.login("officer")
    case = _mine(officer.id)
    page = _post(client, case, "call", direction="in", note="She called: the card came.")
    assert "The call is on the case" in page
    assert "The complainant called us" in page and "She called: the card came." in page
    event = db.session.scalar(
        select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.kind == "call")
    )
    assert event is not None and not event.public
