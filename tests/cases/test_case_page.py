"""An officer works a case in the browser: only allowed actions, every move on the timeline."""

from __future__ import annotations

import re

from flask.testing import FlaskClient

from grievance.auth.models import User
from grievance.cases import transitions
from grievance.cases.audit import verify
from grievance.cases.models import Case
from grievance.extensions import db
from tests.conftest import Auth, csrf_from
from tests.factories import make_case, make_user


def forms_on(page: str) -> set[str]:
    return set(re.findall(r'id="act-([a-z_]+)"', page))


def act(client: FlaskClient, case: Case, name: str, **fields: object) -> object:
    page = client.get(f"/cases/{case.reference}").get_data(as_text=True)
    version = re.search(r'name="version" value="(\d+)"', page)
    seen = re.search(r'name="seen" value="(\d+)"', page)
    data = {"csrf_token": csrf_from(page), "version": version.group(1), "seen": seen.group(1)}
    data.update({k: str(v) for k, v in fields.items()})
    return client.post(f"/cases/{case.reference}/act/{name}", data=data)


def reload(case: Case) -> Case:
    db.session.expire_all()
    return db.session.get(Case, case.id)


def test_whole_grievance_workflow_in_the_browser(client: FlaskClient, auth: Auth) -> None:
    case = make_case().case
    auth.login("supervisor", "officer", username="boss")
    boss = db.session.scalar(db.select(User).filter_by(username="boss"))

    assert act(client, case, "acknowledge").status_code == 302
    assert act(client, case, "assign", assignee_id=boss.id).status_code == 302
    assert act(client, case, "start_work").status_code == 302
    assert act(client, case, "request_information", comment="Send your payslip").status_code == 302
    case = reload(case)
    assert case.state == "awaiting_complainant" and case.paused_at is not None

    transitions.apply(case, "provide_information", transitions.COMPLAINANT, {"answer": "Sent."})
    db.session.flush()
    assert act(client, case, "propose_resolution", resolution="Arrears paid").status_code == 302
    case = reload(case)
    transitions.apply(case, "accept_resolution", transitions.COMPLAINANT, {"rating": 5})
    db.session.flush()

    case = reload(case)
    assert case.state == "closed" and case.closed_at is not None and case.satisfaction == 5
    page = client.get(f"/cases/{case.reference}?lang=en").get_data(as_text=True)
    for words in (
        "Acknowledge",
        "Assign",
        "Start work",
        "Request information",
        "Send your payslip",
        "Arrears paid",
        "Accept the answer",
    ):
        assert words in page, words
    kinds = [e.kind for e in case.events]
    assert kinds.count("transition") == 7 and kinds[0] == "filed"
    assert list(verify(case.reference)) == []


def test_only_the_actions_the_user_may_take_are_offered(client: FlaskClient, auth: Auth) -> None:
    case = make_case().case
    auth.login("intake")
    page = client.get(f"/cases/{case.reference}").get_data(as_text=True)
    assert forms_on(page) == {"acknowledge", "withdraw_for_complainant", "merge"}


def test_officer_who_is_not_the_assignee_cannot_start_work(client: FlaskClient, auth: Auth) -> None:
    case = make_case().case
    other = make_user("officer")
    supervisor = transitions.Actor(id=None, roles=frozenset({"supervisor"}))
    transitions.apply(case, "acknowledge", supervisor)
    transitions.apply(case, "assign", supervisor, {"assignee_id": other.id})
    db.session.flush()
    auth.login("officer")
    page = client.get(f"/cases/{case.reference}").get_data(as_text=True)
    assert "start_work" not in forms_on(page)
    response = act(client, case, "start_work")
    assert response.status_code == 409
    assert reload(case).state == "assigned"


def test_missing_reason_is_refused_beside_the_field(client: FlaskClient, auth: Auth) -> None:
    case = make_case().case
    user = auth.login("officer", "supervisor")
    actor = transitions.actor_for(user)
    transitions.apply(case, "acknowledge", actor)
    transitions.apply(case, "assign", actor, {"assignee_id": user.id})
    db.session.flush()
    response = act(client, case, "propose_rejection", reason="   ")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'id="propose_rejection-reason-error"' in page
    assert reload(case).state == "assigned"


def test_role_not_permitted_is_403(client: FlaskClient, auth: Auth) -> None:
    case = make_case().case
    transitions.apply(case, "acknowledge", transitions.Actor(id=None, roles=frozenset({"intake"})))
    db.session.flush()
    auth.login("intake")
    response = act(client, case, "assign", assignee_id=1)
    assert response.status_code == 403
    assert reload(case).state == "acknowledged"


def test_stale_page_gets_409_showing_what_changed(client: FlaskClient, auth: Auth) -> None:
    case = make_case().case
    auth.login("officer", "supervisor")
    page = client.get(f"/cases/{case.reference}?lang=en").get_data(as_text=True)
    old_version = re.search(r'name="version" value="(\d+)"', page).group(1)
    old_seen = re.search(r'name="seen" value="(\d+)"', page).group(1)
    someone = make_user("intake", name="Another Officer")
    transitions.apply(reload(case), "acknowledge", transitions.actor_for(someone))
    db.session.flush()
    response = client.post(
        f"/cases/{case.reference}/act/withdraw",
        data={"csrf_token": csrf_from(page), "version": old_version, "seen": old_seen},
    )
    assert response.status_code == 409
    body = response.get_data(as_text=True)
    assert "Another Officer" in body and "Acknowledge" in body
    assert reload(case).state == "acknowledged"


def test_comments_internal_and_public(client: FlaskClient, auth: Auth) -> None:
    case = make_case().case
    auth.login("officer")
    page = client.get(f"/cases/{case.reference}").get_data(as_text=True)
    token = csrf_from(page)
    client.post(
        f"/cases/{case.reference}/comment", data={"csrf_token": token, "text": "Called employer"}
    )
    client.post(
        f"/cases/{case.reference}/comment",
        data={"csrf_token": token, "text": "We are checking", "public": "y"},
    )
    events = [e for e in reload(case).events if e.kind == "comment"]
    assert [(e.data["text"], e.public) for e in events] == [
        ("Called employer", False),
        ("We are checking", True),
    ]


def test_restricted_and_out_of_province_cases_are_not_found(
    client: FlaskClient, auth: Auth
) -> None:
    restricted = make_case(
        category_code="harassment_retaliation", confidentiality="restricted"
    ).case
    elsewhere = make_case(province_code="KH-12").case
    auth.login("officer", province="KH-17")
    assert client.get(f"/cases/{restricted.reference}").status_code == 404
    assert client.get(f"/cases/{elsewhere.reference}").status_code == 404


def test_confidential_identity_only_for_the_assignee(client: FlaskClient, auth: Auth) -> None:
    from grievance.cases.services import PersonData

    case = make_case(
        confidentiality="confidential",
        complainant=PersonData(name="Srey Pov", phone="+85512000111"),
    ).case
    user = auth.login("officer", "supervisor")
    assert "Srey Pov" not in client.get(f"/cases/{case.reference}").get_data(as_text=True)
    actor = transitions.actor_for(user)
    transitions.apply(case, "acknowledge", actor)
    transitions.apply(case, "assign", actor, {"assignee_id": user.id})
    db.session.flush()
    assert "Srey Pov" in client.get(f"/cases/{case.reference}").get_data(as_text=True)


def test_workflow_diagrams_page(client: FlaskClient, auth: Auth) -> None:
    auth.login("admin")
    page = client.get("/admin/workflows?lang=en").get_data(as_text=True)
    assert page.count("<svg") == 3 and "Propose to reject" in page
