"""Journey 7 in Chromium: a provincial administrator adds a new officer in one go, the
officer chooses her password through the one-time link and sets up her second step, the
administrator deactivates her after a question and a reason, and cannot reach an account
out of their province. Screenshots go to SCREENSHOTS (a temporary folder)."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import Any

import pyotp
from flask import Flask

from tests.browser.staff import make_staff, sign_in

SCREENSHOTS = Path(os.environ.get("SCREENSHOTS") or tempfile.mkdtemp(prefix="samleng-admin-"))


def shot(page: Any, name: str) -> None:
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_a_provincial_admin_adds_an_officer_and_later_deactivates_her(
    browser: Any, desk: Any, live_server: str, live_app: Flask
) -> None:
    admin = make_staff(live_app, "channa.admin", "admin", province="KH-12")
    national = make_staff(live_app, "national.admin", "admin")
    sign_in(desk, live_server, admin, lang="km")

    # The admin home in Khmer: the queues that need people come first to the eye.
    desk.goto(f"{live_server}/admin/?lang=km")
    assert "ជួរករណីដែលត្រូវការបុគ្គលិក" in desk.inner_text("main")
    shot(desk, "admin-home-km")

    # One form: name, sex, role, province, language, queues; the choices are hers to give.
    desk.goto(f"{live_server}/admin/users?lang=en")
    form = desk.locator("form.stack")
    assert form.locator("input[value=admin]").count() == 0
    assert desk.locator("#province option").all_inner_texts() == ["Phnom Penh"]
    desk.fill("#username", "bopha.j7")
    desk.fill("#name", "Bopha Chan")
    desk.select_option("#sex", "female")
    form.locator("input[value=officer]").check()
    desk.select_option("#language", "km")
    shot(desk, "admin-new-account-en")
    form.locator("button[type=submit]").click()
    desk.wait_for_load_state()
    assert "Account bopha.j7 created" in desk.inner_text("h1")
    assert "Phnom Penh office" in desk.inner_text("main")  # she joined her province's queue
    link = desk.locator("code.setup-link").inner_text().strip()
    shot(desk, "admin-account-created-en")

    # Bopha opens the link on her own computer, chooses a password, then her second step.
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    bopha = context.new_page()
    bopha.goto(link.replace("http://127.0.0.1:5000", live_server) + "?lang=km")
    shot(bopha, "setup-password-km")
    bopha.fill("#new", "password12")
    bopha.fill("#repeat", "password12")
    bopha.locator("main form button[type=submit]").click()
    bopha.wait_for_load_state()
    assert bopha.locator(".error").count() == 1  # a common password is refused, in Khmer
    shot(bopha, "setup-password-refused-km")
    bopha.fill("#new", "mango river lantern 42")
    bopha.fill("#repeat", "mango river lantern 42")
    bopha.locator("main form button[type=submit]").click()
    bopha.wait_for_load_state()
    assert bopha.url.endswith("/login")
    bopha.fill("#username", "bopha.j7")
    bopha.fill("#password", "mango river lantern 42")
    bopha.locator("main form button[type=submit]").click()
    bopha.wait_for_load_state()
    assert "/login/enrol" in bopha.url  # an officer sees names and phones: a second step
    key = bopha.locator("figcaption code").inner_text().strip()
    bopha.fill("#code", pyotp.TOTP(key).now())
    bopha.locator("main form button[type=submit]").click()
    bopha.wait_for_load_state()
    assert bopha.url.endswith("/staff"), bopha.url

    # The administrator opens her account: deactivation is a question, with a reason.
    desk.goto(f"{live_server}/admin/users?lang=en")
    desk.get_by_role("link", name="Bopha Chan").click()
    desk.wait_for_load_state()
    desk.get_by_role("link", name=re.compile("Deactivate the account")).click()
    desk.wait_for_load_state()
    assert desk.locator("h1").inner_text() == "Deactivate Bopha Chan?"
    shot(desk, "admin-deactivate-question-en")
    desk.fill("#reason", "Moved to the Kandal office")
    desk.locator("main form button[type=submit]").click()
    desk.wait_for_load_state()
    assert "Bopha Chan can no longer sign in" in desk.inner_text("main")
    shot(desk, "admin-deactivated-en")

    # Her session ends at once.
    bopha.goto(f"{live_server}/staff")
    assert "/login" in bopha.url
    context.close()

    # The admin log says who did what, from which scope, and why.
    desk.goto(f"{live_server}/admin/log?lang=en")
    log = desk.inner_text("main")
    assert "Deactivated the account" in log and "Moved to the Kandal office" in log
    assert "Created the account" in log and "KH-12" in log
    shot(desk, "admin-log-en")

    # The national administrator's account is out of her reach, whatever URL she types.
    from grievance.auth.models import User
    from grievance.extensions import db

    with live_app.app_context():
        target = db.session.scalar(db.select(User.id).where(User.username == national.username))
    for path in ("", "/reset_code", "/deactivate", "/reset_password"):
        response = desk.request.get(f"{live_server}/admin/users/{target}{path}")
        assert response.status == 404, path

    # Organisations follow the same scope: hers to create and staff, another's not there.
    from grievance.auth.models import Organisation
    from grievance.uow import checkpoint as commit

    with live_app.app_context():
        elsewhere = Organisation(name="Siem Reap Tuk-tuk Association", kind="association")
        elsewhere.province_code = "KH-17"
        db.session.add(elsewhere)
        db.session.flush()
        elsewhere_id = elsewhere.id
        commit()
    make_staff(live_app, "sokha.rep7", "representative", province="KH-12", name="Sokha Rep")
    desk.goto(f"{live_server}/admin/organisations?lang=km")
    assert "Siem Reap Tuk-tuk Association" not in desk.inner_text("main")
    assert desk.locator("#province option").count() == 1  # her province, never nationwide
    assert desk.evaluate("document.documentElement.scrollWidth") <= 1280
    desk.fill("#name", "Phnom Penh Garment Union")
    desk.select_option("#kind", "union")
    desk.locator("main form button[type=submit]").click()
    desk.wait_for_load_state()
    desk.fill("#username", "sokha.rep7")
    desk.locator("main form button[type=submit].primary").click()
    desk.wait_for_load_state()
    assert "Sokha Rep" in desk.inner_text("main table")
    shot(desk, "admin-organisation-km")
    response = desk.request.get(f"{live_server}/admin/organisations/{elsewhere_id}")
    assert response.status == 404
