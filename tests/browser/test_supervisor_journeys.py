"""Journey 5: Channa clears her inbox in Chromium: an appeal nobody could be given yet,
which she gives to an eligible officer other than the one who answered, and a rejection
she approves with the officer's reason beside the button."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

from tests.browser.staff import make_staff, sign_in

SHOTS = Path("/tmp/samleng-journey5")  # noqa: S108  (screenshots to look at, not kept)
REASON = "The employer is a sole trader outside NSSF coverage."


def _shot(page: Any, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _cases(app: Flask) -> dict[str, str]:
    """In Banteay Meanchey: a restricted appeal whose only designated officer gave the
    answer (so nobody could be given it), and a rejection waiting for approval."""
    from sqlalchemy import select

    from grievance.auth.models import User
    from grievance.cases import transitions
    from grievance.extensions import db
    from grievance.queues.models import Queue
    from grievance.uow import checkpoint as commit
    from tests.factories import make_case

    supervisor = transitions.Actor(id=None, roles=frozenset({"supervisor"}))
    with app.app_context():
        users = {
            u.username: u
            for u in db.session.scalars(
                select(User).where(User.username.in_(["channa6", "decider6", "officer6"]))
            )
        }
        db.session.add(
            Queue(
                code="restricted-kh-1",
                name_en="Restricted, Banteay Meanchey",
                name_km="ករណីហាមឃាត់ បន្ទាយមានជ័យ",
                province_code="KH-1",
                restricted=True,
                position=5,
                members=[users["channa6"], users["decider6"]],
            )
        )
        db.session.flush()
        appeal = make_case(
            province_code="KH-1", confidentiality="restricted", prefers_woman_officer=True
        ).case
        decider = transitions.actor_for(users["decider6"])
        transitions.apply(appeal, "acknowledge", supervisor)
        transitions.apply(appeal, "assign", supervisor, {"assignee_id": users["decider6"].id})
        transitions.apply(appeal, "start_work", decider)
        transitions.apply(appeal, "propose_resolution", decider, {"resolution": "Paid."})
        transitions.apply(appeal, "appeal", transitions.COMPLAINANT, {"reason": "Not paid."})
        rejection = make_case(province_code="KH-1").case
        officer = transitions.actor_for(users["officer6"])
        transitions.apply(rejection, "acknowledge", supervisor)
        transitions.apply(rejection, "assign", supervisor, {"assignee_id": users["officer6"].id})
        transitions.apply(rejection, "start_work", officer)
        transitions.apply(rejection, "propose_rejection", officer, {"reason": REASON})
        commit()  # the appeal's routing job runs now, and finds nobody
        return {"appeal": appeal.reference, "rejection": rejection.reference}


def test_channa_clears_an_appeal_and_a_rejection_from_her_inbox(
    desk: Any, live_server: str, live_app: Flask
) -> None:
    from sqlalchemy import select

    from grievance.auth.models import User
    from grievance.cases.models import Case
    from grievance.extensions import db
    from grievance.queues.models import Queue
    from grievance.uow import checkpoint as commit

    channa = make_staff(live_app, "channa6", "supervisor", province="KH-1", name="Channa")
    make_staff(live_app, "decider6", "officer", province="KH-1", sex="female", name="Decider")
    make_staff(live_app, "officer6", "officer", province="KH-1", sex="female", name="Sokha")
    refs = _cases(live_app)
    sign_in(desk, live_server, channa)

    desk.get_by_role("link", name="Inbox").click()
    desk.wait_for_load_state()
    appeals = desk.locator("#inbox-appeals")
    assert refs["appeal"] in appeals.inner_text()
    assert "Nobody may review it yet" in appeals.inner_text()
    rejections = desk.locator("#inbox-rejections")
    assert REASON in rejections.inner_text()
    assert "The complainant will read this reason if you approve." in rejections.inner_text()
    _shot(desk, "channa-inbox")

    # A new designated officer joins; Channa gives her the appeal from the case page.
    make_staff(live_app, "reviewer6", "officer", province="KH-1", sex="female", name="Reviewer")
    with live_app.app_context():
        queue = db.session.scalar(select(Queue).where(Queue.code == "restricted-kh-1"))
        reviewer = db.session.scalar(select(User).where(User.username == "reviewer6"))
        assert queue is not None and reviewer is not None
        queue.members.append(reviewer)
        commit()
    appeals.get_by_role("link", name=refs["appeal"]).click()
    desk.wait_for_load_state()
    choices = desk.locator("#reassign-assignee_id option").all_inner_texts()
    assert choices[0] == "Choose an officer"  # nothing preselected
    assert any(c.startswith("Reviewer · Female") for c in choices), choices
    assert not any(c.startswith("Decider") for c in choices), choices  # she answered it
    desk.select_option("#reassign-assignee_id", label=next(c for c in choices if "Reviewer" in c))
    desk.fill("#reassign-reason", "Appeal: a second officer reviews the answer.")
    desk.locator("#act-reassign button[type=submit]").click()
    desk.wait_for_load_state()
    assert "Reassign: done." in desk.locator(".flash").first.inner_text()

    # Back in the inbox: the appeal has its reviewer; the rejection is approved there.
    desk.get_by_role("link", name="Inbox").click()
    desk.wait_for_load_state()
    assert "Reviewer" in desk.locator("#inbox-appeals").inner_text()
    item = desk.locator("#inbox-rejections article", has_text=refs["rejection"])
    item.get_by_role("button", name="Approve rejection").click()  # not confirmed yet
    assert "/workspace/inbox" in desk.url
    with live_app.app_context():
        state = db.session.scalar(select(Case.state).where(Case.reference == refs["rejection"]))
    assert state == "rejection_pending"  # the confirmation box stopped it
    item.get_by_role("checkbox").check()
    item.get_by_role("button", name="Approve rejection").click()
    desk.wait_for_load_state()
    assert "/workspace/inbox" in desk.url
    assert "Approve rejection: done." in desk.locator(".flash").first.inner_text()
    assert refs["rejection"] not in desk.locator("#inbox-rejections").inner_text()
    _shot(desk, "channa-inbox-cleared")
    with live_app.app_context():
        rows = dict(
            db.session.execute(
                select(Case.reference, Case.state).where(Case.reference.in_(list(refs.values())))
            ).all()
        )
    assert rows == {refs["appeal"]: "appealed", refs["rejection"]: "rejected"}
