"""Whole journeys through the live app, as the people using it would take them."""

from __future__ import annotations

import re
from typing import Any

KHMER = re.compile("[\u1780-\u17ff]")


def file_complaint(page: Any, base: str) -> tuple[str, str]:
    """Files a complaint through the public form; returns (reference, secret) as shown."""
    page.goto(base + "/file?lang=km")
    page.fill("#description", "ក្រុមហ៊ុនមិនបានបង់ប្រាក់ឈ្នួលខែមុនឱ្យខ្ញុំទេ។")
    page.locator("input[name=category]").first.check()
    page.select_option("#province", index=1)
    page.locator("button[type=submit].primary").click()
    values = page.locator(".secret-card .secret-value").all_inner_texts()
    assert len(values) == 2, page.content()
    return values[0].strip(), values[1].strip()


def in_khmer(app: Any, msgid: str) -> str:
    from flask_babel import force_locale, gettext

    with app.test_request_context(), force_locale("km"):
        return str(gettext(msgid))


def test_worker_files_in_khmer_on_a_phone_and_tracks_the_case(
    phone: Any, live_server: str, live_app: Any
) -> None:
    reference, secret = file_complaint(phone, live_server)
    assert KHMER.search(phone.locator("h1").inner_text())
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}", reference)
    assert len(secret.replace("-", "")) == 12

    # Later, on the same phone: the tracking page, typing what was written down.
    phone.goto(live_server + "/track")
    phone.fill("#reference", reference.lower().replace("-", " "))
    phone.fill("#secret", secret)
    phone.locator("button[type=submit].primary").click()

    assert reference in phone.locator("h1").inner_text()
    state = phone.locator("#state-h").inner_text()
    assert state == in_khmer(live_app, "Received") and KHMER.search(state), state
    assert phone.locator("html").get_attribute("lang") == "km"
    timeline = phone.locator("ol.timeline").inner_text()
    assert KHMER.search(timeline)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360


PASSWORD = "correct horse battery"


SEEDS: dict[str, str] = {}  # officers' authenticator seeds (they sign in with a code too)


def make_officer(username: str) -> None:
    from grievance.auth import totp
    from grievance.crypto import seal
    from grievance.uow import checkpoint as commit
    from tests.factories import make_user

    user = make_user("officer", username=username, name="Sokha Chan")
    SEEDS[username] = totp.new_seed()
    user.totp_secret = seal(SEEDS[username], totp.PURPOSE)
    commit()


def sign_in(page: Any, base: str, username: str) -> None:
    from tests.browser.staff import Staff, fresh_code

    page.goto(base + "/login?lang=en")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.locator("form button[type=submit]").click()
    page.wait_for_load_state()
    if "/login/code" in page.url:
        page.fill("#code", fresh_code(Staff(username, SEEDS[username])))
        page.locator("form button[type=submit]").click()
        page.wait_for_load_state()


def act(page: Any, name: str, text: str = "") -> None:
    form = page.locator(f"#act-{name}")
    if text:
        form.locator("textarea").first.fill(text)
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()


def track(page: Any, base: str, reference: str, secret: str) -> None:
    page.goto(base + "/track")
    page.fill("#reference", reference)
    page.fill("#secret", secret)
    page.locator("button[type=submit].primary").click()


def test_officer_asks_complainant_answers_officer_resolves_complainant_rates(
    phone: Any, desk: Any, live_server: str, in_app: Any
) -> None:
    make_officer("journey3")
    reference, secret = file_complaint(phone, live_server)

    sign_in(desk, live_server, "journey3")
    desk.goto(f"{live_server}/cases/{reference}?lang=en")
    for step in ("acknowledge", "claim", "start_work"):
        act(desk, step)
    act(desk, "request_information", "Which months were not paid?")
    assert "Which months were not paid?" in desk.locator("ol.timeline").inner_text()

    # The complainant sees the question on the status page and answers it.
    track(phone, live_server, reference, secret)
    assert "Which months were not paid?" in phone.locator(".track-message").inner_text()
    answer = phone.locator("#step-provide_information")
    answer.locator("textarea").fill("ខែមីនា និង ខែមេសា។")
    answer.locator("button[type=submit]").click()
    assert phone.locator("#step-provide_information").count() == 0

    desk.reload()
    assert "ខែមីនា និង ខែមេសា។" in desk.locator("ol.timeline").inner_text()
    act(desk, "propose_resolution", "The employer will pay both months by Friday.")

    track(phone, live_server, reference, secret)
    message = phone.locator(".track-message").inner_text()
    assert "The employer will pay both months by Friday." in message
    accept = phone.locator("#step-accept_resolution")
    accept.locator("input[type=radio]").last.check()
    accept.locator("button[type=submit]").click()
    assert phone.locator("#step-accept_resolution").count() == 0

    desk.reload()
    timeline = desk.locator("ol.timeline").inner_text()
    for step in (
        "Filed",
        "Acknowledge",
        "Take this case",
        "Start work",
        "Request information",
        "Send my answer",
        "Propose a resolution",
        "Accept the answer",
    ):
        assert step in timeline, (step, timeline)
    assert re.search(r"Rating:\s*5", timeline), timeline
    assert "Closed" in desk.locator("main").inner_text()
