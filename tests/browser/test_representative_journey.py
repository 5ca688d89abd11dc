"""Journey 3: Sokha files for three members at a factory gate on her phone (Khmer, no
JavaScript), hands each a slip, follows the cases, answers an officer's question for a
member; the member reads it as Sokha's; a representative of another organisation finds
none of it."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from flask import Flask

from tests.browser.harness import PHONE
from tests.browser.staff import make_staff, sign_in
from tests.browser.test_khmer import english_runs

MEMBERS = (
    # name, phone, sex, how the member agreed
    ("Chan Sreymom", "012 345 678", "female", "written"),
    ("Dara Vuthy", "097 111 222", "male", "verbal"),
    ("Kim Srey Leak", "", "female", "thumbprint"),
)


def untranslated(page: Any, *data: str) -> list[str]:
    """English phrases left on a Khmer page, once the data typed in English is taken out."""
    text = page.inner_text("main")
    for value in (*data, *(m[0] for m in MEMBERS), "Golden Garment Factory", "Sokha Chea"):
        text = text.replace(value, " ")
    return english_runs(text)


def in_khmer(app: Flask, msgid: str, **params: Any) -> str:
    from flask_babel import force_locale, gettext

    with app.test_request_context(), force_locale("km"):
        return str(gettext(msgid, **params))


def _organisation(app: Flask, name: str) -> int:
    from grievance.auth.models import Organisation
    from grievance.extensions import db
    from grievance.uow import checkpoint as commit

    with app.app_context():
        org = Organisation(name=name, kind="union", province_code="KH-8")
        db.session.add(org)
        db.session.flush()
        org_id = int(org.id)
        commit()
    return org_id


def _file_for(page: Any, base: str, name: str, phone: str, sex: str, how: str) -> dict[str, str]:
    page.goto(f"{base}/representative/file")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert not untranslated(page)
    page.check("#consent_given")
    page.check(f"input[name=consent_how][value={how}]")
    page.fill("#description", f"{name}: ប័ណ្ណ ប.ស.ស មិនបង្ហាញការបង់ភាគទានតាំងពីខែមីនា។")
    page.check("input[name=category][value=contributions]")
    page.select_option("#province", "KH-8")
    page.fill("#concerned_name", "Golden Garment Factory")
    page.fill("#name", name)
    if phone:
        page.fill("#phone", phone)
        page.check("#consent_to_contact")
    page.check(f"input[name=sex][value={sex}]")
    page.locator("main form button[type=submit].primary").click()
    page.wait_for_load_state()
    codes = [v.strip() for v in page.locator(".slip .secret-value").all_inner_texts()]
    assert len(codes) == 2, page.inner_text("main")
    assert page.locator(".slip svg").count() == 1  # the QR code
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    return {"reference": codes[0], "secret": codes[1], "link": page.inner_text(".slip-link")}


def _officer_steps(app: Flask, reference: str, *steps: tuple[str, dict[str, str]]) -> None:
    from sqlalchemy import select

    from grievance.auth.models import User
    from grievance.cases import transitions
    from grievance.cases.models import Case
    from grievance.extensions import db
    from grievance.uow import checkpoint as commit

    with app.app_context():
        case = db.session.scalar(select(Case).where(Case.reference == reference))
        assert case is not None
        for name, inputs in steps:
            role = "supervisor" if name == "approve_rejection" else "officer"
            user = db.session.scalar(select(User).where(User.username == f"j3{role}"))
            transitions.apply(case, name, transitions.actor_for(user), inputs)
        commit()


START = (("acknowledge", {}), ("claim", {}), ("start_work", {}))


def test_a_representative_files_follows_and_answers_for_members(
    browser: Any, live_server: str, live_app: Flask
) -> None:
    ours = _organisation(live_app, "Cambodian Garment Workers' Union")
    theirs = _organisation(live_app, "Informal Workers' Association")
    sokha = make_staff(
        live_app, "j3sokha", "representative", organisation_id=ours, name="Sokha Chea"
    )
    stranger = make_staff(live_app, "j3other", "representative", organisation_id=theirs)
    officer = make_staff(live_app, "j3officer", "officer", name="Vannak Sopheap")
    make_staff(live_app, "j3supervisor", "supervisor")

    rep = browser.new_context(viewport=PHONE, java_script_enabled=False, locale="km-KH")
    page = rep.new_page()
    sign_in(page, live_server, sokha, lang="km")
    assert urlsplit(page.url).path == "/representative/cases"  # her home
    filed = [_file_for(page, live_server, *member) for member in MEMBERS]

    # The first member opens the slip's link on her own phone, once.
    member = browser.new_context(viewport=PHONE, java_script_enabled=False, locale="km-KH")
    mphone = member.new_page()
    link = live_server + urlsplit(filed[0]["link"]).path
    mphone.goto(link)
    mphone.locator("main form button[type=submit]").click()
    mphone.wait_for_load_state()
    assert filed[0]["reference"] in mphone.inner_text("h1")
    member.close()
    again = browser.new_context(viewport=PHONE, java_script_enabled=False, locale="km-KH")
    response = again.new_page().goto(link)
    assert response is not None and response.status == 410  # the link opens the case once
    assert "/track/case" not in again.pages[0].url
    again.close()

    # The officer asks the first member a question; the second is rejected, the third referred.
    question = "Which months are missing on the card?"
    _officer_steps(
        live_app, filed[0]["reference"], *START, ("request_information", {"comment": question})
    )
    reason = "The employer closed in 2019; NSSF cannot act on this complaint."
    _officer_steps(
        live_app,
        filed[1]["reference"],
        *START,
        ("propose_rejection", {"reason": reason}),
        ("approve_rejection", {}),
    )
    agency = "Provincial Department of Labour, Kandal"
    _officer_steps(live_app, filed[2]["reference"], *START, ("refer", {"agency": agency}))

    # Sokha's list: whose case is whose, the one waiting for an answer first.
    page.goto(f"{live_server}/representative/cases")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    rows = page.locator("ol.rep-cases > li").all_inner_texts()
    assert "Chan Sreymom" in rows[0] and filed[0]["reference"] in rows[0]
    assert not untranslated(page)
    assert all(any(name in row for row in rows) for name, *_ in MEMBERS)

    page.goto(f"{live_server}/representative/cases/{filed[0]['reference']}")
    assert question in page.inner_text("main")
    assert "Vannak" not in page.inner_text("main")  # never the officer's name
    # Written for Sokha: the member's answer is awaited (the member's page says "yours").
    waiting = in_khmer(live_app, "Waiting for the member's answer")
    assert page.inner_text("#state-h") == waiting and waiting in page.inner_text("ol.timeline")
    assert in_khmer(live_app, "Waiting for your answer") not in page.inner_text("main")
    when = page.inner_text("ol.timeline .when")  # day, Khmer month, year; one script of digits
    assert re.search("[0-9]", when) and not re.search("[\u17e0-\u17e9]", when)
    answer = "ខែមីនា ដល់ ខែមិថុនា ឆ្នាំ 2026។"
    form = page.locator("#step-provide_information")
    form.locator("textarea").fill(answer)
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("#step-provide_information").count() == 0
    timeline = page.inner_text("ol.timeline")
    assert (
        in_khmer(
            live_app, "Answered by %(name)s (representative) for the member", name="Sokha Chea"
        )
        in timeline
    )
    assert answer in timeline
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert not untranslated(page, question)

    page.goto(f"{live_server}/representative/cases/{filed[1]['reference']}")
    assert reason in page.inner_text("main")
    assert page.locator("#step-add_information").count() == 0
    page.goto(f"{live_server}/representative/cases/{filed[2]['reference']}")
    assert agency in page.inner_text("main")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    rep.close()

    # The officer sees the answer, and the case runs again.
    desk = browser.new_context(viewport={"width": 1280, "height": 900})
    dpage = desk.new_page()
    sign_in(dpage, live_server, officer)
    dpage.goto(f"{live_server}/cases/{filed[0]['reference']}?lang=en")
    staff_timeline = dpage.inner_text("ol.timeline")
    assert answer in staff_timeline
    assert "Sokha Chea (representative, for the member)" in staff_timeline
    assert "Being looked into" in dpage.inner_text("main")
    desk.close()

    # The member reads the answer as Sokha's, not as hers and not as NSSF's.
    member = browser.new_context(viewport=PHONE, java_script_enabled=False, locale="km-KH")
    mphone = member.new_page()
    mphone.goto(f"{live_server}/track")
    mphone.fill("#reference", filed[0]["reference"])
    mphone.fill("#secret", filed[0]["secret"])
    mphone.locator("button[type=submit].primary").click()
    mphone.wait_for_load_state()
    story = mphone.inner_text("ol.timeline")
    assert in_khmer(live_app, "Your representative answered our question for you") in story
    assert answer in story
    assert in_khmer(live_app, "You sent your answer") not in story
    member.close()

    # NSSF answers; the member disagrees, and Sokha appeals for her with her agreement.
    proposal = "NSSF registered the member from March; the employer pays the arrears."
    _officer_steps(
        live_app, filed[0]["reference"], ("propose_resolution", {"resolution": proposal})
    )
    rep = browser.new_context(viewport=PHONE, java_script_enabled=False, locale="km-KH")
    page = rep.new_page()
    sign_in(page, live_server, sokha, lang="km")
    page.goto(f"{live_server}/representative/cases/{filed[0]['reference']}")
    assert proposal in page.inner_text("main")
    appeal = page.locator("#step-appeal")
    appeal.locator("textarea").fill("ខែមករា និង កុម្ភៈ នៅតែខ្វះ។")
    appeal.locator("button[type=submit]").click()  # the member's agreement not yet recorded
    page.wait_for_load_state()
    assert page.locator("#step-appeal .error").count() > 0
    appeal = page.locator("#step-appeal")
    appeal.locator("input[type=checkbox]").check()
    appeal.locator("input[type=radio][value=verbal]").check()
    appeal.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert page.inner_text("#state-h") == in_khmer(live_app, "Appeal under review")
    rep.close()

    # Another organisation's representative: nothing, on every page.
    other = browser.new_context(viewport=PHONE, java_script_enabled=False, locale="km-KH")
    opage = other.new_page()
    sign_in(opage, live_server, stranger, lang="km")
    listing = opage.inner_text("main")
    assert not any(f["reference"] in listing for f in filed)
    assert not re.search("Sreymom|Vuthy|Srey Leak", listing)
    for f in filed:
        response = opage.goto(f"{live_server}/representative/cases/{f['reference']}")
        assert response is not None and response.status == 404
    other.close()


def _jpeg() -> bytes:
    from io import BytesIO

    from PIL import Image

    out = BytesIO()
    Image.new("RGB", (60, 40), (30, 90, 160)).save(out, "JPEG")
    return out.getvalue()


def test_a_collective_complaint_reaches_every_member_and_the_officer_sees_who_sent_what(
    browser: Any, live_server: str, live_app: Flask
) -> None:
    from sqlalchemy import select

    from grievance.cases.models import Case
    from grievance.extensions import db
    from grievance.oversight import snapshots
    from grievance.uow import checkpoint as commit
    from notifications.models import Notification

    ours = _organisation(live_app, "Footwear Workers' Union")
    sokha = make_staff(
        live_app, "j3csokha", "representative", organisation_id=ours, name="Sokha Chea"
    )
    officer = make_staff(live_app, "j3cofficer", "officer", "supervisor", name="Bopha Kim")

    rep = browser.new_context(viewport=PHONE, java_script_enabled=False, locale="km-KH")
    page = rep.new_page()
    sign_in(page, live_server, sokha, lang="km")
    page.goto(f"{live_server}/representative/file")
    page.check("#consent_given")
    page.check("input[name=consent_how][value=written]")
    page.fill("#description", "ប្រាក់ ប.ស.ស ត្រូវបានកាត់ពីប្រាក់ខែយើងទាំងអស់ តែមិនបានបង់។")
    page.check("input[name=category][value=contributions]")
    page.select_option("#province", "KH-8")
    page.fill("#concerned_name", "Golden Garment Factory")
    page.fill("#name", "Chan Sreymom")
    page.fill("#phone", "012 345 678")
    page.check("#consent_to_contact")
    page.check("input[name=sex][value=female]")
    page.locator("details.others summary").click()  # native: opens without JavaScript
    for n, (name, phone, sex, how) in enumerate(MEMBERS[1:]):
        page.fill(f"#others-{n}-name", name)
        if phone:
            page.fill(f"#others-{n}-phone", phone)
            page.check(f"#others-{n}-contact")
        page.select_option(f"#others-{n}-sex", sex)
        page.select_option(f"#others-{n}-how", how)
    page.set_input_files(
        "#evidence", [{"name": "payslip-march.jpg", "mimeType": "image/jpeg", "buffer": _jpeg()}]
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.locator("main form button[type=submit].primary").click()
    page.wait_for_load_state()
    slips = page.locator(".slip").all_inner_texts()
    assert len(slips) == 3, page.inner_text("main")
    # Each member with a phone who agreed is told the codes come by SMS, on their own number.
    shown = page.inner_text("main")
    assert "+855•••••678" in shown and "+855•••••222" in shown
    reference = page.locator(".slip .secret-value").first.inner_text().strip()
    links = {page.locator(".slip-link").nth(i).inner_text() for i in range(3)}
    assert len(links) == 3  # one one-time link per member
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    rep.close()

    with live_app.app_context():
        case = db.session.scalar(select(Case).where(Case.reference == reference))
        assert case is not None and case.affected_count == 3
        texts = db.session.scalars(
            select(Notification.address).where(
                Notification.case_id == case.id, Notification.template == "filed"
            )
        ).all()
        assert sorted(texts) == ["+85512345678", "+85597111222"]  # nobody's codes to another
        snapshots.refresh()
        commit()

    # The officer, in Khmer on a phone, then in English: the file with its name and sender.
    desk = browser.new_context(viewport=PHONE, locale="km-KH")
    dpage = desk.new_page()
    sign_in(dpage, live_server, officer, lang="km")
    dpage.goto(f"{live_server}/cases/{reference}")
    panel = dpage.inner_text(".evidence-list")
    assert "payslip-march.jpg" in panel
    assert (
        in_khmer(
            live_app, "Sent by %(name)s (representative) with the complaint", name="Sokha Chea"
        )
        in panel
    )
    assert re.search("[0-9]{1,2}:[0-9]{2}", panel) and not re.search("[\u17e0-\u17e9]", panel)
    assert dpage.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    dpage.goto(f"{live_server}/cases/{reference}?lang=en")
    panel = dpage.inner_text(".evidence-list")
    assert "Sent by Sokha Chea (representative) with the complaint" in panel
    assert re.search(r"\b\d{1,2}/\d{1,2}/20\d\d, \d\d:\d\d\b", panel)  # day/month/year
    desk.close()

    # The public figures count the three workers, by sex, small groups hidden.
    public = browser.new_context(viewport=PHONE, java_script_enabled=False, locale="km-KH")
    ppage = public.new_page()
    ppage.goto(f"{live_server}/accountability")
    table = ppage.inner_text("#t-workers_sex + .table-scroll")
    assert in_khmer(live_app, "fewer than 5") in table  # 2 women, 1 man: all below 5
    assert ppage.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    public.close()
