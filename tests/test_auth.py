from __future__ import annotations

from flask.testing import FlaskClient

from grievance.auth.views import safe_next
from grievance.extensions import db
from tests.conftest import Auth, csrf_from
from tests.factories import PASSWORD, make_user


def post_login(client: FlaskClient, username: str, password: str, query: str = "") -> object:
    token = csrf_from(client.get("/login").get_data(as_text=True))
    return client.post(
        "/login" + query, data={"username": username, "password": password, "csrf_token": token}
    )


def test_right_password_signs_in_and_shows_roles(client: FlaskClient, auth: Auth) -> None:
    make_user("officer", "supervisor", username="sokha")
    response = post_login(client, "Sokha", PASSWORD)
    # Officers and supervisors see complainants' names and phones: a second step first.
    assert response.status_code == 302 and response.headers["Location"] == "/login/enrol"
    assert client.get("/staff").status_code == 302  # not signed in on the password alone
    auth.enrol("sokha")
    page = client.get("/staff?lang=en").get_data(as_text=True)
    assert "Case officer" in page and "Supervisor" in page


def test_a_representative_signs_in_with_the_password(client: FlaskClient) -> None:
    make_user("representative", username="sokha.rep")
    response = post_login(client, "sokha.rep", PASSWORD)
    assert response.status_code == 302 and response.headers["Location"] == "/staff"


def test_wrong_password_is_refused(client: FlaskClient) -> None:
    make_user("officer", username="dara")
    response = post_login(client, "dara", "not the password")
    assert response.status_code == 401
    assert client.get("/staff").status_code == 302  # still anonymous


def test_unknown_user_gets_the_same_answer(client: FlaskClient) -> None:
    response = post_login(client, "nobody", PASSWORD)
    assert response.status_code == 401


def test_inactive_user_cannot_sign_in(client: FlaskClient) -> None:
    make_user("officer", username="gone", active=False)
    assert post_login(client, "gone", PASSWORD).status_code == 401


def test_login_without_csrf_token_is_refused(client: FlaskClient) -> None:
    make_user("officer", username="nocsrf")
    response = client.post("/login", data={"username": "nocsrf", "password": PASSWORD})
    assert response.status_code == 400


def test_next_goes_only_to_local_paths(client: FlaskClient) -> None:
    make_user("representative", username="nexter")  # no second step: straight to `next`
    for evil in ("//evil.example", "https://evil.example", "/\\evil.example", "http:/evil"):
        client.get("/login")
        response = post_login(client, "nexter", PASSWORD, f"?next={evil}")
        assert response.headers["Location"] == "/staff", evil
        client.post(
            "/logout",
            data={
                "csrf_token": csrf_from(
                    client.get("/staff", follow_redirects=True).get_data(as_text=True)
                )
            },
        )
    response = post_login(client, "nexter", PASSWORD, "?next=/staff%3Fx%3D1")
    assert response.headers["Location"] == "/staff?x=1"


def test_safe_next_rules() -> None:
    assert safe_next("/admin/") == "/admin/"
    assert safe_next("//evil.example") is None
    assert safe_next("https://evil.example") is None
    assert safe_next("evil.example") is None
    assert safe_next(None) is None


def test_role_protected_page(client: FlaskClient, auth: Auth) -> None:
    anonymous = client.get("/admin/")
    assert anonymous.status_code == 302 and anonymous.headers["Location"].startswith("/login?next=")
    auth.login("officer")
    assert client.get("/admin/").status_code == 403


def test_admin_sees_admin_page(client: FlaskClient, auth: Auth) -> None:
    auth.login("admin")
    assert client.get("/admin/").status_code == 200


def test_session_ends_when_session_version_changes(client: FlaskClient, auth: Auth) -> None:
    user = auth.login("officer")
    assert client.get("/staff").status_code == 200
    user.session_version += 1  # type: ignore[attr-defined]
    db.session.flush()
    assert client.get("/staff").status_code == 302


def test_passwords_are_argon2id() -> None:
    from grievance.security import hash_password, verify_password

    stored = hash_password("correct horse battery")  # what accounts get (factories cheapen it)
    assert stored.startswith("$argon2id$") and "m=65536,t=3" in stored
    assert verify_password(stored, "correct horse battery")
    assert not verify_password(stored, "wrong horse battery")
