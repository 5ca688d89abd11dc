"""Journey 7: a case is hidden only by two people. She files on her phone and later asks the
hotline to withdraw it; the intake officer asks, the case stays as it is; a supervisor of
the province approves from her inbox; her status page and her SMS then say it, once."""

from __future__ import annotations

from typing import Any

from flask import Flask

from tests.browser.staff import make_staff, sign_in
from tests.browser.test_complainant_journeys import codes_on, fill_complaint, last_sms, shot
from tests.browser.test_journeys import in_khmer, track

REASON = "She called the hotline: her employer paid the arrears."


def _state(app: Flask, reference: str) -> str:
    from sqlalchemy import select

    from grievance.cases.models import Case
    from grievance.extensions import db

    with app.app_context():
        return str(db.session.scalar(select(Case.state).where(Case.reference == reference)))


def _sent(app: Flask, reference: str, template: str) -> list[tuple[str, int | None]]:
    from sqlalchemy import select

    from grievance.cases.models import Case
    from grievance.extensions import db
    from notifications.models import Notification

    with app.app_context():
        rows = db.session.execute(
            select(Notification.channel, Notification.user_id)
            .join(Case, Case.id == Notification.case_id)
            .where(Case.reference == reference, Notification.template == template)
        )
        return [(channel, user_id) for channel, user_id in rows]


def test_officer_asks_supervisor_approves_and_she_is_told(
    phone: Any, desk: Any, browser: Any, live_server: str, live_app: Flask
) -> None:
    fill_complaint(phone, live_server, phone="012 777 301", ask_sms=True)
    reference, secret = codes_on(phone)

    asker = make_staff(live_app, "asker7", "intake", province="KH-12", name="Dara")
    sign_in(desk, live_server, asker)
    desk.goto(f"{live_server}/cases/{reference}?lang=en")
    form = desk.locator("#act-withdraw_for_complainant")
    assert "A supervisor must approve this" in form.inner_text()
    desk.fill("#withdraw_for_complainant-reason", REASON)
    form.locator("button[type=submit]").click()
    desk.wait_for_load_state()
    assert "Asked. A supervisor must approve" in desk.locator(".flash").first.inner_text()
    assert "Waiting for a supervisor" in desk.locator(".pending-request").inner_text()
    assert desk.locator("#act-withdraw_for_complainant").count() == 0
    assert desk.locator(".pending-request button").count() == 0  # she cannot approve it
    shot(desk, "7-asked")
    assert _state(live_app, reference) == "submitted"
    assert _sent(live_app, reference, "withdrawn_for_you") == []

    boss = make_staff(live_app, "boss7", "supervisor", province="KH-12", name="Channa")
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        supervisor = context.new_page()
        sign_in(supervisor, live_server, boss)
        supervisor.get_by_role("link", name="Inbox").click()
        supervisor.wait_for_load_state()
        item = supervisor.locator("#inbox-requests article", has_text=reference)
        assert REASON in item.inner_text() and "Dara" in item.inner_text()
        item.get_by_role("button", name="Approve").click()  # not confirmed: nothing happens
        assert _state(live_app, reference) == "submitted"
        item.get_by_role("checkbox").check()
        item.get_by_role("button", name="Approve").click()
        supervisor.wait_for_load_state()
        assert "/workspace/inbox" in supervisor.url
        flash = supervisor.locator(".flash").first.inner_text()
        assert "The complainant is told." in flash, flash
        assert reference not in supervisor.locator("#inbox-requests").inner_text()
        shot(supervisor, "7-approved")
    finally:
        context.close()
    assert _state(live_app, reference) == "withdrawn"

    # Her phone: the SMS says it, once; her status page says it, in Khmer.
    text = last_sms(live_app, reference, "withdrawn_for_you")
    assert reference in text
    assert _sent(live_app, reference, "withdrawn_for_you") == [("sms", None)]
    track(phone, live_server, reference, secret)
    phone.wait_for_load_state()
    assert in_khmer(live_app, "Withdrawn") in phone.inner_text("main")
    shot(phone, "7-her-status")

    # The intake officer is told the supervisor approved.
    desk.goto(f"{live_server}/cases/{reference}?lang=en")
    assert desk.locator(".pending-request").count() == 0
    assert [user for _c, user in _sent(live_app, reference, "approval_given")] != []
