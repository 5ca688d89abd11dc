"""Journey 7: the administrator adds a new officer with sex, province, roles and queues in
one go; the officer chooses a password through a one-time link and signs in; nothing that
matters is one click away from a mistake; queues without members show before cases pile
up; pages speak the reader's language."""

from __future__ import annotations

import re
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select

from grievance.admin.models import AdminAudit
from grievance.auth.models import User
from grievance.extensions import db
from grievance.queues.models import Queue
from tests.conftest import Auth, csrf_from
from tests.factories import make_user

LINK = re.compile(r'<code class="setup-link">http://[^/]+(/account/setup/[^<]+)</code>')


def _queue(code: str) -> Queue:
    queue = db.session.scalar(select(Queue).where(Queue.code == code))
    assert queue is not None
    return queue


def _new_account(client: FlaskClient, **fields: Any) -> Any:
    page = client.get("/admin/users").get_data(as_text=True)
    form = {"username": "bopha", "name": "Bopha Chan", "sex": "female", "roles": ["officer"],
            "province": "KH-12", "language": "km", "csrf_token": csrf_from(page)}  # fmt: skip
    form.update(fields)
    return client.post("/admin/users?lang=en", data=form)


def test_a_new_officer_in_one_go_then_her_own_password(
    app: Any, client: FlaskClient, auth: Auth
) -> None:
    admin = auth.login("admin", province="KH-12")
    done = _new_account(client)
    page = done.get_data(as_text=True)
    assert done.status_code == 200 and "Account bopha created" in page
    bopha = db.session.scalar(select(User).where(User.username == "bopha"))
    assert bopha is not None and bopha.sex == "female"
    assert {(r.role, r.province_code) for r in bopha.roles} == {("officer", "KH-12")}
    # No queue ticked: she joins her province's queue, and the page says so.
    office = _queue("office-kh-12")
    assert bopha in office.members and office.name_en in page
    entry = db.session.scalar(select(AdminAudit).where(AdminAudit.target_user_id == bopha.id))
    assert entry is not None and entry.action == "create" and entry.actor_id == admin.id
    assert entry.actor_scope == "KH-12" and entry.changes["sex"] == "female"

    # She has no password until she opens the link; the link works once.
    match = LINK.search(page)
    assert match, page
    link = match.group(1)
    her = app.test_client()
    assert (
        her.post("/login", data={"username": "bopha", "password": "anything at all"}).status_code
        != 302
    )
    form = her.get(link).get_data(as_text=True)
    for weak in ("aaaaaaaaaa", "password12", "bopha chan 1"):
        refused = her.post(link, data={"new": weak, "repeat": weak, "csrf_token": csrf_from(form)})
        assert refused.status_code == 400, weak
    good = "mango river lantern 42"
    accepted = her.post(link, data={"new": good, "repeat": good, "csrf_token": csrf_from(form)})
    assert accepted.status_code == 302 and accepted.headers["Location"] == "/login"
    assert her.get(link).status_code == 404  # spent
    # She signs in with it and sets up her second step (officers see names and phones).
    Auth(her).as_user("bopha", password=good)
    assert her.get("/staff").status_code == 200


def test_ticked_queues_replace_the_default(client: FlaskClient, auth: Auth) -> None:
    auth.login("admin")
    national = _queue("national")
    assert _new_account(client, queues=[str(national.id)]).status_code == 200
    bopha = db.session.scalar(select(User).where(User.username == "bopha"))
    assert bopha in national.members and bopha not in _queue("office-kh-12").members


def test_editing_roles_sex_and_queues_is_logged(client: FlaskClient, auth: Auth) -> None:
    auth.login("admin", province="KH-12")
    vuthy = make_user("officer", province="KH-12", username="vuthy", sex="not_stated")
    office = _queue("office-kh-12")
    page = client.get(f"/admin/users/{vuthy.id}?lang=en").get_data(as_text=True)
    response = client.post(
        f"/admin/users/{vuthy.id}?lang=en",
        data={
            "name": "Vuthy Sok",
            "sex": "male",
            "roles": ["officer", "supervisor"],
            "province": "KH-12",
            "language": "en",
            "queues": [str(office.id)],
            "csrf_token": csrf_from(page),
        },  # fmt: skip
    )
    assert response.status_code == 302
    listing = client.get("/admin/users?lang=en").get_data(as_text=True)
    assert "Account vuthy saved." in listing and "Joined: " in listing
    db.session.refresh(vuthy)
    assert vuthy.sex == "male" and vuthy.role_names == {"officer", "supervisor"}
    assert vuthy in office.members
    history = client.get(f"/admin/users/{vuthy.id}?lang=en").get_data(as_text=True)
    assert "Changed the account" in history and "supervisor:KH-12" in history


