"""Administration cannot be turned against the people it protects: a provincial
administrator (or a stolen password of one) manages only accounts whose every role lies in
their provinces, grants only such roles, and never reaches a nationwide account or another
administrator. Every path is tried: the list, the edit page, each account step, creation.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from grievance.admin.models import AdminAudit
from grievance.auth.models import User
from grievance.extensions import db
from tests.conftest import Auth, csrf_from
from tests.factories import make_user

# target accounts, by where their roles lie
TARGETS: dict[str, tuple[tuple[str, ...], str | None]] = {
    "officer_here": (("officer",), "KH-12"),
    "supervisor_here": (("supervisor", "intake"), "KH-12"),
    "officer_elsewhere": (("officer",), "KH-3"),
    "officer_nationwide": (("officer",), None),
    "oversight_nationwide": (("oversight",), None),
    "admin_here": (("admin",), "KH-12"),
    "admin_nationwide": (("admin",), None),
}
IN_SCOPE_OF_KH12 = {"officer_here", "supervisor_here"}
STEPS = ("edit", "deactivate", "reset_code", "reset_password")


@pytest.fixture
def targets() -> dict[str, User]:
    made = {}
    for name, (roles, province) in TARGETS.items():
        user = make_user(*roles, province=province, username=name.replace("_", "."))
        user.totp_secret = "sealed-seed"  # so that "reset the second step" applies
        made[name] = user
    db.session.flush()
    return made


def _try(client: FlaskClient, step: str, user: User) -> int:
    if step == "edit":
        page = client.get(f"/admin/users/{user.id}")
        if page.status_code != 200:
            return page.status_code
        form = {"name": "Renamed", "sex": "female", "roles": ["officer"], "province": "KH-12",
                "language": "km", "csrf_token": csrf_from(page.get_data(as_text=True))}  # fmt: skip
        return client.post(f"/admin/users/{user.id}", data=form).status_code
    page = client.get(f"/admin/users/{user.id}/{step}")
    if page.status_code != 200:
        return page.status_code
    token = csrf_from(page.get_data(as_text=True))
    return client.post(
        f"/admin/users/{user.id}/{step}", data={"reason": "Asked by HR", "csrf_token": token}
    ).status_code


@pytest.mark.parametrize("scope", ["KH-12", None], ids=["provincial", "nationwide"])
def test_admin_steps_follow_the_scope_matrix(
    client: FlaskClient, auth: Auth, targets: dict[str, User], scope: str | None
) -> None:
    """scoped admin × target account scope × action: a 2xx/3xx only where in scope."""
    me = auth.login("admin", province=scope)
    listing = client.get("/admin/users").get_data(as_text=True)
    results: dict[tuple[str, str], int] = {}
    for name, user in targets.items():
        allowed = scope is None or name in IN_SCOPE_OF_KH12
        assert (user.username in listing) is allowed, name
        for step in STEPS:
            status = _try(client, step, user)
            results[name, step] = status
            if allowed:
                assert status in (200, 302), (name, step, status)
            else:
                assert status == 404, (name, step, status)
    # Nothing happened to the accounts out of scope, and the log says so.
    for name, user in targets.items():
        db.session.refresh(user)
        if scope is not None and name not in IN_SCOPE_OF_KH12:
            assert user.active and user.totp_secret == "sealed-seed", name
            assert user.password_hash != "!", name
    logged = db.session.scalars(select(AdminAudit).where(AdminAudit.actor_id == me.id)).all()
    touched = {e.target_user_id for e in logged}
    expected = {u.id for n, u in targets.items() if scope is None or n in IN_SCOPE_OF_KH12}
    assert touched == expected
    assert {e.actor_scope for e in logged} == {"KH-12" if scope else "national"}


def _create(client: FlaskClient, **fields: Any) -> Any:
    page = client.get("/admin/users").get_data(as_text=True)
    form = {"username": "new.person", "name": "New Person", "sex": "female",
            "roles": ["officer"], "province": "KH-12", "language": "km",
            "csrf_token": csrf_from(page)}  # fmt: skip
    form.update(fields)
    return client.post("/admin/users", data=form)


@pytest.mark.parametrize(
    ("roles", "province"),
    [
        (["admin"], "KH-12"),  # another administrator, even of the same province
        (["officer"], ""),  # nationwide
        (["oversight"], ""),
        (["officer"], "KH-3"),  # another province
    ],
)
def test_a_provincial_admin_cannot_create_wider_accounts(
    client: FlaskClient, auth: Auth, roles: list[str], province: str
) -> None:
    auth.login("admin", province="KH-12")
    response = _create(client, roles=roles, province=province)
    assert response.status_code == 400
    assert db.session.scalar(select(User).where(User.username == "new.person")) is None


def test_a_provincial_admin_cannot_widen_an_account_in_scope(
    client: FlaskClient, auth: Auth, targets: dict[str, User]
) -> None:
    auth.login("admin", province="KH-12")
    user = targets["officer_here"]
    page = client.get(f"/admin/users/{user.id}").get_data(as_text=True)
    for roles, province in ((["admin"], "KH-12"), (["officer"], ""), (["officer"], "KH-3")):
        response = client.post(
            f"/admin/users/{user.id}",
            data={
                "name": user.name,
                "sex": "male",
                "roles": roles,
                "province": province,
                "language": "km",
                "csrf_token": csrf_from(page),
            },  # fmt: skip
        )
        assert response.status_code == 400, (roles, province)
    db.session.refresh(user)
    assert {(r.role, r.province_code) for r in user.roles} == {("officer", "KH-12")}


def test_the_form_offers_a_provincial_admin_only_what_they_may_grant(
    client: FlaskClient, auth: Auth
) -> None:
    auth.login("admin", province="KH-12")
    page = client.get("/admin/users?lang=en").get_data(as_text=True)
    assert 'value="admin"' not in page and 'value="KH-3"' not in page
    assert 'value="KH-12"' in page and "Nationwide" not in page


def test_nobody_deactivates_or_resets_their_own_account(client: FlaskClient, auth: Auth) -> None:
    me = auth.login("admin")
    for step in ("deactivate", "reset_code", "reset_password"):
        assert _try(client, step, me) == 400, step
    db.session.refresh(me)
    assert me.active


def test_other_roles_get_no_admin_step(client: FlaskClient, auth: Auth) -> None:
    target = make_user("officer", province="KH-12")
    auth.login("supervisor", province="KH-12")
    assert client.get(f"/admin/users/{target.id}").status_code == 403
    assert client.post(
        f"/admin/users/{target.id}/deactivate", data={"reason": "x"}
    ).status_code in (
        400,
        403,
    )
    db.session.refresh(target)
    assert target.active
