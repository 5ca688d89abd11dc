"""Admins declare closures and edit SLA policies in the browser; staff see deadlines."""

from __future__ import annotations

from datetime import date

import time_machine
from flask.testing import FlaskClient
from sqlalchemy import select

from grievance.cases.models import Case, Category
from grievance.extensions import db
from grievance.sla.models import Closure, SlaPolicy
from tests.conftest import Auth, Released, csrf_from
from tests.sla.conftest import file_at, pp, reload

WATER_FESTIVAL_KM = "ព្រះរាជពិធីបុណ្យអុំទូក"


def closures() -> list[Closure]:
    db.session.expire_all()
    return list(db.session.scalars(select(Closure)))


@time_machine.travel(pp(2026, 11, 2, 9), tick=False)
def test_admin_adds_and_removes_a_province_closure(
    client: FlaskClient, auth: Auth, recorded_jobs: Released
) -> None:
    auth.login("admin")
    page = client.get("/sla/calendar?lang=en").get_data(as_text=True)
    assert "Water Festival" in page and WATER_FESTIVAL_KM in page  # holidays in both languages
    form = {
        "csrf_token": csrf_from(page),
        "start": "2026-12-03",
        "end": "2026-12-04",
        "provinces": ["KH-17", "KH-18"],
        "reason": "Flooding",
    }

    response = client.post("/sla/closures", data=form)

    assert response.status_code == 302
    [closure] = closures()
    assert closure.provinces == ["KH-17", "KH-18"] and closure.reason == "Flooding"
    assert closure.start_date == date(2026, 12, 3)
    assert [name for name, _ids in recorded_jobs] == ["grievance.sla.admin.recompute_deadlines_job"]
    page = client.get("/sla/calendar?lang=en").get_data(as_text=True)
    assert "Flooding" in page and "Siem Reap" in page

    removed = client.post(
        f"/sla/closures/{closure.id}/remove", data={"csrf_token": csrf_from(page)}
    )
    assert removed.status_code == 302 and closures() == []


def test_closure_forms_need_csrf_and_an_admin(client: FlaskClient, auth: Auth) -> None:
    data = {"start": "2026-12-03", "end": "2026-12-03", "reason": "Storm"}
    assert client.get("/sla/calendar").status_code == 302  # to the login page
    auth.login("supervisor")
    assert client.get("/sla/calendar").status_code == 403
    token = csrf_from(client.get("/staff").get_data(as_text=True))
    assert client.post("/sla/closures", data={**data, "csrf_token": token}).status_code == 403
    assert closures() == []


def test_an_admin_without_a_csrf_token_is_refused(client: FlaskClient, auth: Auth) -> None:
    auth.login("admin")
    data = {"start": "2026-12-03", "end": "2026-12-03", "reason": "Storm"}
    assert client.post("/sla/closures", data=data).status_code == 400
    assert closures() == []


def test_a_closure_with_its_dates_the_wrong_way_round_is_refused(
    client: FlaskClient, auth: Auth
) -> None:
    auth.login("admin")
    page = client.get("/sla/calendar?lang=en").get_data(as_text=True)
    data = {"csrf_token": csrf_from(page), "start": "2026-12-04", "end": "2026-12-03"}
    response = client.post("/sla/closures", data={**data, "reason": "Storm"})
    assert response.status_code == 400
    assert "The last day cannot be before the first day." in response.get_data(as_text=True)
    assert closures() == []


def _normal_grievance_policy() -> SlaPolicy:
    query = select(SlaPolicy).where(
        SlaPolicy.kind == "grievance",
        SlaPolicy.priority == "normal",
        SlaPolicy.category_id.is_(None),
        SlaPolicy.active.is_(True),
    )
    policy = db.session.scalar(query)
    assert policy is not None
    return policy


