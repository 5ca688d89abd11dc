"""Journeys 1 and 2 on Telegram, the roles in turn: Sreyneang files in Khmer from her
sister's phone with a voice note and a photo, gets her codes, answers the officer's
question by voice and accepts and rates the answer, all in the chat; the officer works
the case in Chromium and plays her voice notes. Telegram is the fake Bot API: updates are
POSTed to the live webhook, the webhook's answers are carried out as Telegram would, and
every message the chat received is read as she would read it (Khmer, and nothing that
tells her sister what the complaint is about: a harassment complaint is discreet)."""

from __future__ import annotations

import html
import json
import re
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from tests import fake_telegram as tg
from tests.browser.harness import PHONE, run_queued_jobs
from tests.browser.staff import make_staff, sign_in
from tests.browser.test_complainant_journeys import shot
from tests.browser.test_voice_notes import DURATION
from tests.intake.helpers import jpeg_with_gps
from tests.recordings import needs_ffmpeg, recording

SECRET = "journey-webhook-secret"
CHAT = 8_850_123
HER = "+85512777001"
CODES = re.compile(r"([0-9A-Z]{4}-[0-9A-Z]{4})\D+([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})")
WORDS = "ក្រោយខ្ញុំតវ៉ា មេក្រុមកាត់ម៉ោងបន្ថែមរបស់ខ្ញុំ ហើយស្រែកដាក់ខ្ញុំរាល់ថ្ងៃ"
QUESTION = "Which days did the line leader shout at you, and who saw it?"
ANSWER = "The line leader was moved to another building and your overtime is restored."
KHMER = re.compile("[\u1780-\u17ff]")


@pytest.fixture
def bot(live_app: Flask, monkeypatch: pytest.MonkeyPatch) -> Iterator[tg.FakeTelegram]:
    with tg.FakeTelegram() as fake:
        cfg = live_app.config["SAMLENG"]
        monkeypatch.setattr(cfg, "TELEGRAM_WEBHOOK_SECRET", SECRET)
        monkeypatch.setattr(cfg, "TELEGRAM_BOT_TOKEN", fake.token)
        monkeypatch.setattr(cfg, "TELEGRAM_API_BASE", fake.url)
        yield fake


class Telegram:
    """Plays Telegram between her phone and the bot: POSTs her updates to the webhook and
    carries out the method call the webhook answers with on the Bot API."""

    def __init__(self, base: str, fake: tg.FakeTelegram, app: Flask) -> None:
        self.base, self.fake, self.app = base, fake, app

    def send(self, update: dict[str, Any]) -> dict[str, Any]:
        request = urllib.request.Request(
            self.base + "/telegram/webhook",
            data=json.dumps(update).encode(),
            headers={"Content-Type": "application/json", tg_header(): SECRET},
        )
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            call = json.loads(response.read())
        if call.get("method"):
            method = call.pop("method")
            api = f"{self.fake.url}/bot{self.fake.token}/{method}"
            body = json.dumps(call).encode()
            forward = urllib.request.Request(
                api, data=body, headers={"Content-Type": "application/json"}
            )
            urllib.request.urlopen(forward, timeout=10).close()  # noqa: S310
        run_queued_jobs(self.app, "notifications")  # with Redis: the worker sends notices
        return dict(call)


def text_of(answer: dict[str, Any]) -> str:
    return str(answer.get("text", ""))


def buttons(answer: dict[str, Any]) -> list[str]:
    rows = answer.get("reply_markup", {}).get("keyboard", [])
    return [b["text"] for row in rows for b in row]


def tg_header() -> str:
    return "X-Telegram-Bot-Api-Secret-Token"


def khmer(app: Flask, msgid: str) -> str:
    from flask_babel import force_locale, gettext

    with app.test_request_context(), force_locale("km"):
        return str(gettext(msgid))


def chat_screenshot(browser: Any, base: str, texts: list[str], name: str) -> None:
    """The chat as her phone shows it (in the app's Khmer font), for people reviewing
    the journey."""
    page = browser.new_context(viewport=PHONE).new_page()
    page.goto(base + "/?lang=km")
    bubbles = "".join(
        "<p style='background:#e7f0fb;border-radius:8px;padding:8px;margin:8px 0;"
        f"white-space:pre-wrap'>{html.escape(t)}</p>"
        for t in texts
    )
    page.evaluate("html => { document.querySelector('main').innerHTML = html; }", bubbles)
    shot(page, name)
    page.context.close()


