"""Discreet mode on every path a message about a case takes: the SMS and Telegram notices,
/status and STATUS replies, "my cases", the reply to her answer and the decision prompt.
A discreet case (a restricted category by default, or confidential when she chose it)
never names the category, the employer or the officer's question; a normal case may."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from grievance import uow
from grievance.cases import contact
from grievance.cases.models import Case
from grievance.cases.services import Filed, PersonData
from grievance.extensions import db
from grievance.intake import conversations
from grievance.integrations.twilio import signature
from notifications import relay
from notifications.models import Notification
from tests import fake_telegram as tg
from tests.factories import make_case, make_user
from tests.queues.helpers import join
from tests.tracking.helpers import reload, step, to_in_progress

SECRET = "webhook-secret_2026"
TWILIO = "test-twilio-token"
CHAT = 5_550_077
HER = "+85512345678"
EMPLOYER = "Golden Dragon Garment Co"
QUESTION = "Which months were deducted from your payslip but not paid to NSSF?"
NOTE = "I called your employer's HR office about the payslips."


@pytest.fixture(autouse=True)
def bot(
    app: Flask, monkeypatch: pytest.MonkeyPatch, jobs_in_process: object
) -> Iterator[tg.FakeTelegram]:
    """The fake Bot API; notices are sent right after each commit (with Redis too)."""
    with tg.FakeTelegram() as fake:
        cfg = app.config["SAMLENG"]
        monkeypatch.setattr(cfg, "TELEGRAM_WEBHOOK_SECRET", SECRET)
        monkeypatch.setattr(cfg, "TELEGRAM_BOT_TOKEN", fake.token)
        monkeypatch.setattr(cfg, "TELEGRAM_API_BASE", fake.url)
        monkeypatch.setattr(cfg, "TWILIO_AUTH_TOKEN", TWILIO)
        yield fake


def chat(client: FlaskClient, update: dict[str, object]) -> str:
    response = client.post(
        "/telegram/webhook", json=update, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}
    )
    assert response.status_code == 200
    return str(response.get_json().get("text", ""))


def sms(client: FlaskClient, body: str, sid: str) -> str:
    form = {"From": HER, "To": "+85523999999", "Body": body, "MessageSid": sid, "NumMedia": "0"}
    url = client.application.config["SAMLENG"].PUBLIC_BASE_URL + "/sms/inbound"
    headers = {"X-Twilio-Signature": signature(TWILIO, url, form.items())}
    return client.post("/sms/inbound", data=form, headers=headers).get_data(as_text=True)


def label(msgid: str) -> str:
    with force_locale("km"):
        return _(msgid)


def her_case(category: str, confidentiality: str) -> Filed:
    person = PersonData(phone=HER, language="km", consent_to_contact=True)
    return make_case(
        channel="telegram",
        complainant=person,
        category_code=category,
        confidentiality=confidentiality,
        concerned_name=EMPLOYER,
    )


def leaks(case: Case, text: str) -> list[str]:
    """What of the case a message shows that a sister reading the phone should not see."""
    words = (case.category.name_km, case.category.name_en, EMPLOYER, QUESTION[:20], NOTE[:20])
    return [w for w in words if w in text]


def every_message(client: FlaskClient, bot: tg.FakeTelegram, filed: Filed) -> list[str]:
    """Her case through a question, an officer's note and a proposed answer, with every
    text she reads on Telegram and SMS on the way."""
    seen = [chat(client, tg.contact(CHAT, HER.lstrip("+"), user_id=CHAT))]
    vannak = make_user("officer", "supervisor", name="Officer Vannak")
    join(vannak, "restricted")
    case = reload(filed.case)
    to_in_progress(case, vannak)
    step(case, vannak, "request_information", comment=QUESTION)
    contact.message_complainant(case, vannak, NOTE)
    uow.checkpoint()  # the notices leave after the commit
    seen += [f"/status {case.reference} {filed.secret}", ""]
    seen[-1] = chat(client, tg.text(CHAT, seen[-2]))
    seen.append(chat(client, tg.text(CHAT, label(conversations.CHECK))))
    seen.append(sms(client, f"STATUS {case.reference}", "SM-d-1"))
    seen.append(sms(client, f"STATUS {case.reference} {filed.secret}", "SM-d-2"))
    seen.append(chat(client, tg.text(CHAT, "ខែមីនា និង ខែមេសា")))  # her answer
    case = reload(filed.case)
    step(case, vannak, "propose_resolution", resolution="The employer paid the arrears.")
    uow.checkpoint()
    seen.append(chat(client, tg.text(CHAT, label(conversations.CHECK))))
    for row in db.session.scalars(select(Notification).where(Notification.case_id == case.id)):
        if row.channel in ("sms", "telegram"):
            seen.append(relay.compose(row).body)  # what the SMS or the chat carried
    seen += bot.texts_to(CHAT)
    return [s for s in seen if s and not s.startswith("/status")]


@pytest.mark.parametrize(
    ("category", "confidentiality"),
    [("harassment_retaliation", "restricted"), ("contributions", "confidential")],
)
def test_a_discreet_case_is_never_named_in_any_message(
    client: FlaskClient, bot: tg.FakeTelegram, category: str, confidentiality: str
) -> None:
    filed = her_case(category, confidentiality)
    seen = every_message(client, bot, filed)
    assert len(bot.texts_to(CHAT)) >= 3  # the question, the note, the proposal
    assert any(filed.case.reference in s for s in seen)  # she still knows which case
    for text in seen:
        assert leaks(filed.case, text) == [], text


def test_a_normal_case_names_itself_and_asks_its_question(
    client: FlaskClient, bot: tg.FakeTelegram
) -> None:
    filed = her_case("contributions", "normal")
    seen = every_message(client, bot, filed)
    status = next(s for s in seen if filed.case.reference in s and EMPLOYER in s)
    assert filed.case.category.name_km in status and QUESTION in status
    notices = bot.texts_to(CHAT)
    assert any(QUESTION[:20] in t for t in notices) and any(NOTE[:20] in t for t in notices)
