"""Journeys 1 and 2: the complainant never loses her case. A phone at 360 px with
JavaScript off, Khmer first; the officer at a desk; SMS read as she reads them (the outbox
files the relay writes) and her replies sent in Twilio's webhook format."""

from __future__ import annotations

import os
import re
import urllib.parse
import urllib.request
from typing import Any

from flask import Flask

from tests.browser.harness import run_queued_jobs
from tests.browser.staff import make_staff, sign_in
from tests.browser.test_journeys import KHMER, in_khmer, track
from tests.factories import swapped

TWILIO_TOKEN = "browser-journey-token"


def shot(page: Any, name: str) -> None:
    """A full-page screenshot into $JOURNEY_SHOTS, for people reviewing the journey."""
    folder = os.environ.get("JOURNEY_SHOTS")
    if folder:
        page.screenshot(path=f"{folder}/{name}.png", full_page=True)


def fill_complaint(page: Any, base: str, phone: str = "", ask_sms: bool = False) -> None:
    page.goto(base + "/file?lang=km")
    page.fill("#description", "រោងចក្រកាត់ប្រាក់ប.ស.ស ពីប្រាក់ខែខ្ញុំ ប៉ុន្តែមិនបានបង់ទេ។")
    page.locator("input[name=category]").first.check()
    page.select_option("#province", "KH-12")
    shot(page, "0-form-folded")
    if phone:
        page.locator("details.optional summary").first.click()  # "About you", folded
        page.fill("#phone", phone)
        if ask_sms:
            page.check("#consent_to_contact")
    page.locator("button[type=submit].primary").click()
    page.wait_for_load_state()


def codes_on(page: Any) -> tuple[str, str]:
    values = page.locator(".secret-card .secret-value").all_inner_texts()
    assert len(values) == 2, page.inner_text("main")
    return values[0].strip(), values[1].strip()


def last_sms(app: Flask, reference: str, template: str) -> str:
    """The text of the newest SMS of `template` for the case, as her phone shows it."""
    from sqlalchemy import select

    from grievance.cases.models import Case
    from grievance.extensions import db
    from notifications.models import Notification
    from tests.notifications.test_outbox import outbox_file

    run_queued_jobs(app, "notifications")
    with app.app_context():
        case_id = db.session.scalar(select(Case.id).where(Case.reference == reference))
        row = db.session.scalar(
            select(Notification)
            .where(
                Notification.case_id == case_id,
                Notification.template == template,
                Notification.channel == "sms",
            )
            .order_by(Notification.id.desc())
        )
        assert row is not None and row.status == "sent", template
        return outbox_file(app, row).read_text(encoding="utf-8").split("\n\n", 1)[1]


def sms_count(app: Flask, reference: str) -> int:
    from sqlalchemy import func, select

    from grievance.cases.models import Case
    from grievance.extensions import db
    from notifications.models import Notification

    with app.app_context():
        return db.session.scalar(
            select(func.count(Notification.id))
            .join(Case, Case.id == Notification.case_id)
            .where(Case.reference == reference, Notification.channel == "sms")
        )


def reply_by_sms(app: Flask, base: str, sender: str, body: str, sid: str) -> str:
    """Her phone's reply, as Twilio posts it to the webhook (signed)."""
    from grievance.integrations.twilio import signature

    settings = app.config["SAMLENG"]
    form = {"From": sender, "To": "+85523999999", "Body": body, "MessageSid": sid}
    form.update({"AccountSid": "AC123", "NumMedia": "0"})
    sign = signature(TWILIO_TOKEN, settings.PUBLIC_BASE_URL + "/sms/inbound", form.items())
    request = urllib.request.Request(
        base + "/sms/inbound",
        data=urllib.parse.urlencode(form).encode(),
        headers={"X-Twilio-Signature": sign},
    )
    with urllib.request.urlopen(request) as response:  # noqa: S310 (the local live server)
        return str(response.read().decode())


def test_codes_survive_reload_and_language_and_no_sms_is_promised(
    phone: Any, live_server: str, live_app: Flask
) -> None:
    fill_complaint(phone, live_server, phone="012 777 100")  # a number, but no SMS asked
    reference, secret = codes_on(phone)
    shot(phone, "1-done-no-sms")
    assert phone.locator("#sms-h").inner_text() == in_khmer(live_app, "No SMS will come")
    assert sms_count(live_app, reference) == 0

    phone.reload()  # what people do on 2G
    assert codes_on(phone) == (reference, secret)
    phone.locator("nav.langs a").click()  # to English and back: the codes stay
    phone.wait_for_load_state()
    assert codes_on(phone) == (reference, secret)
    shot(phone, "2-done-english")
    assert phone.locator("html").get_attribute("lang") == "en"
    phone.locator("nav.langs a").click()
    phone.wait_for_load_state()
    assert codes_on(phone) == (reference, secret)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360

    phone.locator("form button.primary", has_text=in_khmer(live_app, "Check my case")).click()
    phone.wait_for_load_state()
    assert reference in phone.locator("h1").inner_text()  # without retyping anything


