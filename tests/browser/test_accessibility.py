"""axe-core on every public page (Khmer and English, phone width) and the officer's pages."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

PUBLIC = (
    "/",
    "/file",
    "/track",
    "/accountability",
    "/accountability/data",
    "/accountability/forums",
    "/login",
)
BLOCKING = {"serious", "critical"}


@pytest.fixture(scope="module")
def axe() -> Any:
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


@pytest.fixture
def phone_js(browser: Any) -> Iterator[Any]:
    """axe runs as JavaScript, so this phone has it on."""
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="km-KH")
    yield context.new_page()
    context.close()


def blocking(axe: Any, page: Any) -> list[str]:
    results = axe.run(page).response
    return [
        f"{page.url}: {v['id']} ({v['impact']}): "
        + "; ".join(n["target"][0] if n["target"] else "?" for n in v["nodes"][:3])
        for v in results["violations"]
        if v["impact"] in BLOCKING
    ]


@pytest.mark.parametrize("lang", ["km", "en"])
def test_public_pages_have_no_serious_accessibility_problems(
    axe: Any, phone_js: Any, live_server: str, lang: str
) -> None:
    problems: list[str] = []
    for path in PUBLIC:
        phone_js.goto(f"{live_server}{path}?lang={lang}")
        problems += blocking(axe, phone_js)
    assert problems == []


def test_officer_workspace_and_case_page_have_no_serious_accessibility_problems(
    axe: Any, desk: Any, live_server: str, in_app: Any
) -> None:
    from grievance.auth import totp
    from grievance.crypto import seal
    from grievance.uow import checkpoint as commit
    from tests.browser.staff import Staff, fresh_code
    from tests.factories import make_case, make_user

    officer = make_user("officer", username="axe-officer")
    seed = totp.new_seed()
    officer.totp_secret = seal(seed, totp.PURPOSE)  # officers sign in with a code too
    reference = make_case().case.reference
    commit()
    desk.goto(live_server + "/login?lang=en")
    desk.fill("#username", "axe-officer")
    desk.fill("#password", "correct horse battery")
    desk.locator("form button[type=submit]").click()
    desk.wait_for_load_state()
    desk.fill("#code", fresh_code(Staff("axe-officer", seed)))
    desk.locator("form button[type=submit]").click()
    desk.wait_for_load_state()
    problems: list[str] = []
    for path in ("/workspace/", f"/cases/{reference}"):
        desk.goto(live_server + path)
        assert desk.url.endswith(path), desk.url
        problems += blocking(axe, desk)
    assert problems == []
