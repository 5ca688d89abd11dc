"""`make screenshots`: the main pages with demo data, in Khmer and English, on a phone and
a desktop, saved as PNG files under docs/screenshots/ (viewport only, to keep them small).

    python -m tests.browser.screenshots [--out docs/screenshots]

Runs on a throw-away SQLite database with the demo data (`flask seed demo`), served by
the browser tests' harness and photographed with Debian's Chromium.
"""

from __future__ import annotations

import argparse
import logging
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from flask import Flask

from tests.browser.harness import DESKTOP, PHONE, chromium, live_server

ROOT = Path(__file__).resolve().parents[2]
SCREENS = {"phone": PHONE, "desktop": DESKTOP}
LOCALES = ("km", "en")
OFFICER = "officer"  # a demo account (grievance.seed.demo.USERS)
COMPLAINT = {
    "km": "ក្រុមហ៊ុនកាត់ប្រាក់ឈ្នួលខ្ញុំសម្រាប់ ប.ស.ស តែមិនបានបង់ឱ្យ ប.ស.ស ទេ។",
    "en": "The factory deducts NSSF money from my pay but never pays it to NSSF.",
}


def demo_app(instance: Path) -> tuple[Flask, dict[str, str]]:
    """A migrated SQLite app with the demo data and fresh dashboard figures; returns it and
    the demo logins (username -> password)."""
    from flask_migrate import upgrade

    from grievance.app import create_app
    from grievance.config import Config
    from grievance.oversight import snapshots
    from grievance.seed.demo import seed_demo
    from grievance.seed.demo_paths import advance
    from grievance.seed.reference import seed_reference
    from grievance.sla.sweep import sweep
    from grievance.uow import checkpoint as commit

    config = Config(
        ENV="testing",
        SECRET_KEY="screenshots-only-not-a-secret",
        DATABASE_URL=f"sqlite:///{instance / 'screens.sqlite3'}",
        REDIS_URL="",
        INSTANCE_PATH=str(instance),
        RATELIMIT_ENABLED=False,
        SECOND_STEP_RELAXED=True,  # the demo officer signs in with the password alone here
    )
    app = create_app(config)
    with app.app_context():
        upgrade(revision="heads")
        seed_reference()
        result = seed_demo(str(instance), advance=advance)
        sweep()
        snapshots.refresh()
        commit()
    logins = result["users_created"]
    assert isinstance(logins, dict)
    return app, logins


def showcase_case(app: Flask) -> str:
    """An open case of the demo officer's with the longest timeline: the richest case page."""
    from sqlalchemy import func, select

    from grievance.auth.models import User
    from grievance.cases.models import Case, CaseEvent

    with app.app_context():
        from grievance.extensions import db

        events = func.count(CaseEvent.id)
        reference = db.session.scalar(
            select(Case.reference)
            .join(User, User.id == Case.assignee_id)
            .join(CaseEvent, CaseEvent.case_id == Case.id)
            .where(User.username == OFFICER, Case.closed_at.is_(None))
            .group_by(Case.id, Case.reference)
            .order_by(events.desc(), Case.id)
            .limit(1)
        )
    if reference is None:
        raise RuntimeError("the demo officer has no open case")
    return str(reference)


class Camera:
    def __init__(self, out: Path) -> None:
        self.out = out
        self.saved: list[Path] = []

    def shoot(self, page: Any, name: str) -> None:
        page.wait_for_load_state("networkidle")
        page.evaluate("document.fonts.ready")
        path = self.out / f"{name}.png"
        page.screenshot(path=str(path), full_page=False, animations="disabled", caret="hide")
        self.saved.append(path)
        print(f"  {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")


def public_pages(page: Any, base: str, lang: str, camera: Camera, suffix: str) -> None:
    page.goto(f"{base}/?lang={lang}")
    camera.shoot(page, f"landing-{suffix}")
    page.goto(f"{base}/file?lang={lang}")
    camera.shoot(page, f"file-form-{suffix}")

    page.fill("#description", COMPLAINT[lang])
    page.locator("input[name=category]").nth(1).check()
    page.select_option("#province", "KH-12")
    page.locator("button[type=submit].primary").click()
    page.wait_for_load_state()
    reference, secret = (
        v.strip() for v in page.locator(".secret-card .secret-value").all_inner_texts()
    )
    camera.shoot(page, f"file-success-{suffix}")

    page.goto(f"{base}/track?lang={lang}")
    page.fill("#reference", reference)
    page.fill("#secret", secret)
    page.locator("button[type=submit].primary").click()
    page.wait_for_load_state()
    camera.shoot(page, f"track-status-{suffix}")

    page.goto(f"{base}/accountability?lang={lang}")
    camera.shoot(page, f"accountability-{suffix}")


def staff_pages(
    page: Any, base: str, lang: str, camera: Camera, suffix: str, password: str, case: str
) -> None:
    page.goto(f"{base}/login?lang={lang}")
    page.fill("#username", OFFICER)
    page.fill("#password", password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    page.goto(f"{base}/workspace/?lang={lang}")
    if suffix.endswith("phone"):  # the filters fill a phone's screen: show the cases
        page.locator("table.cases").evaluate("e => e.scrollIntoView({block: 'start'})")
    camera.shoot(page, f"officer-workspace-{suffix}")
    page.goto(f"{base}/cases/{case}?lang={lang}")
    camera.shoot(page, f"case-{suffix}")


def contexts(browser: Any) -> Iterator[tuple[Any, str, str]]:
    """A fresh browser context (no cookies) per language and screen size."""
    for lang in LOCALES:
        for screen, viewport in SCREENS.items():
            context = browser.new_context(
                viewport=viewport,
                locale="km-KH" if lang == "km" else "en-US",
                timezone_id="Asia/Phnom_Penh",
            )
            try:
                yield context, lang, f"{lang}-{screen}"
            finally:
                context.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args(argv)
    out: Path = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)

    print("Loading the demo data…")
    app, logins = demo_app(Path(tempfile.mkdtemp(prefix="samleng-screens-")))
    case = showcase_case(app)
    camera = Camera(out)
    with live_server(app) as base, chromium() as browser:
        for context, lang, suffix in contexts(browser):
            page = context.new_page()
            public_pages(page, base, lang, camera, suffix)
            staff_pages(page, base, lang, camera, suffix, logins[OFFICER], case)
    total = sum(path.stat().st_size for path in camera.saved)
    print(f"{len(camera.saved)} screenshots, {total / 1024 / 1024:.1f} MB, in {out}")


if __name__ == "__main__":
    main()