@needs_ffmpeg
def test_sreyneang_files_answers_by_voice_and_rates_on_telegram(
    live_app: Flask, live_server: str, desk: Any, browser: Any, bot: tg.FakeTelegram
) -> None:
    from grievance import reference
    from grievance.queues.models import Queue
    from grievance.uow import checkpoint as commit
    from tests.queues.helpers import join

    her = Telegram(live_server, bot, live_app)
    with live_app.app_context():
        snapshot = reference.current()
        category = snapshot.categories["harassment_retaliation"]
        kandal = snapshot.provinces["KH-8"].name_km
    t = lambda msgid: khmer(live_app, msgid)  # noqa: E731

    # Her phone: the contact button links the chat to her number; then the steps.
    welcome = her.send(tg.text(CHAT, "/start"))
    assert KHMER.search(text_of(welcome)) and t("File a complaint") in buttons(welcome)
    her.send(tg.contact(CHAT, HER.lstrip("+"), user_id=CHAT))
    ask = her.send(tg.text(CHAT, t("File a complaint")))
    assert category.name_km in buttons(ask)
    her.send(tg.text(CHAT, category.name_km))
    her.send(tg.text(CHAT, kandal))
    bot.add_file("AwACAgUAAxkBAAIvoice1", recording("ogg", seconds=8))
    her.send(tg.voice(CHAT, "AwACAgUAAxkBAAIvoice1", duration=8))
    bot.add_file("AgACAgUAAxkBAAIphoto1", jpeg_with_gps())
    got = her.send(tg.photo(CHAT, "AgACAgUAAxkBAAIphoto1"))
    assert t("Send my complaint") in buttons(got)
    filed = text_of(her.send(tg.text(CHAT, t("Send my complaint"))))
    codes = CODES.search(filed)
    assert codes, filed
    ref, secret = codes.group(1), codes.group(2)
    assert secret in filed

    # The officer, in Chromium: listen first, play her note, ask a question.
    officer = make_staff(live_app, "tg-officer", "officer", "supervisor")
    with live_app.app_context():
        from grievance.auth.models import User
        from grievance.extensions import db

        user = db.session.query(User).filter_by(username="tg-officer").one()
        if db.session.query(Queue).filter_by(code="restricted").first() is not None:
            join(user, "restricted")
        commit()
    run_queued_jobs(live_app, "default")  # the playable copy, if one is needed
    sign_in(desk, live_server, officer)
    desk.goto(f"{live_server}/cases/{ref}?lang=en")
    assert "Listen first" in desk.inner_text("main")
    # A restricted case: its files open to the officer who takes it.
    for step in ("acknowledge", "claim"):
        desk.locator(f"#act-{step} button[type=submit]").click()
        desk.wait_for_load_state()
    main = desk.inner_text("main")
    assert "Listen first" in main and "0:08" in main, main
    audio = desk.locator("section.evidence audio")
    assert audio.count() == 1 and 7 < audio.first.evaluate(DURATION) < 9
    audio.first.evaluate("a => a.play()")
    assert desk.locator("section.evidence img, section.evidence a[href*='/files/']").count() >= 1
    shot(desk, "telegram-officer-listens")
    desk.locator("#act-start_work button[type=submit]").click()
    desk.wait_for_load_state()
    form = desk.locator("#act-request_information")
    form.locator("textarea").first.fill(QUESTION)
    form.locator("button[type=submit]").click()
    desk.wait_for_load_state()
    run_queued_jobs(live_app, "notifications")
    asked = bot.texts_to(CHAT)[-1]
    assert QUESTION[:15] not in asked and "/t/" in asked  # discreet: only a way in

    # She answers by voice in the chat.
    bot.add_file("AwACAgUAAxkBAAIvoice2", recording("ogg", seconds=5))
    answered = her.send(tg.voice(CHAT, "AwACAgUAAxkBAAIvoice2", duration=5))
    assert ref in text_of(answered)
    desk.reload()
    assert desk.locator("section.evidence audio").count() == 2
    shot(desk, "telegram-officer-answer")
    form = desk.locator("#act-propose_resolution")
    form.locator("textarea").first.fill(ANSWER)
    form.locator("button[type=submit]").click()
    desk.wait_for_load_state()
    run_queued_jobs(live_app, "notifications")

    # She accepts and rates in the chat.
    mine = her.send(tg.text(CHAT, t("Check my cases")))
    assert ref in text_of(mine) and t("Accept the answer") in buttons(mine)
    her.send(tg.text(CHAT, t("Accept the answer")))
    thanks = her.send(tg.text(CHAT, "៥"))
    assert ref in text_of(thanks)
    desk.reload()
    assert "Closed" in desk.inner_text("main")
    shot(desk, "telegram-officer-closed")

    # Every message her chat got, as she (or her sister) reads it.
    texts = bot.texts_to(CHAT)
    chat_screenshot(browser, live_server, texts, "telegram-chat")
    assert len(texts) >= 14
    for text in texts:
        assert KHMER.search(text), text
        for secret_of_hers in (category.name_km, category.name_en, QUESTION[:15], ANSWER[:15]):
            assert secret_of_hers not in text, text
    notices = [t for t in texts if "/t/" in t]
    assert len(notices) >= 3  # the question, the proposal, the closing: each a way in
