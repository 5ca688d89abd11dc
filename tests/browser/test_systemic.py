"""The officer's walk through a systemic problem: a worker names her factory on a phone,
the officer confirms the employer and sees the duplicate, the supervisor opens one
systemic case for the cluster, and no worker's phone or name shows in the cluster pages."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask

from tests.browser.staff import make_staff, sign_in

SHOTS = Path(os.environ.get("SAMLENG_SHOTS", "/tmp/samleng-shots"))
LATIN = "Mekong Star Garment Co., Ltd."
KHMER = "រោងចក្រកាត់ដេរ ផ្កាយមេគង្គ"
PHONE = "+85517555001"


def _setup(app: Flask) -> str:
    """A registry entry and four hotline complaints naming it (one from her phone)."""
    from grievance.intake import pipeline
    from grievance.intake.submission import Submission
    from grievance.systemic import registry
    from grievance.uow import checkpoint as commit

    with app.app_context():
        registry.save(
            registry.EntryData(
                kind="employer",
                code="E-BR-0042",
                name_km=KHMER,
                name_latin=LATIN,
                province_code="KH-12",
            ),
            None,
            "import",
        )
        for n, name in enumerate(["MEKONG STAR GARMENT", KHMER, "Mekong Star Garmnt", LATIN]):
            pipeline.file(
                Submission(
                    description=f"The factory keeps our NSSF money ({n}).",
                    category="contributions",
                    province="KH-12",
                    channel="hotline",
                    phone=PHONE if n == 0 else f"+8551755510{n}",
                    consent_to_contact=True,
                    concerned_name=name,
                ),
                pipeline.COMPLAINANT,
            )
        commit()
    return "E-BR-0042"


def _shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"systemic-{name}.png"), full_page=True)


def test_officer_and_supervisor_walk_a_systemic_problem(
    phone: Any, desk: Any, browser: Any, live_server: str, live_app: Flask
) -> None:
    code = _setup(live_app)
    # Sreyneang files on her sister's phone, in Khmer, JavaScript off, naming the factory
    # with a Latin keyboard and her own spelling.
    phone.goto(live_server + "/file?lang=km")
    phone.fill("#description", "រោងចក្រកាត់ប្រាក់ ប.ស.ស ពីប្រាក់ខែខ្ញុំ តែប័ណ្ណខ្ញុំគ្មានវិភាគទានទេ។")
    phone.locator("input[name=category][value=contributions]").check()
    phone.select_option("#province", "KH-12")
    phone.fill("#concerned_name", "Mekong Star Garments")
    phone.locator("details.optional summary").first.click()  # "About you", folded
    phone.fill("#phone", "017 555 001")
    phone.locator("#consent_to_contact").check()
    phone.locator("button[type=submit].primary").click()
    reference = phone.locator(".secret-card .secret-value").all_inner_texts()[0].strip()
    assert KHMER in phone.inner_text("main")  # "did you mean": the one name understood
    _shot(phone, "filed-phone-km")

    # Vuthy, a case officer in Phnom Penh, opens her case.
    sign_in(desk, live_server, make_staff(live_app, "vuthy-sys", "officer", province="KH-12"))
    desk.goto(f"{live_server}/cases/{reference}")
    entity = desk.locator("#entity")
    assert code in entity.inner_text() and "not yet confirmed" in entity.inner_text()
    duplicates = desk.locator("#duplicates").inner_text()
    assert "Same phone number" in duplicates  # her earlier call to the hotline
    assert PHONE not in duplicates and "017" not in duplicates
    _shot(desk, "case-officer")
    desk.locator("#entity button[type=submit]").click()
    desk.wait_for_load_state()
    assert "Saved: the employer or facility of this case." in desk.inner_text("main")
    assert "confirmed by an officer" in desk.locator("#entity").inner_text()

    # The scheduler's cluster sweep runs: five complaints (K = 5), one proposal.
    from grievance.systemic import clusters
    from grievance.uow import checkpoint as commit

    with live_app.app_context():
        [cluster] = [c for c in clusters.sweep() if c.entry.code == code]
        cluster_id = cluster.id
        commit()

    # Channa, the province's supervisor, at her own desk, reads the proposal (in Khmer first).
    officer_desk = desk
    desk = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(desk, live_server, make_staff(live_app, "channa-sys", "supervisor", province="KH-12"))
    desk.goto(f"{live_server}/systemic/clusters?lang=km")
    assert KHMER in desk.inner_text("main")
    desk.goto(f"{live_server}/systemic/clusters/{cluster_id}?lang=en")
    page = desk.inner_text("main")
    assert "Complaints about" in page and "Received: 5" in page
    assert PHONE not in page and "+855" not in page
    _shot(desk, "cluster-supervisor")
    desk.locator("button.primary").click()
    desk.wait_for_load_state()
    assert "Systemic case opened. Assign it to an officer." in desk.inner_text("main")
    linked = desk.locator("#linked").inner_text()
    assert reference in linked and "+855" not in linked
    _shot(desk, "parent-case")

    desk.context.close()

    # Back on her case, Vuthy sees it is part of the systemic case.
    officer_desk.goto(f"{live_server}/cases/{reference}")
    assert "Part of a systemic problem" in officer_desk.locator("#cluster").inner_text()
