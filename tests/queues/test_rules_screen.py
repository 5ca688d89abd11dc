"""Supervisors edit routing rules and members on a screen; restricted queues are the
admins' business; every form needs its CSRF token."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy import select

from grievance.extensions import db
from grievance.queues.models import Queue
from grievance.queues.routing import members_of
from tests.conftest import Auth, csrf_from
from tests.factories import make_case, make_user
from tests.queues.helpers import category_id, queue


def form_of(queue_: Queue, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "code": queue_.code,
        "name_en": queue_.name_en,
        "name_km": queue_.name_km,
        "position": queue_.position,
        "level": queue_.level,
        "province": queue_.province_code or "",
        "category": queue_.category_id or "",
        "kind": queue_.kind or "",
        "confidentiality": queue_.confidentiality or "",
        "members": [u.id for u in members_of(queue_)],
    }
    for flag in ("restricted", "auto_assign", "active"):
        if getattr(queue_, flag):
            data[flag] = "y"
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_supervisor_turns_on_auto_assignment_and_adds_members(
    client: FlaskClient, auth: Auth
) -> None:
    auth.login("supervisor")
    officer = make_user("officer", name="Kanha Officer", sex="female")
    office = queue("office-kh-17")
    page = client.get(f"/workspace/rules/{office.id}?lang=en").get_data(as_text=True)
    assert "Kanha Officer" in page and "Female" in page
    response = client.post(
        f"/workspace/rules/{office.id}",
        data=form_of(office, csrf_token=csrf_from(page), auto_assign="y", members=[officer.id]),
    )
    assert response.status_code == 302
    db.session.expire_all()
    office = queue("office-kh-17")
    assert office.auto_assign and members_of(office) == [officer]
    listing = client.get("/workspace/rules/?lang=en").get_data(as_text=True)
    assert "Automatic assignment" in listing


def test_a_new_queue_changes_routing(client: FlaskClient, auth: Auth) -> None:
    auth.login("supervisor")
    page = client.get("/workspace/rules/new").get_data(as_text=True)
    response = client.post(
        "/workspace/rules/new",
        data={
            "csrf_token": csrf_from(page),
            "code": "maternity-pp",
            "name_en": "Maternity, Phnom Penh",
            "name_km": "មាតុភាព ភ្នំពេញ",
            "position": "20",
            "level": "0",
            "province": "KH-12",
            "category": category_id("maternity"),
            "active": "y",
        },
    )
    assert response.status_code == 302
    case = make_case(category_code="maternity").case
    assert case.queue_id == queue("maternity-pp").id
    assert (
        make_case(category_code="maternity", province_code="KH-3").case.queue_id
        == queue("office-kh-3").id
    )


def test_only_admins_touch_restricted_queues(client: FlaskClient, auth: Auth) -> None:
    woman = make_user("officer", sex="female")
    restricted = queue("restricted")
    auth.login("supervisor")
    assert client.get(f"/workspace/rules/{restricted.id}").status_code == 403
    page = client.get("/workspace/rules/new").get_data(as_text=True)
    attempt = client.post(
        "/workspace/rules/new",
        data=form_of(restricted, code="sneaky", csrf_token=csrf_from(page), restricted="y"),
    )
    assert attempt.status_code == 403
    assert db.session.scalar(select(Queue).where(Queue.code == "sneaky")) is None

    client.post("/logout", data={"csrf_token": csrf_from(page)})
    auth.login("admin")
    page = client.get(f"/workspace/rules/{restricted.id}").get_data(as_text=True)
    response = client.post(
        f"/workspace/rules/{restricted.id}",
        data=form_of(restricted, csrf_token=csrf_from(page), members=[woman.id]),
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert members_of(queue("restricted")) == [woman]


def test_province_supervisor_edits_only_their_province(client: FlaskClient, auth: Auth) -> None:
    auth.login("supervisor", province="KH-12")
    assert client.get(f"/workspace/rules/{queue('office-kh-12').id}").status_code == 200
    assert client.get(f"/workspace/rules/{queue('office-kh-17').id}").status_code == 403
    listing = client.get("/workspace/rules/?lang=en").get_data(as_text=True)
    assert "Phnom Penh office" in listing and "Siem Reap office" not in listing


def test_mistakes_are_explained_and_csrf_is_required(client: FlaskClient, auth: Auth) -> None:
    auth.login("admin")
    office = queue("office-kh-12")
    page = client.get(f"/workspace/rules/{office.id}?lang=en").get_data(as_text=True)
    no_token = client.post(f"/workspace/rules/{office.id}", data=form_of(office, name_en="X"))
    assert no_token.status_code == 400
    restricted_rule = client.post(
        f"/workspace/rules/{office.id}?lang=en",
        data=form_of(office, csrf_token=csrf_from(page), confidentiality="restricted"),
    )
    assert restricted_rule.status_code == 400
    assert "Only a restricted queue" in restricted_rule.get_data(as_text=True)
    taken = client.post(
        f"/workspace/rules/{office.id}?lang=en",
        data=form_of(office, csrf_token=csrf_from(page), code="national"),
    )
    assert taken.status_code == 400 and "already has this code" in taken.get_data(as_text=True)
    db.session.expire_all()
    assert queue("office-kh-12").name_en == "Phnom Penh office"
