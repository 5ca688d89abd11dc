"""Messages to a complainant on Telegram, through the outbox, against a fake Bot API:
the chat she last wrote on, SMS once when she blocked the bot, Telegram's retry_after."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
import time_machine
from flask import Flask
from sqlalchemy import select

from grievance import uow
from grievance.cases import people
from grievance.cases.models import Case
from grievance.cases.services import PersonData
from grievance.effects import Notice, emit
from grievance.extensions import db
from grievance.types import utcnow
from notifications import relay
from notifications.models import Notification
from tests import fake_telegram as tg
from tests.factories import make_case
from tests.notifications.fake_twilio import FakeTwilio

CHAT = 7_770_001
PHONE = "+85512345678"


@pytest.fixture
def bot(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Iterator[tg.FakeTelegram]:
    with tg.FakeTelegram() as fake:
        cfg = app.config["SAMLENG"]
        monkeypatch.setattr(cfg, "TELEGRAM_BOT_TOKEN", fake.token)
        monkeypatch.setattr(cfg, "TELEGRAM_API_BASE", fake.url)
        yield fake


def her_case(last: str = "telegram", phone: str | None = PHONE, **fields: object) -> Case:
    """A case filed on Telegram by someone whose chat is linked (and her number, if any)."""
    person = PersonData(phone=phone, language="km", consent_to_contact=True)
    case = make_case(channel="telegram", complainant=person, **fields).case
    assert case.complainant is not None
    case.complainant.chat_channel = "telegram"
    case.complainant.chat_address = str(CHAT)
    case.complainant.last_channel = last
    db.session.flush()
    return case


def tell(case: Case, template: str = "acknowledged") -> None:
    emit(Notice(case.id, 1, template, "complainant"))
    db.session.flush()


def rows(case: Case) -> list[Notification]:
    db.session.expire_all()
    query = select(Notification).where(Notification.case_id == case.id).order_by(Notification.id)
    return list(db.session.scalars(query))


def test_a_message_goes_to_the_chat_she_last_wrote_on(
    bot: tg.FakeTelegram, gateway: FakeTwilio
) -> None:
    case = her_case()
    assert rows(case) == []  # the webhook's own reply gave her the codes
    tell(case)
    uow.checkpoint()  # the send job runs after the commit
    [row] = rows(case)
    assert (row.channel, row.address, row.status) == ("telegram", str(CHAT), "sent")
    assert row.provider_id and row.provider_id.startswith(f"tg:{CHAT}:")
    [text] = bot.texts_to(CHAT)
    assert case.reference in text and "/t/" in text  # her one-time link to the status page
    assert gateway.messages == []


def test_after_she_writes_by_sms_our_messages_go_by_sms(
    bot: tg.FakeTelegram, gateway: FakeTwilio
) -> None:
    case = her_case(last="sms")
    tell(case)
    uow.checkpoint()
    assert [(r.channel, r.status) for r in rows(case)] == [("sms", "sent")]
    assert bot.sent == [] and gateway.bodies_to(PHONE)


def test_a_blocked_bot_falls_back_to_sms_once_and_it_is_recorded(
    bot: tg.FakeTelegram, gateway: FakeTwilio
) -> None:
    bot.blocked.add(CHAT)
    case = her_case()
    tell(case)
    uow.checkpoint()
    chat_row, sms_row = rows(case)
    assert (chat_row.channel, chat_row.status, chat_row.last_error) == (
        "telegram",
        "failed",
        "blocked",
    )
    assert (sms_row.channel, sms_row.status, sms_row.address) == ("sms", "sent", PHONE)
    assert sms_row.idempotency_key == chat_row.idempotency_key + ":fallback"
    assert len(gateway.bodies_to(PHONE)) == 1 and case.reference in gateway.bodies_to(PHONE)[0]
    assert people.opted_out("telegram", str(CHAT))

    # Nothing sends it twice: the sweep finds nothing, and the next message goes by SMS.
    with time_machine.travel(utcnow() + timedelta(hours=3), tick=False):
        assert relay.sweep() == 0
    tell(case, "information_requested")
    uow.checkpoint()
    assert [r.channel for r in rows(case)] == ["telegram", "sms", "sms"]
    assert bot.calls.count("sendMessage") == 1


def test_blocked_without_a_number_is_recorded_as_failed(bot: tg.FakeTelegram) -> None:
    bot.blocked.add(CHAT)
    case = her_case(phone=None)
    tell(case)
    uow.checkpoint()
    [row] = rows(case)
    assert (row.status, row.last_error) == ("failed", "blocked")


def test_too_many_requests_waits_as_long_as_telegram_says(bot: tg.FakeTelegram) -> None:
    bot.flood[CHAT] = 37
    case = her_case()
    with time_machine.travel(utcnow(), tick=False) as clock:
        tell(case)
        uow.checkpoint()
        [row] = rows(case)
        assert (row.status, row.last_error) == ("pending", "telegram 429")
        assert row.next_attempt_at is not None
        assert row.next_attempt_at - utcnow() == timedelta(seconds=37)
        clock.shift(timedelta(seconds=30))
        assert relay.sweep() == 0  # not before Telegram's time
        clock.shift(timedelta(seconds=8))
        assert relay.sweep() == 1
        uow.checkpoint()
    [row] = rows(case)
    assert row.status == "sent" and len(bot.texts_to(CHAT)) == 1


def test_a_restricted_case_is_discreet_on_telegram_too(bot: tg.FakeTelegram) -> None:
    case = her_case(confidentiality="confidential")
    tell(case, "information_requested")
    uow.checkpoint()
    [text] = bot.texts_to(CHAT)
    assert case.category.name_km not in text and case.category.name_en not in text
