"""Officers' notification list with its unread count; the admin's failed messages."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select

from grievance import uow
from grievance.cases.services import PersonData
from grievance.effects import Notice, emit
from grievance.extensions import db
from notifications.models import Notification
from tests.conftest import Auth, csrf_from
from tests.factories import make_case, make_user
from tests.notifications.fake_twilio import FakeTwilio


def assign(user: Any) -> Any:
    case = make_case().case
    case.assignee_id = user.id
    emit(Notice(case.id, case.event_count, "assigned", "assignee"))
    uow.checkpoint()
    return case


def test_an_officer_sees_own_notifications_with_an_unread_count(
    client: FlaskClient, auth: Auth
) -> None:
    officer = auth.login("officer")
    case = assign(officer)
    assign(make_user("officer"))  # someone else's
    page = client.get("/notifications?lang=en").get_data(as_text=True)
    assert f"Case {case.reference} was assigned to you." in page
    assert page.count("was assigned to you") == 1
    assert '<span class="badge">1<span class="sr-only"> unread</span></span>' in page
    response = client.post("/notifications/read", data={"csrf_token": csrf_from(page)})
    assert response.status_code == 302
    page = client.get("/notifications").get_data(as_text=True)
    assert 'sr-only"> unread' not in page
    assert f"Case {case.reference} was assigned to you." in page


def test_notifications_are_shown_in_the_readers_language(client: FlaskClient, auth: Auth) -> None:
    officer = auth.login("officer")
    case = assign(officer)
    page = client.get("/notifications?lang=km").get_data(as_text=True)
    assert f"ករណី {case.reference} ត្រូវបានប្រគល់ឱ្យអ្នក។" in page


def test_marking_one_read_needs_csrf_and_touches_only_own_rows(
    client: FlaskClient, auth: Auth
) -> None:
    officer = auth.login("officer")
    assign(officer)
    other = make_user("officer")
    assign(other)
    mine = db.session.scalar(select(Notification).filter_by(user_id=officer.id))
    theirs = db.session.scalar(select(Notification).filter_by(user_id=other.id))
    page = client.get("/notifications").get_data(as_text=True)
    assert client.post(f"/notifications/{mine.id}/read").status_code == 400
    token = csrf_from(page)
    client.post(f"/notifications/{theirs.id}/read", data={"csrf_token": token})
    client.post(f"/notifications/{mine.id}/read", data={"csrf_token": token})
    db.session.expire_all()
    assert db.session.get(Notification, mine.id).read_at is not None
    assert db.session.get(Notification, theirs.id).read_at is None


def test_the_list_needs_a_login(client: FlaskClient) -> None:
    assert client.get("/notifications").status_code == 302


def _failed_sms(gateway: FakeTwilio) -> Notification:
    gateway.mode = "reject400"
    filed = make_case(complainant=PersonData(phone="+85512345678", consent_to_contact=True))
    uow.checkpoint()
    db.session.expire_all()
    row = db.session.scalar(select(Notification).filter_by(case_id=filed.case.id))
    assert row is not None and row.status == "failed"
    return row


def test_admins_see_failed_messages_and_can_send_them_again(
    client: FlaskClient, auth: Auth, gateway: FakeTwilio
) -> None:
    row = _failed_sms(gateway)
    auth.login("admin")
    page = client.get("/admin/notifications/failed?lang=en").get_data(as_text=True)
    assert row.context["reference"] in page
    assert "gateway 400 code 21211" in page
    assert "+85512345678" not in page  # the number is masked
    gateway.mode = "ok"
    response = client.post(
        f"/admin/notifications/{row.id}/retry", data={"csrf_token": csrf_from(page)}
    )
    assert response.status_code == 302
    db.session.expire_all()
    row = db.session.get(Notification, row.id)
    assert row.status == "sent" and len(gateway.messages) == 1
    # The secret was erased when the message failed; the resend does without it.
    assert row.context["reference"] in gateway.messages[0]["body"]
    assert "សំឡេង៖ យើងបានទទួលករណី" in gateway.messages[0]["body"]
    assert "/t/" in gateway.messages[0]["body"]  # the way in without the secret
    page = client.get("/admin/notifications/failed").get_data(as_text=True)
    assert row.context["reference"] not in page


def test_only_admins_see_failed_messages(client: FlaskClient, auth: Auth) -> None:
    auth.login("supervisor")
    assert client.get("/admin/notifications/failed").status_code == 403


def test_notices_are_grouped_filterable_and_deadline_notices_digested(
    client: FlaskClient, auth: Auth
) -> None:
    officer = auth.login("officer")
    assigned = assign(officer)
    late = [make_case().case for _ in range(3)]
    for case in late:
        case.assignee_id = officer.id
        emit(Notice(case.id, case.event_count, "sla_at_risk", "assignee"))
    uow.checkpoint()

    page = client.get("/notifications?lang=en").get_data(as_text=True)
    assert f"Case {assigned.reference} was assigned to you." in page
    assert "3 deadline notices (3 unread)" in page  # one line, not three
    assert not any(case.reference in page for case in late)

    deadlines = client.get("/notifications?group=deadlines&lang=en").get_data(as_text=True)
    assert all(case.reference in deadlines for case in late)
    assert assigned.reference not in deadlines
    client.post("/notifications/read?group=deadlines", data={"csrf_token": csrf_from(deadlines)})
    unread = client.get("/notifications?unread=1&lang=en").get_data(as_text=True)
    assert f"Case {assigned.reference} was assigned to you." in unread
    assert "3 deadline notices (0 unread)" in unread
