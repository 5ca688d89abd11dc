"""Restricted cases: visible only to their officer and the designated officers. Everyone
else gets no 2xx on any case view, and opening one with a reason is logged and reported."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from grievance.auth import totp
from grievance.auth.models import User
from grievance.cases import policy, transitions
from grievance.cases.models import Case, CaseEvent
from grievance.crypto import seal
from grievance.extensions import db
from grievance.types import utcnow
from notifications.models import Notification
from tests.conftest import Auth, csrf_from
from tests.factories import make_user
from tests.queues.helpers import SUPERVISOR, acknowledged_case, join, queue, reload

ROLES: dict[str, tuple[str, ...]] = {
    "anonymous": (),
    "representative": ("representative",),
    "intake": ("intake",),
    "assignee": ("officer",),
    "other_officer": ("officer",),
    "designated": ("officer",),
    "supervisor": ("supervisor", "officer"),
    "oversight": ("oversight",),
    "admin": ("admin",),
}
MAY_SEE = {"assignee", "designated"}


@pytest.fixture
def world(client: FlaskClient, auth: Auth) -> dict[str, object]:
    """A restricted case with its officer, a restricted case waiting in its queue, and
    one user per role (the other officer is a member of every ordinary queue it could be in)."""
    users = {
        name: make_user(*roles, sex="female", username=name)
        for name, roles in ROLES.items()
        if roles
    }
    seeds = {}
    for name, user in users.items():
        if totp.required(user):  # staff who see identities sign in with a one-time code too
            seeds[name] = totp.new_seed()
            user.totp_secret = seal(seeds[name], totp.PURPOSE)
    join(users["designated"], "restricted")
    join(users["other_officer"], "office-kh-12", "national")
    join(users["supervisor"], "office-kh-12", "national")
    case = acknowledged_case(category_code="harassment_retaliation", confidentiality="restricted")
    # Only a designated officer may be given the case; her designation ends later on, and
    # she keeps (and sees) the one case she holds, and no other.
    join(users["assignee"], "restricted")
    transitions.apply(case, "assign", SUPERVISOR, {"assignee_id": users["assignee"].id})
    restricted_queue = queue("restricted")
    restricted_queue.members.remove(users["assignee"])
    waiting = acknowledged_case(
        category_code="harassment_retaliation", confidentiality="restricted"
    )
    db.session.flush()
    return {"case": case, "waiting": waiting, "users": users, "seeds": seeds}


def _login(client: FlaskClient, auth: Auth, who: str, world: dict[str, object]) -> str:
    """Sign in (unless anonymous) and return a CSRF token of the session."""
    if who != "anonymous":
        auth.as_user(who, seed=world["seeds"].get(who))  # type: ignore[attr-defined]
        return csrf_from(client.get("/staff", follow_redirects=True).get_data(as_text=True))
    return csrf_from(client.get("/login").get_data(as_text=True))


def _ok(status: int) -> bool:
    return 200 <= status < 300


@pytest.mark.parametrize("who", list(ROLES))
def test_access_matrix(client: FlaskClient, auth: Auth, world: dict[str, object], who: str) -> None:
    case, waiting = world["case"], world["waiting"]
    assert isinstance(case, Case) and isinstance(waiting, Case)
    ref, allowed = case.reference, who in MAY_SEE
    token = _login(client, auth, who, world)
    version, seen = str(case.version), str(case.event_count)
    events_before = case.event_count

    page = client.get(f"/cases/{ref}")
    assert _ok(page.status_code) == allowed, ("case page", page.status_code)
    if not allowed:
        assert "What happened" not in page.get_data(as_text=True)
        assert case.description not in page.get_data(as_text=True)

    act = client.post(
        f"/cases/{ref}/act/start_work",
        data={"csrf_token": token, "version": version, "seen": seen},
    )
    comment = client.post(f"/cases/{ref}/comment", data={"csrf_token": token, "text": "Hi"})
    if not allowed:
        for response in (act, comment):
            assert not _ok(response.status_code)
            location = response.headers.get("Location", "")
            assert response.status_code != 302 or "/login" in location
        fresh = reload(case)
        assert fresh.state == "assigned" and fresh.event_count == events_before

    lists = [
        client.get("/workspace/"),
        client.post("/workspace/", data={"csrf_token": token, "q": ref, "scope": "all"}),
        client.get("/workspace/queues"),
        client.get("/workspace/workload"),
        client.get("/cases/"),
    ]
    for response in lists:
        if _ok(response.status_code) and who not in MAY_SEE:
            linked = re.findall(r'href="/cases/([A-Z0-9-]+)"', response.get_data(as_text=True))
            assert ref not in linked and waiting.reference not in linked, response.request.url
    queue_page = client.get("/workspace/queues/restricted")
    assert _ok(queue_page.status_code) == (who == "designated")

    claim = client.post("/workspace/claim", data={"csrf_token": token})
    claimed = reload(waiting).assignee_id
    if who == "designated":
        assert claim.status_code == 302 and claimed is not None
    else:
        assert claimed is None, claim.status_code


def test_oversight_never_sees_the_officer_case_page(
    client: FlaskClient, auth: Auth, world: dict[str, object]
) -> None:
    ordinary = acknowledged_case()
    _login(client, auth, "oversight", world)
    for case in (world["case"], ordinary):
        assert client.get(f"/cases/{case.reference}").status_code == 403  # type: ignore[attr-defined]


def test_break_glass_is_logged_reported_and_time_limited(
    client: FlaskClient, auth: Auth, world: dict[str, object]
) -> None:
    case = world["case"]
    assert isinstance(case, Case)
    token = _login(client, auth, "other_officer", world)
    page = client.get(f"/cases/{case.reference}?lang=en")
    assert page.status_code == 403 and "write why" in page.get_data(as_text=True)

    short = client.post(
        f"/workspace/restricted/{case.reference}", data={"csrf_token": token, "reason": "need"}
    )
    assert short.status_code == 400
    no_token = client.post(
        f"/workspace/restricted/{case.reference}",
        data={"reason": "The complainant phoned the hotline again"},
    )
    assert no_token.status_code == 400
    assert reload(case).event_count == case.event_count

    reason = "The complainant phoned the hotline and the assigned officer is on leave."
    opened = client.post(
        f"/workspace/restricted/{case.reference}", data={"csrf_token": token, "reason": reason}
    )
    assert opened.status_code == 302
    shown = client.get(f"/cases/{case.reference}?lang=en")
    assert shown.status_code == 200
    assert "Restricted case opened with a reason" in shown.get_data(as_text=True)
    assert reason in shown.get_data(as_text=True)

    event = db.session.scalar(
        select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.kind == "break_glass")
    )
    officer = world["users"]["other_officer"]  # type: ignore[index]
    assert event is not None and event.data == {"reason": reason}
    assert event.actor_id == officer.id and not event.public
    told = db.session.scalars(
        select(Notification).where(Notification.template == "break_glass")
    ).all()
    supervisor = world["users"]["supervisor"]  # type: ignore[index]
    assert supervisor.id in {n.user_id for n in told}

    user = db.session.get(User, officer.id)
    later = utcnow() + policy.BREAK_GLASS_FOR + timedelta(minutes=1)
    assert policy.has_grant(user, reload(case)) and not policy.has_grant(user, case, later)

    # The supervisor sees who opened it and why on the workload page.
    client.post("/logout", data={"csrf_token": token})
    auth.as_user("supervisor", seed=world["seeds"]["supervisor"])  # type: ignore[index]
    workload = client.get("/workspace/workload?lang=en").get_data(as_text=True)
    assert reason in workload and case.reference in workload


def test_break_glass_is_not_offered_outside_the_province(
    client: FlaskClient, auth: Auth, world: dict[str, object]
) -> None:
    case = world["case"]
    make_user("officer", province="KH-17", username="far")
    token = _login(client, auth, "far", world)
    assert client.get(f"/cases/{case.reference}").status_code == 404  # type: ignore[attr-defined]
    response = client.post(
        f"/workspace/restricted/{case.reference}",  # type: ignore[attr-defined]
        data={"csrf_token": token, "reason": "Just curious about this case"},
    )
    assert response.status_code == 404
