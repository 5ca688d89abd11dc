"""The Telegram bot: its webhook (secret token, update_id), the conversation in Khmer with
reply keyboards, the contact button (one person, two doors), an answer to the officer,
/status and /stop, driven by Update objects in the Bot API's documented shapes."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from grievance import reference
from grievance.cases import people
from grievance.cases.models import Attachment, Case
from grievance.cases.services import PersonData
from grievance.effects import Notice, emit
from grievance.extensions import db
from grievance.intake import conversations
from grievance.intake.models import ChatSession, ReceivedMessage
from grievance.khmer import ascii_digits
from grievance.types import utcnow
from notifications.models import Notification
from tests import fake_telegram as tg
from tests.conftest import Auth
from tests.factories import make_case
from tests.intake.helpers import case_count, jpeg_with_gps
from tests.recordings import amr
from tests.tracking.helpers import officer, reload, step, to_in_progress

SECRET = "webhook-secret_2026"
URL = "/telegram/webhook"
CHAT = 5_550_001
HER = "+85512345678"
CODES = re.compile(r"([0-9A-Z]{4}-[0-9A-Z]{4})\D+([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})")


@pytest.fixture(autouse=True)
def bot(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Iterator[tg.FakeTelegram]:
    with tg.FakeTelegram() as fake:
        cfg = app.config["SAMLENG"]
        monkeypatch.setattr(cfg, "TELEGRAM_WEBHOOK_SECRET", SECRET)
        monkeypatch.setattr(cfg, "TELEGRAM_BOT_TOKEN", fake.token)
        monkeypatch.setattr(cfg, "TELEGRAM_API_BASE", fake.url)
        yield fake


def post(client: FlaskClient, update: dict[str, Any], secret: str | None = SECRET) -> Any:
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
    return client.post(URL, json=update, headers=headers)


def say(client: FlaskClient, update: dict[str, Any]) -> dict[str, Any]:
    """The sendMessage call the webhook answers with."""
    response = post(client, update)
    assert response.status_code == 200, response.get_data(as_text=True)
    call = response.get_json()
    assert call["method"] == "sendMessage" and call["chat_id"] == update["message"]["chat"]["id"]
    return dict(call)


def buttons(call: dict[str, Any]) -> list[str]:
    rows = call.get("reply_markup", {}).get("keyboard", [])
    return [button["text"] for row in rows for button in row]


def label(msgid: str, lang: str = "km") -> str:
    with force_locale(lang):
        return _(msgid)


def khmer(text: str) -> bool:
    return any("\u1780" <= ch <= "\u17ff" for ch in text)


def test_a_forged_or_missing_secret_token_gets_403(client: FlaskClient) -> None:
    before = case_count()
    assert post(client, tg.text(CHAT, "/start"), secret="guess").status_code == 403
    assert post(client, tg.text(CHAT, "/start"), secret=None).status_code == 403
    assert case_count() == before
    answer = post(client, tg.text(CHAT, "/start"), secret="guess").get_json()
    assert answer == {"ok": False, "error_code": 403, "description": "forbidden"}


def test_no_configured_secret_refuses_everything(
    client: FlaskClient, app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(app.config["SAMLENG"], "TELEGRAM_WEBHOOK_SECRET", "")
    assert post(client, tg.text(CHAT, "/start"), secret="").status_code == 403


def test_group_chats_and_odd_paths_answer_in_the_api_format(client: FlaskClient) -> None:
    group = tg.text(CHAT, "hello")
    group["message"]["chat"] = {"id": -100123, "type": "group", "title": "Factory"}
    assert post(client, group).status_code == 400
    missing = client.get(URL)
    assert missing.status_code == 405 and missing.get_json()["ok"] is False


def test_whole_filing_in_khmer_with_buttons_a_photo_and_the_codes(
    client: FlaskClient, bot: tg.FakeTelegram
) -> None:
    welcome = say(client, tg.text(CHAT, "/start"))
    assert khmer(welcome["text"])
    assert label(conversations.FILE) in buttons(welcome)
    contact_button = welcome["reply_markup"]["keyboard"][-1][0]
    assert contact_button["request_contact"] is True

    ask_category = say(client, tg.text(CHAT, label(conversations.FILE)))
    snapshot = reference.current()
    category = snapshot.categories["contributions"].name_km
    assert category in buttons(ask_category) and label(conversations.CANCEL) in buttons(
        ask_category
    )

    ask_province = say(client, tg.text(CHAT, category))
    kandal = snapshot.provinces["KH-8"].name_km
    assert kandal in buttons(ask_province)

    ask_details = say(client, tg.text(CHAT, kandal))
    assert buttons(ask_details) == [label(conversations.DISCREET), label(conversations.CANCEL)]

    bot.add_file("AgACAgUAAxkBAAIBpayslip", jpeg_with_gps())
    got_photo = say(client, tg.photo(CHAT, "AgACAgUAAxkBAAIBpayslip"))
    assert khmer(got_photo["text"])

    before = case_count()
    filed = say(client, tg.text(CHAT, "ក្រុមហ៊ុនកាត់ប្រាក់ NSSF តែមិនបង់ចាប់ពីខែមីនា"))
    codes = CODES.search(ascii_digits(filed["text"]))
    assert codes, filed["text"]
    assert case_count() == before + 1
    case = db.session.scalar(select(Case).where(Case.reference == codes.group(1)))
    assert case is not None
    assert (case.channel, case.category.code, case.province_code) == (
        "telegram",
        "contributions",
        "KH-8",
    )
    assert case.complainant is not None and case.complainant.chat_address == str(CHAT)
    assert case.complainant.language == "km"
    photos = list(db.session.scalars(select(Attachment).where(Attachment.case_id == case.id)))
    assert [p.content_type for p in photos] == ["image/jpeg"]
    assert "getFile" in bot.calls
    # The reply gave the codes: no second message with them.
    assert not db.session.scalars(
        select(Notification).where(
            Notification.case_id == case.id, Notification.template == "filed"
        )
    ).first()


def test_the_same_update_delivered_twice_makes_one_case(client: FlaskClient) -> None:
    say(client, tg.text(CHAT, "/file"))
    say(client, tg.text(CHAT, reference.current().categories["contributions"].name_en))
    say(client, tg.text(CHAT, reference.current().provinces["KH-12"].name_en))
    update = tg.text(CHAT, "My employer has not paid NSSF contributions since March")
    before = case_count()
    first = say(client, update)
    again = say(client, update)
    assert case_count() == before + 1
    reference_of = CODES.search(ascii_digits(first["text"]))
    assert reference_of and reference_of.group(1) in again["text"]
    rows = db.session.scalars(
        select(ReceivedMessage).where(
            ReceivedMessage.channel == "telegram",
            ReceivedMessage.external_id == str(update["update_id"]),
        )
    )
    assert len(list(rows)) == 1


def test_words_written_first_are_kept_and_the_buttons_complete_them(
    client: FlaskClient,
) -> None:
    words = "The clinic refused my NSSF card yesterday"
    ask = say(client, tg.text(CHAT, words))
    assert reference.current().categories["contributions"].name_km in buttons(ask)
    say(client, tg.text(CHAT, reference.current().categories["contributions"].name_km))
    filed = say(client, tg.text(CHAT, reference.current().provinces["KH-12"].name_km))
    codes = CODES.search(ascii_digits(filed["text"]))
    assert codes, filed["text"]
    case = db.session.scalar(select(Case).where(Case.reference == codes.group(1)))
    assert case is not None and case.description == words


def test_cancel_at_any_step_files_nothing(client: FlaskClient) -> None:
    before = case_count()
    say(client, tg.text(CHAT, "/file"))
    say(client, tg.text(CHAT, reference.current().categories["contributions"].name_km))
    cancelled = say(client, tg.text(CHAT, label(conversations.CANCEL)))
    assert label(conversations.FILE) in buttons(cancelled)
    # The words after a cancel are a new complaint again, not the old steps.
    ask = say(client, tg.text(CHAT, "something else happened"))
    assert label(conversations.CANCEL) in buttons(ask)
    assert case_count() == before


def test_a_half_finished_complaint_resumes_then_expires(client: FlaskClient) -> None:
    say(client, tg.text(CHAT, "/file"))
    say(client, tg.text(CHAT, reference.current().categories["contributions"].name_km))
    resumed = say(client, tg.text(CHAT, "/start"))
    assert reference.current().provinces["KH-12"].name_km in buttons(resumed)

    session = db.session.scalar(select(ChatSession).where(ChatSession.channel == "telegram"))
    assert session is not None
    session.expires_at = utcnow() - timedelta(minutes=1)
    db.session.flush()
    before = case_count()
    expired = say(client, tg.text(CHAT, reference.current().provinces["KH-12"].name_km))
    assert label(conversations.FILE) in buttons(expired)
    assert case_count() == before


def test_english_on_request(client: FlaskClient) -> None:
    english = say(client, tg.text(CHAT, "English"))
    assert not khmer(english["text"]) and "File a complaint" in buttons(english)
    again = say(client, tg.text(CHAT, "/start"))
    assert "Welcome to Samleng" in again["text"]


def test_her_own_number_links_the_chat_to_her_sms_cases(client: FlaskClient) -> None:
    by_sms = make_case(channel="sms", complainant=PersonData(phone=HER, language="km"))
    linked = say(client, tg.contact(CHAT, "85512345678", user_id=CHAT))
    assert khmer(linked["text"])
    person = reload(by_sms.case).complainant
    assert person is not None and person.chat_address == str(CHAT)
    assert people.channels_of(person) == ["sms", "telegram"]
    mine = say(client, tg.text(CHAT, label(conversations.CHECK)))
    assert by_sms.case.reference in mine["text"]


def test_a_number_that_is_not_her_own_is_not_trusted(client: FlaskClient) -> None:
    by_sms = make_case(channel="sms", complainant=PersonData(phone=HER, language="km"))
    someone = say(client, tg.contact(CHAT, "85512345678", user_id=CHAT + 1))
    assert khmer(someone["text"])
    picked = say(client, tg.contact(CHAT, "85512345678"))
    assert picked["reply_markup"]["keyboard"][-1][0]["request_contact"] is True
    person = reload(by_sms.case).complainant
    assert person is not None and person.chat_address is None
    mine = say(client, tg.text(CHAT, label(conversations.CHECK)))
    assert by_sms.case.reference not in mine["text"]


def test_she_answers_the_officers_question_in_the_chat(
    client: FlaskClient, bot: tg.FakeTelegram
) -> None:
    her = PersonData(phone=HER, language="km", consent_to_contact=True)
    filed = make_case(channel="sms", complainant=her)
    say(client, tg.contact(CHAT, "+855 12 345 678", user_id=CHAT))
    vannak = officer()
    case = reload(filed.case)  # what the webhook's request wrote
    to_in_progress(case, vannak)
    step(case, vannak, "request_information", comment="Which month was not paid?")
    asked = db.session.scalar(
        select(Notification).where(
            Notification.case_id == filed.case.id,
            Notification.template == "information_requested",
        )
    )
    assert asked is not None and (asked.channel, asked.address) == ("telegram", str(CHAT))

    bot.add_file("AgACAgUAAxkBAAIBpayslip2", jpeg_with_gps())
    before = case_count()
    answered = say(client, tg.photo(CHAT, "AgACAgUAAxkBAAIBpayslip2", caption="ខែមីនា និង ខែមេសា"))
    assert filed.case.reference in answered["text"]
    assert case_count() == before
    case = reload(filed.case)
    assert case.state == "in_progress"
    kept = list(db.session.scalars(select(Attachment).where(Attachment.case_id == case.id)))
    assert len(kept) == 1


def test_status_with_the_codes_and_stop(client: FlaskClient) -> None:
    filed = make_case(channel="web")
    answer = say(client, tg.text(CHAT, f"/status {filed.case.reference} {filed.secret}"))
    assert filed.case.reference in answer["text"]
    wrong = say(client, tg.text(CHAT, f"/status@SamlengBot {filed.case.reference} AAAA-AAAA-AAAA"))
    assert filed.case.reference not in wrong["text"]

    say(client, tg.text(CHAT, "/file"))  # in the middle of filing, STOP still stops
    stopped = say(client, tg.text(CHAT, "ឈប់"))
    assert stopped["text"]
    assert people.opted_out("telegram", str(CHAT))
    say(client, tg.text(CHAT, "/start"))
    assert not people.opted_out("telegram", str(CHAT))


def test_set_webhook_registers_url_and_secret(app: Flask, bot: tg.FakeTelegram) -> None:
    result = app.test_cli_runner().invoke(args=["telegram", "set-webhook"])
    assert result.exit_code == 0, result.output
    assert bot.webhook["url"].endswith("/telegram/webhook")
    assert bot.webhook["secret_token"] == SECRET
    assert bot.webhook["allowed_updates"] == ["message", "my_chat_member"]


def test_officers_see_both_doors_on_the_case_page(client: FlaskClient, auth: Auth) -> None:
    her = PersonData(phone=HER, language="km", consent_to_contact=True)
    by_sms = make_case(channel="sms", complainant=her)
    say(client, tg.contact(CHAT, "85512345678", user_id=CHAT))
    auth.login("supervisor", "officer", username="boss")
    page = client.get(f"/cases/{by_sms.case.reference}?lang=en").get_data(as_text=True)
    assert "Writes to us by" in page
    assert "SMS, Telegram" in page


def test_each_chat_is_rate_limited_on_its_own(
    client: FlaskClient, app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(app.config["SAMLENG"], "TELEGRAM_LIMIT_PER_CHAT", "2/minute")
    assert post(client, tg.text(CHAT, "/start")).status_code == 200
    assert post(client, tg.text(CHAT, "/start")).status_code == 200
    slowed = post(client, tg.text(CHAT, "/start"))
    assert slowed.status_code == 429 and int(slowed.headers["Retry-After"]) >= 1
    assert slowed.get_json()["error_code"] == 429
    assert post(client, tg.text(CHAT + 1, "/start")).status_code == 200  # another chat


def test_a_photo_alone_answers_the_question(client: FlaskClient, bot: tg.FakeTelegram) -> None:
    her = PersonData(phone=HER, language="km", consent_to_contact=True)
    filed = make_case(channel="sms", complainant=her)
    say(client, tg.contact(CHAT, "85512345678", user_id=CHAT))
    vannak = officer()
    case = reload(filed.case)
    to_in_progress(case, vannak)
    step(case, vannak, "request_information", comment="Send your payslip, please")
    bot.add_file("AgACAgUAAxkBAAIBpayslip3", jpeg_with_gps())
    answered = say(client, tg.photo(CHAT, "AgACAgUAAxkBAAIBpayslip3"))
    assert filed.case.reference in answered["text"]
    case = reload(filed.case)
    assert case.state == "in_progress"
    kept = list(db.session.scalars(select(Attachment).where(Attachment.case_id == case.id)))
    assert len(kept) == 1


def _proposed(client: FlaskClient) -> Case:
    her = PersonData(phone=HER, language="km", consent_to_contact=True)
    filed = make_case(channel="telegram", complainant=her)
    say(client, tg.contact(CHAT, "85512345678", user_id=CHAT))
    vannak = officer()
    case = reload(filed.case)
    to_in_progress(case, vannak)
    step(case, vannak, "propose_resolution", resolution="The employer paid the arrears.")
    return case


def test_she_accepts_our_answer_and_rates_it_in_the_chat(client: FlaskClient) -> None:
    case = _proposed(client)
    mine = say(client, tg.text(CHAT, label(conversations.CHECK)))
    assert case.reference in mine["text"] and label(conversations.ACCEPT) in buttons(mine)
    rate = say(client, tg.text(CHAT, label(conversations.ACCEPT)))
    assert buttons(rate)[:5] == ["1", "2", "3", "4", "5"]
    done = say(client, tg.text(CHAT, "៤"))  # a Khmer digit is a digit
    assert case.reference in done["text"]
    case = reload(case)
    assert (case.state, case.satisfaction) == ("closed", 4)


def test_she_appeals_our_answer_in_the_chat(client: FlaskClient) -> None:
    case = _proposed(client)
    say(client, tg.text(CHAT, label(conversations.CHECK)))
    ask = say(client, tg.text(CHAT, label(conversations.APPEAL)))
    assert buttons(ask) == [label(conversations.CANCEL)]
    done = say(client, tg.text(CHAT, "The employer paid only two of the five months."))
    assert case.reference in done["text"]
    assert reload(case).state == "appealed"


def test_nobody_decides_on_a_case_that_is_not_theirs(client: FlaskClient) -> None:
    case = _proposed(client)
    other = CHAT + 7
    mine = say(client, tg.text(other, label(conversations.CHECK)))
    assert case.reference not in mine["text"]
    say(client, tg.text(other, label(conversations.ACCEPT)))
    assert reload(case).state == "resolution_proposed"


def _tell(case: Case, template: str) -> None:
    emit(Notice(case.id, 1, template, "complainant"))
    db.session.flush()


def _notices(case: Case, template: str) -> list[Notification]:
    return list(
        db.session.scalars(
            select(Notification).where(
                Notification.case_id == case.id, Notification.template == template
            )
        )
    )


def test_blocking_the_bot_sends_our_messages_by_sms_until_she_unblocks(
    client: FlaskClient,
) -> None:
    case = _proposed(client)  # her chat is linked to her number
    assert [n.channel for n in _notices(case, "resolution_proposed")] == ["telegram"]

    blocked = tg.membership(CHAT, "kicked")
    answer = post(client, blocked)
    assert answer.status_code == 200 and "text" not in answer.get_json()  # no reply to a block
    assert people.opted_out("telegram", str(CHAT))
    _tell(case, "officer_message")
    assert [(n.channel, n.address) for n in _notices(case, "officer_message")] == [("sms", HER)]

    post(client, tg.membership(CHAT, "member"))
    assert not people.opted_out("telegram", str(CHAT))
    _tell(case, "referred")
    assert [n.channel for n in _notices(case, "referred")] == ["telegram"]
    # The old block delivered again (Telegram retries) changes nothing: one update, once.
    assert post(client, blocked).status_code == 200
    assert not people.opted_out("telegram", str(CHAT))
    rows = db.session.scalars(
        select(ReceivedMessage.kind).where(
            ReceivedMessage.channel == "telegram",
            ReceivedMessage.external_id == str(blocked["update_id"]),
        )
    )
    assert list(rows) == ["blocked"]


def test_a_voice_note_can_be_the_whole_complaint(client: FlaskClient, bot: tg.FakeTelegram) -> None:
    say(client, tg.text(CHAT, "/file"))
    say(client, tg.text(CHAT, reference.current().categories["contributions"].name_km))
    ask = say(client, tg.text(CHAT, reference.current().provinces["KH-8"].name_km))
    assert khmer(ask["text"])
    bot.add_file("AwACAgUAAxkBAAIBphoto", jpeg_with_gps())
    got = say(client, tg.photo(CHAT, "AwACAgUAAxkBAAIBphoto"))
    assert label(conversations.SEND) in buttons(got)
    before = case_count()
    words = say(client, tg.text(CHAT, label(conversations.SEND)))  # a photo says nothing
    assert case_count() == before and label(conversations.CANCEL) in buttons(words)

    bot.add_file("AwACAgUAAxkBAAIBvoice", amr(3))
    say(client, tg.voice(CHAT, "AwACAgUAAxkBAAIBvoice", duration=3))
    filed = say(client, tg.text(CHAT, label(conversations.SEND)))
    codes = CODES.search(ascii_digits(filed["text"]))
    assert codes, filed["text"]
    case = db.session.scalar(select(Case).where(Case.reference == codes.group(1)))
    assert case is not None and case.listen_first
    kept = db.session.scalars(select(Attachment).where(Attachment.case_id == case.id))
    assert sorted(a.content_type for a in kept) == ["audio/amr", "image/jpeg"]


def test_she_can_ask_for_discreet_messages_while_filing(client: FlaskClient) -> None:
    say(client, tg.contact(CHAT, "85512345678", user_id=CHAT))
    say(client, tg.text(CHAT, "/file"))
    say(client, tg.text(CHAT, reference.current().categories["contributions"].name_km))
    say(client, tg.text(CHAT, reference.current().provinces["KH-8"].name_km))
    chosen = say(client, tg.text(CHAT, label(conversations.DISCREET)))
    assert label(conversations.DISCREET) not in buttons(chosen)
    filed = say(client, tg.text(CHAT, "ក្រុមហ៊ុនកាត់ប្រាក់ ប.ស.ស តែមិនបង់"))
    codes = CODES.search(ascii_digits(filed["text"]))
    assert codes, filed["text"]
    case = db.session.scalar(select(Case).where(Case.reference == codes.group(1)))
    assert case is not None and case.confidentiality == "confidential"
    mine = say(client, tg.text(CHAT, label(conversations.CHECK)))
    assert case.reference in mine["text"]
    assert case.category.name_km not in mine["text"]  # discreet from now on

    say(client, tg.text(CHAT, "/file"))  # the next complaint asks again
    say(client, tg.text(CHAT, reference.current().categories["contributions"].name_km))
    ask = say(client, tg.text(CHAT, reference.current().provinces["KH-8"].name_km))
    assert label(conversations.DISCREET) in buttons(ask)
