"""The codes survive real life: reload, back, the language switch; the page tells the
truth about SMS; the codes can be saved, sent by SMS on request, and "check my case"
opens the case without typing them."""

from __future__ import annotations

import re
from datetime import timedelta

import time_machine
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from grievance.cases.models import Case
from grievance.extensions import db
from grievance.phones import masked
from grievance.types import utcnow
from notifications.models import Notification
from tests.conftest import csrf_from
from tests.intake.helpers import public_post
from tests.notifications.test_outbox import outbox_file

CODES = re.compile(r'secret-value" lang="en">([A-Z0-9-]+)<')


def _codes(page: str) -> list[str]:
    return CODES.findall(page)


def _sms_rows(case_id: int) -> list[Notification]:
    query = select(Notification).where(Notification.case_id == case_id).order_by(Notification.id)
    return list(db.session.scalars(query))


def test_reload_and_the_language_switch_show_the_same_codes(client: FlaskClient) -> None:
    filed = public_post(client, lang="km")
    codes = _codes(filed.get_data(as_text=True))
    assert len(codes) == 2
    assert filed.request.path == "/file/done"  # no code in any URL
    assert _codes(client.get("/file/done").get_data(as_text=True)) == codes  # a reload
    english = client.get("/file/done?lang=en").get_data(as_text=True)  # showing a sister
    assert _codes(english) == codes and "Your complaint has been sent" in english
    with time_machine.travel(utcnow() + timedelta(minutes=31)):
        gone = client.get("/file/done?lang=en").get_data(as_text=True)
    assert _codes(gone) == [] and "Your codes are no longer shown" in gone


def test_no_promise_of_an_sms_without_consent_and_codes_sent_when_asked(
    app: Flask, client: FlaskClient, jobs_in_process: object
) -> None:
    page = public_post(client, phone="012 345 678").get_data(as_text=True)  # no consent ticked
    reference, secret = _codes(page)
    case = db.session.scalar(select(Case).where(Case.reference == reference))
    assert "No SMS will come" in page and "sending the two codes" not in page
    assert _sms_rows(case.id) == []

    asked = client.post(
        "/file/done/sms",
        data={"csrf_token": csrf_from(page), "phone": "097 777 7777"},
        follow_redirects=True,
    )
    assert "Your codes are on their way by SMS" in asked.get_data(as_text=True)
    db.session.expire_all()
    (row,) = _sms_rows(case.id)
    assert (row.template, row.address, row.status) == ("codes_by_sms", "+855977777777", "sent")
    text = outbox_file(app, row).read_text(encoding="utf-8")
    assert reference in text and secret in text


def test_the_sms_is_promised_only_when_it_will_come(client: FlaskClient) -> None:
    page = public_post(client, phone="012 345 678", consent_to_contact="y").get_data(as_text=True)
    assert "An SMS is on its way" in page and masked("+85512345678") in page
    case = db.session.scalar(select(Case).where(Case.reference == _codes(page)[0]))
    assert [r.template for r in _sms_rows(case.id)] == ["filed"]


def test_check_my_case_opens_it_without_typing_and_the_codes_save_as_a_file(
    client: FlaskClient,
) -> None:
    page = public_post(client).get_data(as_text=True)
    reference, secret = _codes(page)
    saved = client.get("/file/done/codes.txt")
    assert saved.headers["Content-Disposition"].startswith("attachment")
    assert reference in saved.get_data(as_text=True) and secret in saved.get_data(as_text=True)
    opened = client.post("/file/done/track", data={"csrf_token": csrf_from(page)})
    assert opened.status_code == 303 and opened.headers["Location"].endswith("/track/case")
    assert reference in client.get("/track/case?lang=en").get_data(as_text=True)