def test_deactivation_asks_first_and_says_what_happened(client: FlaskClient, auth: Auth) -> None:
    auth.login("admin")
    dara = make_user("officer", province="KH-12", name="Dara Leaving")
    listing = client.get("/admin/users?lang=en").get_data(as_text=True)
    assert f"/admin/users/{dara.id}/deactivate" not in listing  # no one-click button
    account = client.get(f"/admin/users/{dara.id}?lang=en").get_data(as_text=True)
    assert f"/admin/users/{dara.id}/deactivate" in account  # a link to a question
    asked = client.get(f"/admin/users/{dara.id}/deactivate?lang=en").get_data(as_text=True)
    assert "Deactivate Dara Leaving?" in asked and "signed out everywhere" in asked
    token = csrf_from(asked)
    no_reason = client.post(
        f"/admin/users/{dara.id}/deactivate", data={"reason": " ", "csrf_token": token}
    )
    assert no_reason.status_code == 400
    db.session.refresh(dara)
    assert dara.active
    done = client.post(
        f"/admin/users/{dara.id}/deactivate?lang=en",
        data={"reason": "Left the fund in November", "csrf_token": token},
        follow_redirects=True,
    )
    text = done.get_data(as_text=True)
    assert "Dara Leaving can no longer sign in" in text
    db.session.refresh(dara)
    assert not dara.active
    log = client.get("/admin/log?lang=en").get_data(as_text=True)
    assert "Deactivated the account" in log and "Left the fund in November" in log


def test_a_password_reset_gives_a_new_link_and_stops_the_old_password(
    app: Any, client: FlaskClient, auth: Auth
) -> None:
    auth.login("admin")
    rep = make_user("representative", province="KH-12", username="sokha.rep")
    asked = client.get(f"/admin/users/{rep.id}/reset_password?lang=en").get_data(as_text=True)
    done = client.post(
        f"/admin/users/{rep.id}/reset_password?lang=en",
        data={"reason": "Forgot it, called back on her desk phone", "csrf_token": csrf_from(asked)},
    )
    assert done.status_code == 200 and LINK.search(done.get_data(as_text=True))
    other = app.test_client()
    page = other.get("/login").get_data(as_text=True)
    old = other.post(
        "/login",
        data={
            "username": "sokha.rep",
            "password": "correct horse battery",
            "csrf_token": csrf_from(page),
        },
    )
    assert old.status_code == 401


def test_queues_without_members_show_on_the_admin_and_supervisor_homes(
    app: Any, client: FlaskClient, auth: Auth
) -> None:
    empty = _queue("office-kh-3")
    staffed = _queue("office-kh-12")
    staffed.members.append(make_user("officer", province="KH-12"))
    db.session.flush()
    auth.login("admin")
    home = client.get("/admin/?lang=en").get_data(as_text=True)
    assert "Queues that need people" in home
    assert empty.name_en in home and staffed.name_en not in home
    assert "No members: nobody works these cases" in home
    supervisor = app.test_client()
    Auth(supervisor).login("supervisor", province="KH-3")
    own = supervisor.get("/staff?lang=en").get_data(as_text=True)
    assert empty.name_en in own and staffed.name_en not in own  # her provinces only


def test_admin_pages_speak_khmer(client: FlaskClient, auth: Auth) -> None:
    auth.login("admin")
    make_user("officer", province="KH-12", name="Officer in Phnom Penh")
    page = client.get("/admin/users?lang=km").get_data(as_text=True)
    assert "ភ្នំពេញ" in page and "Phnom Penh</option>" not in page
    policies = client.get("/sla/policies?lang=en").get_data(as_text=True)
    assert "1 working day<" in policies and ">1 working days" not in policies
