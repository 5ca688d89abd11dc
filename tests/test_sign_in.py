"""The sign-in steps (grievance/auth/services.py) and what the pages make of them: who needs
a second step, a one-time code is good once, wrong codes are counted per account wherever
they come from, the enrolment seed never travels readable, weak passwords are refused."""

from __future__ import annotations

import time
from typing import Any

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient

from grievance.auth import services, totp
from grievance.auth.passwords import check_strength
from grievance.crypto import seal
from grievance.errors import DomainError
from grievance.extensions import db
from tests.conftest import csrf_from
from tests.factories import PASSWORD, make_user


@pytest.mark.parametrize(
    ("roles", "step"),
    [
        (("representative",), services.DONE),
        (("intake",), services.ENROL),
        (("officer",), services.ENROL),
        (("supervisor",), services.ENROL),
        (("admin",), services.ENROL),
        (("oversight",), services.ENROL),
    ],
)
def test_who_needs_a_second_step(roles: tuple[str, ...], step: str) -> None:
    user = make_user(*roles)
    assert services.password_step(user.username, PASSWORD, relaxed=False) == (user, step)
    assert services.password_step(user.username, "wrong password", relaxed=False) is None


def test_relaxed_for_development_only_admin_and_oversight() -> None:
    officer, admin = make_user("officer"), make_user("admin")
    assert services.password_step(officer.username, PASSWORD, relaxed=True) == (officer, "done")
    assert services.password_step(admin.username, PASSWORD, relaxed=True) == (admin, "enrol")


def test_an_enrolled_account_goes_to_the_code() -> None:
    user = make_user("representative")
    user.totp_secret = seal(totp.new_seed(), totp.PURPOSE)
    assert services.password_step(user.username, PASSWORD, relaxed=False) == (user, "code")


def test_a_pending_sign_in_expires() -> None:
    user = make_user("officer")
    now = time.time()
    pending = services.Pending(user.id, int(now))
    assert services.pending_user(pending, now) == user
    assert services.pending_user(pending, now + services.PENDING_SECONDS + 1) is None
    user.active = False
    assert services.pending_user(pending, now) is None


def test_a_code_is_good_once() -> None:
    user = make_user("officer")
    seed = totp.new_seed()
    user.totp_secret = seal(seed, totp.PURPOSE)
    db.session.flush()
    code = pyotp.TOTP(seed).now()
    assert services.code_step(user, code)
    assert not services.code_step(user, code)  # replayed within its window
    earlier = pyotp.TOTP(seed).at(time.time() - 30)
    assert not services.code_step(user, earlier)  # an older step after a newer one
    later = pyotp.TOTP(seed).at(time.time() + 30)
    assert services.code_step(user, later)


def test_the_enrolment_seed_is_sealed_and_only_its_codes_enrol() -> None:
    user = make_user("officer")
    seed, sealed = services.enrol_offer(user, None)
    assert seed not in sealed
    assert services.enrol_offer(user, sealed)[0] == seed  # the same seed on a reload
    assert not services.enrol_step(user, sealed, "000000")
    assert not services.enrol_step(user, "forged", pyotp.TOTP(seed).now())
    assert services.enrol_step(user, sealed, pyotp.TOTP(seed).now())
    assert totp.enabled(user)
    assert not services.code_step(user, pyotp.TOTP(seed).now())  # the enrolling code is spent


def test_the_session_cookie_never_carries_the_seed(app: Flask, client: FlaskClient) -> None:
    make_user("officer", username="dara.enrol")
    page = client.get("/login").get_data(as_text=True)
    form = {"username": "dara.enrol", "password": PASSWORD, "csrf_token": csrf_from(page)}
    assert client.post("/login", data=form).headers["Location"] == "/login/enrol"
    shown = client.get("/login/enrol").get_data(as_text=True)
    seed = shown.split("<code>")[1].split("</code>")[0]
    cookie = client.get_cookie("session")
    assert cookie is not None
    serializer: Any = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    stored = serializer.loads(cookie.value)
    assert seed not in repr(stored) and stored["enrol_seed"] != seed


def test_wrong_codes_are_counted_per_account_from_anywhere(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(app.config["SAMLENG"], "LOGIN_CODE_LIMIT_PER_ACCOUNT", "3/15 minutes")
    user = make_user("admin", username="vanna.codes")
    seed = totp.new_seed()
    user.totp_secret = seal(seed, totp.PURPOSE)
    db.session.flush()
    answers = []
    for n in range(4):  # each try from another address, each a fresh sign-in
        browser = app.test_client()
        env = {"REMOTE_ADDR": f"10.6.0.{n}"}
        page = browser.get("/login", environ_base=env).get_data(as_text=True)
        form = {"username": "vanna.codes", "password": PASSWORD, "csrf_token": csrf_from(page)}
        browser.post("/login", data=form, environ_base=env)
        page = browser.get("/login/code", environ_base=env).get_data(as_text=True)
        wrong = {"code": "000000", "csrf_token": csrf_from(page)}
        answers.append(browser.post("/login/code", data=wrong, environ_base=env).status_code)
    assert answers == [401, 401, 401, 429]


@pytest.mark.parametrize(
    "weak", ["aaaaaaaaaa", "password12", "1234567890", "qwertyuiop", "sokha2026!", "short"]
)
def test_weak_passwords_are_refused(weak: str) -> None:
    user = make_user("officer", username="sokha", name="Sokha Chan")
    with pytest.raises(DomainError) as refused:
        check_strength(weak, user)
    assert refused.value.code in ("password_weak", "password_too_short")


def test_a_long_phrase_is_accepted() -> None:
    check_strength("mango river lantern 42", make_user("officer"))
