"""Staff accounts and signing in through the real forms, for the browser journeys."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import pyotp
from flask import Flask

PASSWORD = "correct horse battery"  # tests.factories gives every user this password


@dataclass(frozen=True)
class Staff:
    username: str
    totp_seed: str | None  # staff who see identities sign in with a one-time code too


def make_staff(
    app: Flask, username: str, *roles: str, province: str | None = None, **fields: Any
) -> Staff:
    """A committed staff account on the live server's database (enrolled in TOTP if its role
    needs it, as if the user had scanned the QR code already)."""
    from grievance.auth import totp
    from grievance.crypto import seal
    from grievance.uow import checkpoint as commit
    from tests.factories import make_user

    with app.app_context():
        user = make_user(*roles, province=province, username=username, **fields)
        seed = None
        if totp.required(user):
            seed = totp.new_seed()
            user.totp_secret = seal(seed, totp.PURPOSE)
        commit()
    return Staff(username, seed)


_last_step: dict[str, int] = {}  # username -> the time step of the last code typed


def fresh_code(staff: Staff) -> str:
    """A code the app has not accepted yet: each code is good once, and a journey may sign
    the same person in twice within 30 seconds (the next step's code is accepted too; past
    that, wait for it)."""
    assert staff.totp_seed is not None
    now = int(time.time()) // 30
    step = max(now, _last_step.get(staff.username, -1) + 1)
    if step > now + 1:
        time.sleep((step - 1) * 30 - time.time() + 0.5)
    _last_step[staff.username] = step
    return str(pyotp.TOTP(staff.totp_seed).at(step * 30))


def sign_in(page: Any, base: str, staff: Staff, lang: str = "en") -> None:
    page.goto(f"{base}/login?lang={lang}")
    page.fill("#username", staff.username)
    page.fill("#password", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    if staff.totp_seed is not None:
        assert "/login/code" in page.url, page.url
        page.fill("#code", fresh_code(staff))
        page.locator("main form button[type=submit]").click()
        page.wait_for_load_state()
    assert "/login" not in page.url, page.inner_text("main")
