"""Staff sessions: second step for sensitive roles, timeouts, ending sessions everywhere."""

from __future__ import annotations

import time

import pyotp
import time_machine
from flask.testing import FlaskClient

from grievance.auth.models import User
from grievance.extensions import db
from tests.conftest import Auth, IsolatedClient, csrf_from
from tests.factories import PASSWORD, make_user


def _password_step(client: FlaskClient, username: str) -> object:
    token = csrf_from(client.get("/login").get_data(as_text=True))
    return client.post(
        "/login", data={"username": username, "password": PASSWORD, "csrf_token": token}
    )


def test_admin_must_set_up_a_second_step_before_getting_in(client: FlaskClient) -> None:
    make_user("admin", username="newadmin")
    response = _password_step(client, "newadmin")
    assert response.headers["Location"] == "/login/enrol"
    assert client.get("/admin/").status_code == 302  # not signed in yet
    page = client.get("/login/enrol?lang=en").get_data(as_text=True)
    assert "<svg" in page
    seed = page.split("<code>")[1].split("</code>")[0]
    wrong = client.post("/login/enrol", data={"code": "000000", "csrf_token": csrf_from(page)})
    assert wrong.status_code == 200 and client.get("/admin/").status_code == 302
    right = client.post(
        "/login/enrol", data={"code": pyotp.TOTP(seed).now(), "csrf_token": csrf_from(page)}
    )
    assert right.status_code == 302
    assert client.get("/admin/").status_code == 200
    db.session.expire_all()
    stored = db.session.scalar(db.select(User).filter_by(username="newadmin")).totp_secret
    assert stored and seed not in stored  # the seed is kept sealed, not in clear


def test_enrolled_user_needs_the_current_code(client: FlaskClient, auth: Auth) -> None:
    auth.login("oversight", username="watcher")
    client.post(
        "/logout", data={"csrf_token": csrf_from(client.get("/staff").get_data(as_text=True))}
    )
    response = _password_step(client, "watcher")
    assert response.headers["Location"] == "/login/code"
    page = client.get("/login/code").get_data(as_text=True)
    bad = client.post("/login/code", data={"code": "123456", "csrf_token": csrf_from(page)})
    assert bad.status_code == 401
    assert client.get("/staff").status_code == 302


def test_officer_signs_in_with_password_only(client: FlaskClient, auth: Auth) -> None:
    auth.login("officer")
    assert client.get("/staff").status_code == 200


def test_idle_timeout_after_30_minutes(client: FlaskClient, auth: Auth) -> None:
    auth.login("officer")
    with time_machine.travel(time.time() + 29 * 60, tick=False):
        assert client.get("/staff").status_code == 200
    with time_machine.travel(time.time() + 29 * 60 + 31 * 60, tick=False):
        response = client.get("/staff")
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_absolute_timeout_after_12_hours_even_when_active(client: FlaskClient, auth: Auth) -> None:
    auth.login("officer")
    start = time.time()
    limit = 12 * 3600
    # Busy all day: a request every 25 minutes (never idle for 30), up to a minute before
    # the limit; every one of them is still signed in.
    for offset in [*range(25 * 60, limit - 60, 25 * 60), limit - 60]:
        with time_machine.travel(start + offset, tick=False):
            response = client.get("/staff")
            assert response.status_code == 200, f"signed out after {offset / 3600:.2f} h"
    # Two minutes later (idle for two minutes only), the 12 hours are over.
    with time_machine.travel(start + limit + 60, tick=False):
        response = client.get("/staff")
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_logout_ends_the_other_sessions(app: object, auth: Auth, client: FlaskClient) -> None:
    user = auth.login("officer")
    other = IsolatedClient(app, use_cookies=True)  # type: ignore[arg-type]
    Auth(other).as_user(user.username)
    assert other.get("/staff").status_code == 200
    client.post(
        "/logout", data={"csrf_token": csrf_from(client.get("/staff").get_data(as_text=True))}
    )
    assert other.get("/staff").status_code == 302


def test_password_change_keeps_this_session_and_ends_the_others(
    app: object, auth: Auth, client: FlaskClient
) -> None:
    user = auth.login("officer")
    other = IsolatedClient(app, use_cookies=True)  # type: ignore[arg-type]
    Auth(other).as_user(user.username)
    page = client.get("/account/password").get_data(as_text=True)
    response = client.post(
        "/account/password",
        data={
            "current": PASSWORD,
            "new": "a much longer new passphrase",
            "repeat": "a much longer new passphrase",
            "csrf_token": csrf_from(page),
        },
    )
    assert response.status_code == 302
    assert client.get("/staff").status_code == 200
    assert other.get("/staff").status_code == 302


def test_deactivation_ends_sessions(app: object, auth: Auth, client: FlaskClient) -> None:
    officer = make_user("officer", username="leaving")
    worker = IsolatedClient(app, use_cookies=True)  # type: ignore[arg-type]
    Auth(worker).as_user("leaving")
    assert worker.get("/staff").status_code == 200
    auth.login("admin")
    page = client.get(f"/admin/users/{officer.id}/deactivate").get_data(as_text=True)
    client.post(
        f"/admin/users/{officer.id}/deactivate",
        data={"reason": "Left the fund", "csrf_token": csrf_from(page)},
    )
    assert worker.get("/staff").status_code == 302


def test_security_headers_and_no_store(client: FlaskClient, auth: Auth) -> None:
    landing = client.get("/")
    csp = landing.headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in csp and "frame-ancestors 'none'" in csp
    assert landing.headers["X-Content-Type-Options"] == "nosniff"
    assert landing.headers["Referrer-Policy"] == "same-origin"
    assert "no-store" not in landing.headers.get("Cache-Control", "")
    auth.login("officer")
    assert client.get("/staff").headers["Cache-Control"] == "no-store"
    assert client.get("/", base_url="https://localhost").headers["Strict-Transport-Security"]


def test_a_complainant_reloading_her_case_page_is_sent_no_cookie(client: FlaskClient) -> None:
    """Her session holds her case and language, no login: reloading the page re-signs
    nothing and sends no "forget me" cookie (it did on every public page)."""
    from tests.tracking.helpers import new_case, open_case

    open_case(client, new_case())
    for path in ("/track/case", "/track/case", "/file", "/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers.getlist("Set-Cookie") == [], path


def test_a_staff_session_taken_to_another_browser_is_signed_out(
    client: FlaskClient, auth: Auth
) -> None:
    """The strong session protection still holds for signed-in staff: the same cookie sent
    by another browser (another User-Agent) is no longer signed in."""
    auth.login("officer")
    assert client.get("/workspace/").status_code == 200
    other = {"User-Agent": "Mozilla/5.0 (another phone)"}
    moved = client.get("/workspace/", headers=other)
    assert moved.status_code == 302 and moved.headers["Location"].startswith("/login")
