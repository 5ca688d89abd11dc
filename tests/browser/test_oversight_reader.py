"""Journey 6 in a browser: a union officer reads the figures on a 360 px phone with
JavaScript off, in Khmer first, and follows them to the data files and the forums."""

from __future__ import annotations

import os
import re
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

from tests.browser.test_journeys import KHMER, in_khmer


def _figures(app: Any) -> int:
    """Cases with small groups beside big ones, a forum, the dashboard's figures; the id
    of the forum."""
    from grievance.cases.services import PersonData
    from grievance.extensions import db
    from grievance.oversight import releases, snapshots
    from grievance.uow import checkpoint as commit
    from tests.factories import make_forum
    from tests.oversight.helpers import T0, case_in

    forum = make_forum(
        "KH-12", T0.date(), title="Garment workers' forum, Phnom Penh",
        title_km="វេទិកាកម្មករកាត់ដេរ ភ្នំពេញ", venue="Meeting hall", venue_km="សាលប្រជុំ",
        organisers="",
    )  # fmt: skip
    for i in range(12):
        answered = {"resolution_proposed_at": T0 + timedelta(days=4),
                    "public_outcome": OUTCOMES[i % 2]}  # fmt: skip
        case_in("closed", at=T0 + timedelta(days=i % 3), forum_id=forum.id, **answered)
    for i in range(8):
        case_in("in_progress", at=T0 + timedelta(days=i), overdue=i < 3)
    for _ in range(6):  # another type of problem, withheld in place of contributions
        case_in("in_progress", at=T0 + timedelta(days=41), category_code="maternity")
    for _ in range(3):
        case_in("submitted", at=T0 + timedelta(days=40), province_code="KH-3",
                complainant=PersonData(sex="male"))  # fmt: skip
    commit()
    snapshots.refresh()
    releases.write("2026-03")  # the March release: kept and downloadable
    commit()
    forum_id = forum.id
    db.session.close()  # the live server reads the same SQLite file: hold no lock
    return forum_id


SHOTS = Path(os.environ.get("SCREENSHOTS") or tempfile.mkdtemp(prefix="samleng-figures-"))
OUTCOMES = ("The employer paid the missing contributions.", "A payment plan was agreed.")


def _fits(page: Any) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 360, page.url


def test_the_oversight_reader_walks_the_figures_on_a_phone_in_khmer(
    phone: Any, live_server: str, in_app: Any
) -> None:
    forum_id = _figures(in_app)
    fewer, withheld = in_khmer(in_app, "fewer than 5"), in_khmer(in_app, "withheld")

    # From the landing page, in Khmer (the default), to the figures.
    phone.goto(live_server + "/")
    assert phone.locator("html").get_attribute("lang") == "km"
    phone.locator('a[href="/accountability"]').first.click()
    assert KHMER.search(phone.locator("h1").inner_text())
    assert phone.locator("script").count() == 0  # nothing to download that JS-off can't use
    _fits(phone)

    # Each hidden figure says why, and the key says what each marker means, once.
    key = phone.locator(".suppression-key").inner_text()
    assert fewer in key and withheld in key
    page_text = phone.locator("main").inner_text()
    assert fewer in page_text and withheld in page_text
    label = in_khmer(in_app, "Handled within the deadline")
    assert label in page_text

    # Tables fit the phone: every cell of the province table is on the screen.
    table = phone.locator("#t-province").locator("xpath=..").locator("table")
    for box in [c.bounding_box() for c in table.locator("td").all()[:40]]:
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 361
    # A marker stays on one line (it used to wrap over three).
    marker = phone.locator(".suppressed").first.bounding_box()
    assert marker is not None and marker["height"] < 40

    # What the figures mean, in Khmer, with the three markers explained.
    phone.locator('a[href="/accountability/data"]').first.click()
    text = phone.locator("main").inner_text()
    assert KHMER.search(phone.locator("h1").inner_text())
    assert "“withheld”" in text and "“too few cases”" in text
    _fits(phone)

    # The data files, in the reader's two languages, with the same markers.
    csv_text = phone.request.get(live_server + "/accountability/data.csv").text()
    assert "label_km" in csv_text.splitlines()[0] and "withheld" in csv_text
    # Last months' releases are kept: March's file, as it was written.
    assert phone.locator('a[href="/accountability/data/2026-03.csv"]').count() == 1
    phone.screenshot(path=SHOTS / "data-km.png", full_page=True)
    release = phone.request.get(live_server + "/accountability/data/2026-03.csv").text()
    assert release.splitlines()[0] == csv_text.splitlines()[0]

    # The forum page: counts by type of problem, no single concern, no personal data.
    phone.goto(live_server + "/accountability")
    phone.locator('a[href="/accountability/forums"]').first.click()
    phone.locator(f'a[href="/accountability/forums/{forum_id}"]').click()
    text = phone.locator("main").inner_text()
    assert re.search(r"\b12\b", text)  # twelve contributions concerns, all resolved
    assert "+855" not in text
    # The forum in Khmer, and what was done about what workers raised.
    assert phone.locator("h1").inner_text() == "វេទិកាកម្មករកាត់ដេរ ភ្នំពេញ"
    assert "សាលប្រជុំ" in text and in_khmer(in_app, "What was done") in text
    assert all(outcome in text for outcome in OUTCOMES)
    _fits(phone)
    phone.screenshot(path=SHOTS / "forum-km.png", full_page=True)
    phone.goto(f"{live_server}/accountability/forums/{forum_id}?lang=en")
    assert phone.locator("h1").inner_text() == "Garment workers' forum, Phnom Penh"
    assert "Meeting hall" in phone.locator("main").inner_text()
    phone.screenshot(path=SHOTS / "forum-en.png", full_page=True)

    # The same walk in English keeps the same figures.
    phone.goto(live_server + "/accountability?lang=en")
    text = phone.locator("main").inner_text()
    assert "Handled within the deadline" in text and "withheld" in text
    _fits(phone)