def test_editing_a_policy_makes_a_new_version_and_open_cases_keep_theirs(
    client: FlaskClient, auth: Auth
) -> None:
    before = file_at(pp(2026, 12, 7, 8))
    old = _normal_grievance_policy()
    auth.login("admin")
    page = client.get(f"/sla/policies/{old.id}?lang=en").get_data(as_text=True)
    assert 'value="20.0"' in page  # the current resolve target is filled in
    form = {
        "csrf_token": csrf_from(page),
        "unit": "days",
        "acknowledge": "1",
        "resolve": "15",
        "level1": "4",
        "level2": "3",
        "level3": "2",
    }
    # The screen names each level of the ladder.
    for label in ("province office", "national grievance unit", "oversight body"):
        assert label in page

    assert client.post(f"/sla/policies/{old.id}", data=form).status_code == 302

    db.session.expire_all()
    new = _normal_grievance_policy()
    assert new.id != old.id and new.version == old.version + 1
    assert (new.acknowledge, new.resolve, new.escalation) == (1, 15, [4, 3, 2])
    assert [new.level_target(n) for n in (1, 2, 3)] == [4, 3, 2]
    assert db.session.get(SlaPolicy, old.id).active is False
    assert reload(before).sla_policy_id == old.id  # the open case keeps its version
    after = file_at(pp(2026, 12, 7, 8))
    assert after.sla_policy_id == new.id
    assert after.resolve_due_at < before.resolve_due_at
    # The old version cannot be edited any more.
    assert client.get(f"/sla/policies/{old.id}").status_code == 404


def test_an_impossible_policy_is_refused(client: FlaskClient, auth: Auth) -> None:
    old = _normal_grievance_policy()
    auth.login("admin")
    page = client.get(f"/sla/policies/{old.id}?lang=en").get_data(as_text=True)
    form = {"csrf_token": csrf_from(page), "unit": "days", "acknowledge": "5", "resolve": "2"}
    response = client.post(
        f"/sla/policies/{old.id}", data={**form, "level1": "1", "level2": "1", "level3": "1"}
    )
    assert response.status_code == 400
    assert "Acknowledging cannot take longer than resolving." in response.get_data(as_text=True)
    assert _normal_grievance_policy().id == old.id


def test_a_category_gets_its_own_policy(client: FlaskClient, auth: Auth) -> None:
    pension = db.session.scalar(select(Category).where(Category.code == "pension"))
    auth.login("admin")
    page = client.get("/sla/policies?lang=en").get_data(as_text=True)
    form = {
        "csrf_token": csrf_from(page),
        "scope": f"category:{pension.id}",
        "priority": "normal",
        "unit": "hours",
        "acknowledge": "4",
        "resolve": "40",
        "level1": "20",
        "level2": "10",
        "level3": "10",
    }
    assert client.post("/sla/policies", data=form).status_code == 302
    case = file_at(pp(2026, 12, 7, 8))  # a pension complaint
    policy = db.session.get(SlaPolicy, case.sla_policy_id)
    assert policy.category_id == pension.id and policy.unit == "hours"
    assert case.ack_due_at == pp(2026, 12, 7, 12)
    again = client.post("/sla/policies", data=form)
    assert again.status_code == 409


def test_policy_screens_are_for_admins(client: FlaskClient, auth: Auth) -> None:
    auth.login("officer", "supervisor")
    assert client.get("/sla/policies").status_code == 403
    page = client.get("/staff?lang=en").get_data(as_text=True)
    assert "SLA policies" not in page


def test_admins_find_the_screens_in_their_menu(client: FlaskClient, auth: Auth) -> None:
    auth.login("admin")
    page = client.get("/staff?lang=en").get_data(as_text=True)
    assert "SLA policies" in page and "Calendar and closures" in page


