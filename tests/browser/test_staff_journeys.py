"""Staff journeys through the live app: hotline desk, escalation, oversight export, closures."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import time_machine
from flask import Flask
from flask_babel import force_locale
from sqlalchemy import func, select

from tests.browser.staff import make_staff, sign_in


def active_element(page: Any) -> str:
    """The focused element, as `tag#id` (or `tag[type]` for a button)."""
    return str(
        page.evaluate(
            "(() => { const e = document.activeElement;"
            " return e.tagName.toLowerCase() + (e.id ? '#' + e.id : '[' + e.type + ']'); })()"
        )
    )


def test_hotline_officer_enters_a_call_with_the_keyboard_only(
    desk: Any, live_server: str, live_app: Flask
) -> None:
    from grievance.cases.models import Case
    from grievance.extensions import db
    from grievance.tracking.services import find_case

    sign_in(desk, live_server, make_staff(live_app, "hotline2", "intake"))
    desk.goto(f"{live_server}/hotline")  # from here on, the keyboard only
    kb = desk.keyboard
    # The phone field has the focus as the page opens (autofocus is applied once the page
    # has rendered, so wait for it): the officer just starts typing.
    desk.wait_for_function("document.activeElement && document.activeElement.id === 'phone'")
    assert active_element(desk) == "input#phone"
    kb.type("012 345 678")
    kb.press("Tab")
    assert active_element(desk) == "select#category"
    kb.type("Pension")  # typing chooses in a closed list
    kb.press("Tab")
    assert active_element(desk) == "select#province"
    kb.type("Takeo")
    kb.press("Tab")
    assert active_element(desk) == "textarea#description"
    kb.type("My pension has not been paid for three months.")
    kb.press("Tab")
    assert active_element(desk) == "select#sex"
    for _ in range(3):  # arrow keys: up from "Not stated" (the default) to "Female", the first
        if desk.eval_on_selector("#sex", "e => e.value") == "female":
            break
        kb.press("ArrowUp")
    assert desk.eval_on_selector("#sex", "e => e.value") == "female"
    for _ in range(10):  # on past the optional fields to the Save button
        kb.press("Tab")
        if active_element(desk) == "button[submit]":
            break
    assert desk.evaluate("document.activeElement.textContent").strip() == "Save and show the codes"
    with desk.expect_navigation():
        kb.press("Enter")

    assert desk.locator("h1").inner_text() == "Case filed"
    reference, secret = (
        v.strip() for v in desk.locator(".secret-card .secret-value").all_inner_texts()
    )
    assert "345" not in desk.inner_text("main")  # the SMS line shows the number masked
    # The two codes read back to the caller open the case.
    with live_app.app_context():
        case = db.session.get(Case, find_case(reference, secret))
        assert case is not None
        assert (case.reference, case.channel) == (reference, "hotline")
        assert (case.category.code, case.province_code) == ("pension", "KH-21")
        assert case.complainant is not None
        assert (case.complainant.phone, case.complainant.sex) == ("+85512345678", "female")
    # Next call: the same form again, focus back on the phone field.
    with desk.expect_navigation():
        kb.press("Enter")
    desk.wait_for_function("document.activeElement && document.activeElement.id === 'phone'")
    assert active_element(desk) == "input#phone"


def _local_workday_noon(start: datetime) -> datetime:
    """The first weekday noon (Phnom Penh, UTC+7) at least a day after `start`."""
    day = start + timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day.replace(hour=5, minute=0, second=0, microsecond=0)


def test_supervisor_sees_an_overdue_case_escalate_after_time_moves_on(
    desk: Any, live_server: str, live_app: Flask
) -> None:
    from grievance.cases.models import Case
    from grievance.extensions import db
    from grievance.queues.models import Queue
    from grievance.sla.sweep import sweep
    from grievance.uow import checkpoint as commit
    from tests.browser.harness import run_queued_jobs
    from tests.factories import make_case

    with live_app.app_context():
        case = make_case(province_code="KH-12").case
        commit()
        reference, due, case_id = case.reference, case.resolve_due_at, case.id
    assert due is not None
    staff = make_staff(live_app, "supervisor4", "supervisor")

    # Weeks later, nobody has answered: past the resolve deadline, on a working day. The
    # province office's own time runs out too: the case reaches the national unit.
    with live_app.app_context():
        sweep(_local_workday_noon(due))
        commit()
        level_one_due = db.session.get(Case, case_id).resolve_due_at
    assert level_one_due is not None
    with time_machine.travel(_local_workday_noon(level_one_due), tick=True):
        with live_app.app_context():
            result = sweep()
            commit()
        assert result.breached >= 1 and result.escalated >= 1, result

        run_queued_jobs(live_app, "notifications")  # with Redis, the notices are jobs

        # The supervisor is told, and follows the notice to the case.
        sign_in(desk, live_server, staff)
        desk.goto(f"{live_server}/notifications?lang=en")
        # Deadline notices come digested into one line; she opens them.
        desk.locator("#digest-deadlines").get_by_role("link").click()
        desk.wait_for_load_state()
        notice = desk.locator("main li", has_text=f"Case {reference} has passed its deadline")
        assert notice.count() >= 1, desk.inner_text("main")
        desk.goto(f"{live_server}/cases/{reference}?lang=en")
        sla = desk.locator("#sla").inner_text()
        assert "National grievance unit" in sla, sla
        timeline = desk.locator("ol.timeline").inner_text()
        assert "Escalate" in timeline, timeline
        assert "Deadline missed" in timeline, timeline

        # The case now waits in the national unit's queue, in the supervisor's view of it.
        desk.goto(f"{live_server}/workspace/queues/national?lang=en")
        assert desk.locator("table.cases", has_text=reference).count() == 1
    with live_app.app_context():
        row = db.session.execute(
            select(Case.escalation_level, Queue.code)
            .join(Queue, Queue.id == Case.queue_id)
            .where(Case.reference == reference)
        ).one()
        assert tuple(row) == (2, "national")


def test_oversight_user_downloads_a_csv_without_personal_data(
    desk: Any, live_server: str, live_app: Flask
) -> None:
    from grievance.cases.models import Case
    from grievance.cases.services import PersonData
    from grievance.extensions import db
    from grievance.uow import checkpoint as commit
    from tests.factories import make_case

    people = [PersonData(name=f"Chea Sophal {n}", phone=f"+8551234567{n}") for n in range(3)]
    with live_app.app_context():
        for person in people:
            make_case(province_code="KH-23", complainant=person)
        make_case(province_code="KH-23", confidentiality="restricted")
        commit()
        expected = db.session.scalar(
            select(func.count(Case.id)).where(
                Case.province_code == "KH-23", Case.confidentiality != "restricted"
            )
        )
    assert expected is not None and expected >= 3

    sign_in(desk, live_server, make_staff(live_app, "oversight5", "oversight"))
    desk.goto(f"{live_server}/oversight?lang=en")
    assert desk.locator("h1").inner_text() == "Oversight"
    desk.get_by_role("link", name="Export cases").click()
    assert desk.locator("h1").inner_text() == "Export cases"
    form = desk.locator("form[method=get]", has_text="Download CSV")
    form.locator("select[name=province]").select_option("KH-23")
    with desk.expect_download() as info:
        form.locator("button[type=submit]").click()
    download = info.value
    assert download.suggested_filename.endswith(".csv")
    text = Path(download.path()).read_text(encoding="utf-8")

    rows = list(csv.reader(io.StringIO(text)))
    from grievance.oversight.exports import HEADERS

    assert rows[0] == HEADERS
    assert len(rows) - 1 == expected
    assert {row[HEADERS.index("province")] for row in rows[1:]} == {"KH-23"}
    assert "restricted" not in {row[HEADERS.index("confidentiality")] for row in rows[1:]}
    for row in rows[1:]:  # machine-readable: ISO times, whatever the page's language
        datetime.fromisoformat(row[HEADERS.index("created_at")])
    for person in people:
        assert person.name is not None and person.name not in text
        assert person.phone is not None and person.phone[4:] not in text


def test_admin_adds_a_closure_and_an_open_case_deadline_moves_later(
    desk: Any, live_server: str, live_app: Flask
) -> None:
    from grievance.cases.models import Case
    from grievance.extensions import db
    from grievance.formats import local_time
    from grievance.uow import checkpoint as commit
    from tests.browser.harness import run_queued_jobs
    from tests.factories import make_case

    with live_app.app_context():
        case = make_case(province_code="KH-25").case
        commit()
        reference, before = case.reference, case.resolve_due_at
    assert before is not None
    staff = make_staff(live_app, "admin6", "admin")
    sign_in(desk, live_server, staff)

    desk.goto(f"{live_server}/cases/{reference}?lang=en")
    shown_before = desk.locator("#sla").inner_text()

    # A provincial closure over the week before the deadline, in the admin's calendar page.
    first = (before - timedelta(days=10)).date()
    last = (before - timedelta(days=4)).date()
    desk.goto(f"{live_server}/sla/calendar?lang=en")
    desk.fill("#start", first.isoformat())
    desk.fill("#end", last.isoformat())
    desk.select_option("#provinces", "KH-25")
    desk.fill("#reason", "Provincial office flooded")
    desk.locator("form", has_text="Save closure").locator("button[type=submit]").click()
    desk.wait_for_load_state()
    assert "Provincial office flooded" in desk.inner_text("main")
    run_queued_jobs(live_app, "sla")  # with Redis the recalculation is a job on "sla"

    with live_app.app_context():
        after = db.session.scalar(select(Case.resolve_due_at).where(Case.reference == reference))
    assert after is not None and after > before + timedelta(days=4), (before, after)
    with live_app.test_request_context(), force_locale("en"):
        old_text, new_text = local_time(before), local_time(after)
    assert old_text in shown_before
    desk.goto(f"{live_server}/cases/{reference}?lang=en")
    shown_after = desk.locator("#sla").inner_text()
    assert new_text in shown_after and old_text not in shown_after, shown_after
