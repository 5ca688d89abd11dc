"""What a complainant's phone shows: every SMS leads to her case (a one-time link) and to a
person (the hotline), fits two parts in Khmer, carries the officer's question, and says
nothing about the complaint on a confidential or restricted case."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from grievance import uow
from grievance.cases import transitions
from grievance.cases.services import PersonData
from grievance.extensions import db
from notifications.complainant_sms import body
from notifications.models import Notification
from notifications.segments import segments
from tests.conftest import csrf_from
from tests.factories import make_case, make_user
from tests.notifications.test_outbox import outbox_file
from tests.queues.helpers import join

QUESTION = (
    "សូមប្រាប់ថ្ងៃដែលអ្នកចាប់ផ្តើមធ្វើការនៅរោងចក្រ ឈ្មោះផ្នែកដែលអ្នកធ្វើការ "
    "និងថាតើប្រាក់ខែរបស់អ្នកត្រូវបានកាត់សម្រាប់ ប.ស.ស ចាប់ពីខែណា។"
)


def _asked(category: str = "contributions", confidentiality: str = "normal") -> Notification:
    officer = make_user("officer", "supervisor")
    if confidentiality == "restricted":
        join(officer, "restricted")  # only a designated officer may take it
    person = PersonData(phone="+85512345678", sex="female", language="km", consent_to_contact=True)
    case = make_case(
        complainant=person, category_code=category, confidentiality=confidentiality
    ).case
    actor = transitions.actor_for(officer)
    for name, inputs in (("acknowledge", {}), ("claim", {}), ("start_work", {})):
        transitions.apply(case, name, actor, inputs)
    transitions.apply(case, "request_information", actor, {"comment": QUESTION})
    uow.checkpoint()  # the SMS leaves (in-process) after the commit
    row = db.session.scalar(
        select(Notification).where(
            Notification.case_id == case.id, Notification.template == "information_requested"
        )
    )
    assert row is not None
    db.session.refresh(row)
    return row


def test_the_question_reaches_her_phone_with_a_way_in(
    app: Flask, client: FlaskClient, jobs_in_process: object
) -> None:
    row = _asked()
    assert row.status == "sent"
    sms = outbox_file(app, row).read_text(encoding="utf-8").split("\n\n", 1)[1].strip()
    assert segments(sms) <= 2
    assert QUESTION[:30] in sms and sms.count("…") == 1  # as much of the question as fits
    assert "ទូរស័ព្ទ 1286" in sms
    link = re.search(r"http://127\.0\.0\.1:5000(/t/[\w-]{16})", sms)
    assert link is not None
    page = client.get(link.group(1))
    assert page.status_code == 200  # a button, so a link preview does not spend it
    opened = client.post(link.group(1), data={"csrf_token": csrf_from(page.get_data(as_text=True))})
    assert opened.status_code == 303 and opened.headers["Location"].endswith("/track/case")
    status = client.get("/track/case").get_data(as_text=True)
    assert QUESTION[:30] in status  # the whole question is on her page
    assert body(row, None) == sms  # composed again (a retry): the same text, the same link


def test_a_restricted_case_gets_a_discreet_text(app: Flask, jobs_in_process: object) -> None:
    row = _asked(category="harassment_retaliation", confidentiality="restricted")
    sms = outbox_file(app, row).read_text(encoding="utf-8").split("\n\n", 1)[1].strip()
    assert sms.startswith("សំឡេង៖ ករណីរបស់អ្នកមានព័ត៌មានថ្មី")
    assert QUESTION[:10] not in sms
    for revealing in ("យាយី", "សងសឹក", "ការងារ", "harass"):
        assert revealing not in sms
    assert "/t/" in sms and "1286" in sms
    assert segments(sms) <= 2


def test_a_confidential_case_is_discreet_too(app: Flask, jobs_in_process: object) -> None:
    row = _asked(confidentiality="confidential")
    sms = outbox_file(app, row).read_text(encoding="utf-8")
    assert QUESTION[:10] not in sms and "ករណីរបស់អ្នកមានព័ត៌មានថ្មី" in sms