def test_she_answers_by_sms_and_the_same_case_resumes(
    phone: Any, desk: Any, browser: Any, live_server: str, live_app: Flask
) -> None:
    settings = live_app.config["SAMLENG"]
    fill_complaint(phone, live_server, phone="012 777 200", ask_sms=True)
    reference, secret = codes_on(phone)
    filed_sms = last_sms(live_app, reference, "filed")
    assert reference in filed_sms and settings.HOTLINE_NUMBER in filed_sms

    officer = make_staff(live_app, "j18officer", "officer")
    sign_in(desk, live_server, officer)
    desk.goto(f"{live_server}/cases/{reference}?lang=en")
    for step in ("acknowledge", "claim", "start_work"):
        desk.locator(f"#act-{step} button[type=submit]").click()
        desk.wait_for_load_state()
    question = "Which months were not paid?"
    desk.locator("#act-request_information textarea").first.fill(question)
    desk.locator("#act-request_information button[type=submit]").click()
    desk.wait_for_load_state()

    # The SMS carries the question, a link that opens her case, and the number to call.
    asked = last_sms(live_app, reference, "information_requested")
    assert question in asked and settings.HOTLINE_NUMBER in asked
    link = re.search(r"https?://\S+/t/\S+", asked)
    assert link is not None, asked
    other_phone = browser.new_context(
        viewport={"width": 360, "height": 740}, java_script_enabled=False
    )
    tapped = other_phone.new_page()
    tapped.goto(live_server + urllib.parse.urlsplit(link.group(0)).path)
    tapped.locator("form button.primary").click()
    tapped.wait_for_load_state()
    assert reference in tapped.locator("h1").inner_text()
    shot(tapped, "3-link-opens-status")
    assert question in tapped.locator(".track-message").inner_text()
    other_phone.close()

    # She answers from her phone's SMS app; it goes to this case, not to a new one.
    settings.TWILIO_AUTH_TOKEN, before = TWILIO_TOKEN, settings.TWILIO_AUTH_TOKEN
    try:
        reply = reply_by_sms(live_app, live_server, "+85512777200", "ខែមីនា និងខែមេសា", "SMj18a")
    finally:
        settings.TWILIO_AUTH_TOKEN = before
    assert reference in reply and KHMER.search(reply)

    desk.reload()
    shot(desk, "4-officer-sees-sms-answer")
    assert "ខែមីនា និងខែមេសា" in desk.locator("ol.timeline").inner_text()
    assert "Being looked into" in desk.locator("p.state").inner_text()  # the clock runs again
    desk.goto(f"{live_server}/notifications?lang=en")
    assert reference in desk.inner_text("main")  # the officer is told

    track(phone, live_server, reference, secret)
    assert phone.locator("#step-provide_information").count() == 0


def test_lost_codes_come_back_only_to_her_and_guessing_never_locks_her_out(
    phone: Any, desk: Any, live_server: str, live_app: Flask
) -> None:
    from tests.tracking.helpers import lookup

    fill_complaint(phone, live_server, phone="012 777 300")
    reference, old_secret = codes_on(phone)

    # She calls: the officer sends a code to the phone on file and types what she reads.
    officer = make_staff(live_app, "j18intake", "officer")
    sign_in(desk, live_server, officer)
    desk.goto(f"{live_server}/cases/{reference}/new-secret?lang=en")
    desk.locator("form", has_text="Send the code").locator("button").click()
    desk.wait_for_load_state()
    code = re.search(r"\b(\d{6})\b", last_sms(live_app, reference, "secret_check"))
    assert code is not None
    desk.fill("#code", code.group(1))
    desk.locator("form", has_text="Give a new secret").locator("button").click()
    desk.wait_for_load_state()
    new_secret = desk.locator(".secret-value").last.inner_text().strip()
    assert new_secret != old_secret

    # Twenty wrong guesses from other clients; the old secret is one of them.
    guesser = live_app.test_client()
    for i in range(20):
        wrong = old_secret if i == 0 else f"{i:04d}-0000-0000"
        assert lookup(guesser, reference, wrong, addr=f"10.9.0.{i + 1}").status_code in (200, 429)

    # Typed as people type it: Khmer digits, spaces, a letter for a look-alike digit.
    from grievance.khmer import khmer_digits

    typed = khmer_digits(reference).replace("-", " ").replace("០", "O").replace("១", "l")
    track(phone, live_server, typed, new_secret.lower())
    assert reference in phone.locator("h1").inner_text()

    # A typo is named as a typo, in Khmer.
    track(phone, live_server, swapped(reference), new_secret)
    mistyped = in_khmer(
        live_app,
        "This reference looks mistyped: one character is wrong or two are swapped. "
        "Check it against your paper or SMS.",
    )
    assert mistyped in phone.inner_text("main")
    shot(phone, "5-typo-named")