@time_machine.travel(pp(2026, 12, 9, 10), tick=False)
def test_case_page_shows_deadlines_and_a_supervisor_changes_priority(
    client: FlaskClient, auth: Auth
) -> None:
    case = file_at(pp(2026, 12, 7, 8))
    auth.login("supervisor")
    page = client.get(f"/cases/{case.reference}?lang=en").get_data(as_text=True)
    assert "Deadlines" in page and "Acknowledge by" in page and "Resolve by" in page
    # Acknowledgement was due on Tuesday 8 December at 17:30.
    assert "Overdue by 2 hours" in page
    assert 'class="badge sla sla-overdue"' in page

    response = client.post(
        f"/sla/cases/{case.reference}/priority",
        data={"csrf_token": csrf_from(page), "priority": "urgent", "reason": "Retaliation"},
    )

    assert response.status_code == 302
    case = reload(case)
    assert case.priority == "urgent"
    page = client.get(f"/cases/{case.reference}?lang=en").get_data(as_text=True)
    assert "Retaliation" in page  # the reason is on the timeline


def test_an_officer_cannot_change_the_priority_of_someone_elses_case(
    client: FlaskClient, auth: Auth
) -> None:
    case = file_at(pp(2026, 12, 7, 8))
    auth.login("officer")
    page = client.get(f"/cases/{case.reference}?lang=en").get_data(as_text=True)
    assert "Change priority" not in page
    token = csrf_from(page)
    client.post(
        f"/sla/cases/{case.reference}/priority",
        data={"csrf_token": token, "priority": "urgent", "reason": "Because"},
    )
    assert reload(case).priority == "normal"
    assert db.session.scalar(select(Case.priority).where(Case.id == case.id)) == "normal"


def test_the_screens_render_in_khmer(client: FlaskClient, auth: Auth) -> None:
    case = file_at(pp(2026, 12, 7, 8))
    policy = _normal_grievance_policy()
    auth.login("admin", "supervisor")
    for url in (
        "/sla/calendar",
        "/sla/policies",
        f"/sla/policies/{policy.id}",
        f"/cases/{case.reference}",
    ):
        response = client.get(url + "?lang=km")
        assert response.status_code == 200, url
        assert 'lang="km"' in response.get_data(as_text=True)


@time_machine.travel(pp(2026, 11, 2, 9), tick=False)
def test_a_provincial_admin_manages_only_the_closures_of_their_provinces(
    client: FlaskClient, auth: Auth
) -> None:
    national = Closure(
        start_date=date(2026, 12, 10), end_date=date(2026, 12, 10), provinces=[], reason="Storm"
    )
    db.session.add(national)
    db.session.flush()
    auth.login("admin", province="KH-17")
    page = client.get("/sla/calendar?lang=en").get_data(as_text=True)
    assert 'value="KH-17"' in page and 'value="KH-12"' not in page  # only their provinces
    assert f"/sla/closures/{national.id}/remove" not in page
    form = {"csrf_token": csrf_from(page), "start": "2026-12-03", "end": "2026-12-03"}

    whole_country = client.post("/sla/closures", data={**form, "reason": "Flood"})
    other_province = client.post(
        "/sla/closures", data={**form, "reason": "Flood", "provinces": ["KH-12"]}
    )
    removed = client.post(f"/sla/closures/{national.id}/remove", data=form)
    own = client.post("/sla/closures", data={**form, "reason": "Flood", "provinces": ["KH-17"]})

    assert whole_country.status_code == 400
    assert "only for the provinces you manage" in whole_country.get_data(as_text=True)
    assert other_province.status_code == 400 and removed.status_code == 404
    assert own.status_code == 302
    assert sorted(c.provinces for c in closures()) == [[], ["KH-17"]]


def test_only_nationwide_admins_change_deadline_policies(client: FlaskClient, auth: Auth) -> None:
    policy = db.session.scalars(select(SlaPolicy).where(SlaPolicy.active.is_(True))).first()
    assert policy is not None
    auth.login("admin", province="KH-17")
    page = client.get("/sla/policies?lang=en").get_data(as_text=True)
    assert "Add a policy" not in page and f"/sla/policies/{policy.id}" not in page
    token = csrf_from(page)
    assert client.get(f"/sla/policies/{policy.id}").status_code == 403
    assert client.post("/sla/policies", data={"csrf_token": token}).status_code == 403
    edited = client.post(f"/sla/policies/{policy.id}", data={"csrf_token": token, "resolve": "1"})
    assert edited.status_code == 403
