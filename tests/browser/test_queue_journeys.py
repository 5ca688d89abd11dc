"""Journey 4: Vuthy (male) and Bopha (female) work the Phnom Penh queue in Chromium.

Each takes the most urgent case *they* may take, or is told why there is none, in numbers;
Bopha opens the photo and the PDF a complainant filed; a colleague's note does not throw
away the answer she was typing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from tests.browser.staff import make_staff, sign_in

SHOTS = Path("/tmp/samleng-journey4")  # noqa: S108  (screenshots to look at, not kept)
ANSWER = "The employer registered you on 3 March and has paid the nine months owed."


@pytest.fixture
def second_desk(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


def _shot(page: Any, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _flashes(page: Any) -> str:
    return " ".join(page.locator(".flash").all_inner_texts())


def _queue_with_cases(app: Flask, vuthy: str, bopha: str, code: str = "journey4") -> dict[str, str]:
    """A queue of the two officers: a woman-officer case due first, an ordinary one due
    later, one not yet acknowledged."""
    from sqlalchemy import select

    from grievance.auth.models import User
    from grievance.cases import transitions
    from grievance.extensions import db
    from grievance.queues.models import Queue
    from grievance.types import utcnow
    from grievance.uow import checkpoint as commit
    from tests.factories import make_case

    supervisor = transitions.Actor(id=None, roles=frozenset({"supervisor"}))
    with app.app_context():
        members = list(db.session.scalars(select(User).where(User.username.in_([vuthy, bopha]))))
        queue = Queue(code=code, name_en="Journey 4 desk", name_km="តុការងារ ៤", members=members)
        db.session.add(queue)
        db.session.flush()
        refs = {}
        for name, due, woman, acknowledge in (
            ("woman", 1, True, True),
            ("ordinary", 3, False, True),
            ("new", 5, False, False),
        ):
            case = make_case(province_code="KH-12", prefers_woman_officer=woman).case
            case.queue_id = queue.id  # waiting in this queue (as routing would put it)
            if acknowledge:
                transitions.apply(case, "acknowledge", supervisor)
            case.resolve_due_at = utcnow() + timedelta(days=due)
            refs[name] = case.reference
        commit()
    return refs


def test_vuthy_and_bopha_each_take_what_they_may_or_are_told_why(
    desk: Any, second_desk: Any, live_server: str, live_app: Flask
) -> None:
    vuthy = make_staff(live_app, "vuthy4", "officer", province="KH-12", sex="male", name="Vuthy")
    bopha = make_staff(live_app, "bopha4", "officer", province="KH-12", sex="female", name="Bopha")
    refs = _queue_with_cases(live_app, vuthy.username, bopha.username)
    sign_in(desk, live_server, vuthy)
    sign_in(second_desk, live_server, bopha)

    # The counts are what each may take: Vuthy only the ordinary case, Bopha both.
    desk.goto(f"{live_server}/workspace/queues/journey4?lang=en")
    assert desk.locator("#for-me").inner_text() == "1"
    second_desk.goto(f"{live_server}/workspace/queues/journey4?lang=en")
    assert second_desk.locator("#for-me").inner_text() == "2"
    _shot(desk, "vuthy-queue")

    # Vuthy presses first: the woman-officer case is more urgent, but not his to take.
    desk.get_by_role("button", name="Take the most urgent case", exact=True).click()
    desk.wait_for_load_state()
    assert f"/cases/{refs['ordinary']}" in desk.url
    assert f"Case {refs['ordinary']} is now yours." in _flashes(desk)

    second_desk.get_by_role("button", name="Take the most urgent case", exact=True).click()
    second_desk.wait_for_load_state()
    assert f"/cases/{refs['woman']}" in second_desk.url
    assert "Asked for a woman officer" in second_desk.inner_text("main")

    # Nothing acknowledged is left: Vuthy is told why, in numbers, and can take the new one.
    desk.goto(f"{live_server}/workspace/queues/journey4?lang=en")
    desk.get_by_role("button", name="Take the most urgent case", exact=True).click()
    desk.wait_for_load_state()
    said = _flashes(desk)
    assert "No case is waiting that you can take in these queues." in said, said
    assert '1 case needs acknowledging first: use "Acknowledge and take".' in said, said
    _shot(desk, "vuthy-nothing-to-take")
    desk.get_by_role("button", name="Acknowledge and take the most urgent new case").click()
    desk.wait_for_load_state()
    assert f"/cases/{refs['new']}" in desk.url
    assert "is acknowledged and now yours" in _flashes(desk)

    # A woman-officer case Vuthy opens shows him no "Take this case", but the reason.
    desk.goto(f"{live_server}/cases/{refs['woman']}?lang=en")
    assert desk.locator("#act-claim").count() == 0


def test_bopha_opens_the_evidence_and_keeps_her_answer_through_a_colleagues_note(
    desk: Any, live_server: str, live_app: Flask
) -> None:
    from io import BytesIO

    from PIL import Image
    from sqlalchemy import select

    from grievance.auth.models import User
    from grievance.cases import comments, transitions
    from grievance.cases.models import Case
    from grievance.extensions import db
    from grievance.intake import uploads
    from grievance.uow import checkpoint as commit
    from tests.factories import make_case

    bopha = make_staff(
        live_app, "bopha5", "officer", province="KH-12", sex="female", name="Bopha Sok"
    )
    picture = BytesIO()
    Image.new("RGB", (64, 48), (30, 90, 200)).save(picture, "JPEG")
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    supervisor = transitions.Actor(id=None, roles=frozenset({"supervisor"}))
    with live_app.app_context():
        officer = db.session.scalar(select(User).where(User.username == bopha.username))
        assert officer is not None
        case = make_case(province_code="KH-12").case
        uploads.store(
            case,
            [
                uploads.Evidence("image/jpeg", picture.getvalue()),
                uploads.Evidence("application/pdf", pdf, name="contract.pdf"),
            ],
            uploads.Sender("complainant", "filing", "web"),
        )
        transitions.apply(case, "acknowledge", supervisor)
        transitions.apply(case, "assign", supervisor, {"assignee_id": officer.id})
        transitions.apply(case, "start_work", transitions.actor_for(officer))
        commit()
        reference = case.reference
    make_staff(live_app, "dara5", "officer", province="KH-12", name="Dara Colleague")
    sign_in(desk, live_server, bopha)

    desk.goto(f"{live_server}/cases/{reference}?lang=en")
    evidence = desk.locator("section.evidence")
    assert "Photo 1" in evidence.inner_text() and "PDF document 2" in evidence.inner_text()
    thumbnail = evidence.locator("img")
    thumbnail.wait_for()
    assert desk.evaluate("document.querySelector('section.evidence img').naturalWidth") == 64
    _shot(desk, "bopha-case-with-evidence")
    for link in evidence.get_by_role("link", name="Open").all():
        opened = desk.request.get(live_server + str(link.get_attribute("href")))
        assert opened.status == 200
        assert opened.headers["content-type"] in ("image/jpeg", "application/pdf")
    with desk.context.expect_page() as tab:
        evidence.get_by_role("link", name="Open").nth(1).click()
    pdf_tab = tab.value
    pdf_tab.wait_for_load_state()
    assert pdf_tab.url.endswith(tuple("0123456789"))
    pdf_tab.close()

    # She types her answer; meanwhile a colleague adds an internal note to the case.
    desk.fill("#propose_resolution-resolution", ANSWER)
    with live_app.app_context():
        colleague = db.session.scalar(select(User).where(User.username == "dara5"))
        row = db.session.scalar(select(Case).where(Case.reference == reference))
        assert colleague is not None and row is not None
        comments.add_comment(
            row, actor_id=colleague.id, actor_role="officer", text="Called HR.", public=False
        )
        commit()
    desk.locator("#act-propose_resolution button[type=submit]").click()
    desk.wait_for_load_state()
    assert "This case changed" not in desk.inner_text("main")
    main = desk.inner_text("main")
    assert "Answer sent to the complainant" in main and "Dara Colleague" in main
    _shot(desk, "bopha-answer-kept")
    with live_app.app_context():
        saved = db.session.scalar(select(Case.resolution).where(Case.reference == reference))
    assert saved == ANSWER


def test_hotline_officer_in_khmer_files_and_finds_the_callers_cases_by_keyboard(
    desk: Any, live_server: str, live_app: Flask
) -> None:
    """Journey 2: the Khmer interface, a Latin keyboard, the caller waiting."""
    from sqlalchemy import select

    from grievance.cases.models import Case
    from grievance.extensions import db
    from tests.browser.test_staff_journeys import active_element

    sign_in(desk, live_server, make_staff(live_app, "hotline7", "intake"), lang="km")
    desk.goto(f"{live_server}/hotline?lang=km")
    desk.wait_for_function("document.activeElement && document.activeElement.id === 'phone'")
    kb = desk.keyboard
    kb.type("097 555 0101")
    kb.press("Tab")
    assert active_element(desk) == "select#category"
    kb.type("2")  # the second category, by its number
    chosen_category = desk.eval_on_selector("#category", "e => e.value")
    assert chosen_category != ""
    kb.press("Tab")
    kb.type("Takeo")  # the province by its Latin name
    assert desk.eval_on_selector("#province", "e => e.value") == "KH-21"
    kb.press("Tab")
    kb.type("ក្រុមហ៊ុនមិនបានបង់ប្រាក់ ប.ស.ស ឱ្យខ្ញុំទេ។")
    for _ in range(12):  # on to the woman-officer box, ticked with the space bar
        kb.press("Tab")
        if active_element(desk) == "input#prefers_woman_officer":
            break
    kb.press("Space")
    kb.press("Tab")  # past the optional recording, last so that it is never in the way
    assert active_element(desk) == "input#voice"
    kb.press("Tab")
    assert active_element(desk) == "button[submit]"
    with desk.expect_navigation():
        kb.press("Enter")
    reference = desk.locator(".secret-card .secret-value").first.inner_text().strip()
    assert desk.locator("#new-case").count() == 1
    _shot(desk, "hotline-km-filed")
    with live_app.app_context():
        case = db.session.scalar(select(Case).where(Case.reference == reference))
        assert case is not None and case.prefers_woman_officer
        assert (case.category.code != "", case.province_code) == (True, "KH-21")

    # The next call is the same caller: the officer finds his case by the number he gives.
    desk.goto(f"{live_server}/hotline?lang=km")
    desk.wait_for_function("document.activeElement && document.activeElement.id === 'phone'")
    for _ in range(30):
        kb.press("Tab")
        if active_element(desk) == "input#caller":
            break
    assert active_element(desk) == "input#caller"
    kb.type("+855 97 555 0101")
    with desk.expect_navigation():
        kb.press("Enter")
    found = desk.locator("#caller-cases").inner_text()
    assert reference in found, found
    _shot(desk, "hotline-km-caller-found")


def test_staff_pages_fit_a_360px_phone_in_khmer(
    browser: Any, live_server: str, live_app: Flask
) -> None:
    """No page is wider than the phone (tables scroll inside their box) and no header is
    broken letter by letter."""
    staff = make_staff(live_app, "narrow8", "officer", "supervisor", sex="female")
    _queue_with_cases(live_app, "narrow8", "narrow8", code="narrow8")
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="km-KH")
    page = context.new_page()
    try:
        sign_in(page, live_server, staff, lang="km")
        for path in (
            "/staff",
            "/workspace/",
            "/workspace/queues",
            "/workspace/inbox",
            "/workspace/workload",
            "/notifications",
            "/hotline",
        ):
            page.goto(f"{live_server}{path}?lang=km")
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 360, (path, width)
            narrowest = page.evaluate(
                "Math.min(1000, ...Array.from(document.querySelectorAll('th'))"
                ".map(e => e.getBoundingClientRect().width))"
            )
            assert narrowest >= 24, (path, narrowest)  # not one letter per line
            _shot(page, "km-360" + path.replace("/", "-"))
    finally:
        context.close()
