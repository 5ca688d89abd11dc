"""A complainant who lost her codes gets a new secret, only after proving it is her; the
old secret and links stop working, and the timeline says who did it and how."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from grievance.cases.models import Case
from grievance.cases.services import PersonData
from grievance.extensions import db
from grievance.tracking.links import create_tracking_link
from notifications.models import Notification
from tests.conftest import Auth, csrf_from
from tests.notifications.test_outbox import outbox_file
from tests.tracking.helpers import lookup, new_case, reload

PHONE = "+85512345678"


def _sms(app: Flask, case: Case, template: str) -> str:
    db.session.expire_all()
    row = db.session.scalar(
        select(Notification)
        .where(Notification.case_id == case.id, Notification.template == template)
        .order_by(Notification.id.desc())
    )
    assert row is not None and row.status == "sent", template
    return outbox_file(app, row).read_text(encoding="utf-8").split("\n\n", 1)[1]


def _post(client: FlaskClient, path: str, **data: str) -> object:
    page = client.get(path.replace("/code", "")).get_data(as_text=True)
    return client.post(path, data={"csrf_token": csrf_from(page), **data})


def test_the_hotline_checks_the_phone_on_file_then_gives_a_new_secret(
    app: Flask, client: FlaskClient, auth: Auth, jobs_in_process: object
) -> None:
    # She gave a phone but did not ask to be contacted: the code she asks for still goes.
    person = PersonData(phone=PHONE, sex="female", language="km", consent_to_contact=False)
    filed = new_case(complainant=person)
    old_link = create_tracking_link(filed.case)
    ref = filed.case.reference
    auth.login("intake", province="KH-12")
    path = f"/cases/{ref}/new-secret"
    assert "•" in client.get(path + "?lang=en").get_data(as_text=True)  # the number, masked

    sent = _post(client, path + "/code")
    assert sent.status_code == 302  # type: ignore[attr-defined]
    code = re.search(r"\b(\d{6})\b", _sms(app, filed.case, "secret_check"))
    assert code is not None

    wrong = _post(client, path, code="000000" if code.group(1) != "000000" else "111111")
    assert wrong.status_code == 200  # type: ignore[attr-defined]
    assert "That is not the code we sent" in wrong.get_data(as_text=True)  # type: ignore[attr-defined]

    done = _post(client, path, code=code.group(1))
    page = done.get_data(as_text=True)  # type: ignore[attr-defined]
    secret = re.search(r'secret-value" lang="en">([A-Z0-9-]{14})<', page)
    assert secret is not None and secret.group(1) != filed.secret

    other = app.test_client()
    assert lookup(other, ref, filed.secret).status_code == 200  # the old secret fails
    assert lookup(other, ref, secret.group(1)).status_code == 303  # the new one works
    assert secret.group(1) in _sms(app, filed.case, "secret_reissued")
    assert other.get(old_link.removeprefix("http://127.0.0.1:5000")).status_code == 410
    events = [e for e in reload(filed.case).events if e.kind == "secret_reissued"]
    assert [e.data["method"] for e in events] == ["code_to_phone_on_file"]
    assert secret.group(1) not in str(events[0].data)


def test_without_a_phone_the_officer_records_two_identity_checks(
    client: FlaskClient, auth: Auth
) -> None:
    filed = new_case(complainant=None)
    auth.login("officer", province="KH-12")
    path = f"/cases/{filed.case.reference}/new-secret"
    one = _post(client, path, checks="described_complaint", note="She told me the story.")
    assert one.status_code == 400  # type: ignore[attr-defined]
    page = client.get(path).get_data(as_text=True)
    done = client.post(
        path,
        data={
            "csrf_token": csrf_from(page),
            "checks": ["described_complaint", "knew_where"],
            "note": "Described the unpaid contributions and named the factory in Kandal.",
        },
    )
    assert done.status_code == 200
    assert lookup(client, filed.case.reference, filed.secret).status_code == 200
    event = next(e for e in reload(filed.case).events if e.kind == "secret_reissued")
    assert event.data["checks"] == ["described_complaint", "knew_where"]


def test_staff_of_another_province_get_nothing(client: FlaskClient, auth: Auth) -> None:
    filed = new_case()
    auth.login("intake", province="KH-1")
    assert client.get(f"/cases/{filed.case.reference}/new-secret").status_code == 404


def test_oversight_may_not_give_secrets(client: FlaskClient, auth: Auth) -> None:
    filed = new_case()
    auth.login("oversight")
    assert client.get(f"/cases/{filed.case.reference}/new-secret").status_code == 403


def test_she_asks_for_a_new_secret_herself_and_the_page_confirms_nothing(
    app: Flask, client: FlaskClient, jobs_in_process: object
) -> None:
    person = PersonData(phone=PHONE, sex="female", language="en", consent_to_contact=True)
    filed = new_case(complainant=person)
    ref = filed.case.reference

    def ask(reference: str, phone: str) -> str:
        page = client.get("/track/new-secret?lang=en").get_data(as_text=True)
        response = client.post(
            "/track/new-secret",
            data={"csrf_token": csrf_from(page), "reference": reference, "phone": phone},
        )
        assert response.status_code == 200
        return response.get_data(as_text=True)

    wrong_number = ask(ref, "097 777 7777")
    unknown = ask("2222-2222", "012 345 678")
    assert lookup(client, ref, filed.secret).status_code == 303  # nothing changed
    right = ask(ref.lower(), "012 345 678")
    assert right == wrong_number == unknown  # the same answer whatever was typed
    assert lookup(app.test_client(), ref, filed.secret).status_code == 200
    assert "has a new secret" in _sms(app, filed.case, "secret_reissued")
    for _ in range(3):  # three a day at most, then the page says the same and does nothing
        ask(ref, "012 345 678")
    reissued = [e for e in reload(filed.case).events if e.kind == "secret_reissued"]
    assert len(reissued) == 3
