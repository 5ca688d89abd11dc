"""The officer's workspace in the browser: my cases, search, queues, claim, workload."""

from __future__ import annotations

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from flask.testing import FlaskClient

from grievance.cases import transitions
from grievance.cases.services import PersonData
from grievance.extensions import db
from grievance.types import utcnow
from tests.conftest import Auth, csrf_from
from tests.factories import make_case, make_user
from tests.queues.helpers import SUPERVISOR, acknowledged_case, join, make_queue, queue, reload


def refs(html: str) -> list[str]:
    return re.findall(r'href="/cases/([A-Z0-9]{4}-[A-Z0-9]{4})"', html)


def mine(case: object, user: object, due_in_days: float | None = None) -> object:
    transitions.apply(case, "assign", SUPERVISOR, {"assignee_id": user.id})  # type: ignore[attr-defined]
    if due_in_days is not None:
        case.resolve_due_at = utcnow() + timedelta(days=due_in_days)  # type: ignore[attr-defined]
    db.session.flush()
    return case


def search(client: FlaskClient, **fields: str) -> str:
    page = client.get("/workspace/").get_data(as_text=True)
    response = client.post("/workspace/", data={"csrf_token": csrf_from(page), **fields})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_my_cases_overdue_first_then_earliest_deadline(client: FlaskClient, auth: Auth) -> None:
    me = auth.login("officer")
    later = mine(acknowledged_case(), me, 9)
    sooner = mine(acknowledged_case(), me, 2)
    overdue = mine(acknowledged_case(), me, -1)
    flagged = mine(acknowledged_case(), me, 20)
    flagged.overdue = True
    someone_elses = mine(acknowledged_case(), make_user("officer"), 1)
    db.session.flush()
    page = client.get("/workspace/?lang=en").get_data(as_text=True)
    order = refs(page)
    assert someone_elses.reference not in order
    assert order.index(overdue.reference) < order.index(sooner.reference)
    assert order.index(flagged.reference) < order.index(sooner.reference)
    assert order.index(sooner.reference) < order.index(later.reference)
    assert "Overdue" in page


def test_filters_by_state_category_province_and_priority(client: FlaskClient, auth: Auth) -> None:
    me = auth.login("officer")
    pension = mine(acknowledged_case(category_code="pension", province_code="KH-17"), me)
    urgent = mine(acknowledged_case(priority="urgent"), me)
    transitions.apply(urgent, "start_work", transitions.actor_for(me))
    db.session.flush()
    pension_id = str(pension.category_id)
    assert refs(client.get(f"/workspace/?category={pension_id}").get_data(as_text=True)) == [
        pension.reference
    ]
    assert refs(client.get("/workspace/?province=KH-17").get_data(as_text=True)) == [
        pension.reference
    ]
    assert refs(client.get("/workspace/?priority=urgent").get_data(as_text=True)) == [
        urgent.reference
    ]
    assert refs(client.get("/workspace/?state=in_progress").get_data(as_text=True)) == [
        urgent.reference
    ]
    # Unknown values are ignored rather than refused.
    assert client.get("/workspace/?state=nonsense&category=x").status_code == 200


def test_search_by_reference_phone_name_employer_and_words(client: FlaskClient, auth: Auth) -> None:
    me = auth.login("officer")
    case = mine(
        acknowledged_case(
            complainant=PersonData(name="Chan Sreyneang", phone="+85512777888"),
            concerned_name="Golden Thread Garment Factory",
            description="The line leader cut my overtime after I asked about maternity pay.",
        ),
        me,
    )
    khmer = mine(acknowledged_case(description="ក្រុមហ៊ុនមិនបានបង់ប្រាក់វិភាគទានទេ"), me)
    other = acknowledged_case(description="Nothing to do with it")
    for query in (
        case.reference.lower().replace("-", ""),
        "012 777 888",
        "sreyneang",
        "golden thread",
        "overtime MATERNITY",
    ):
        found = refs(search(client, q=query))
        assert found == [case.reference], query
    assert refs(search(client, q="បង់ប្រាក់")) == [khmer.reference]
    assert other.reference in refs(search(client, q="nothing to do", scope="all"))
    assert refs(search(client, q="100%_")) == []


def test_search_words_never_travel_in_the_url(client: FlaskClient, auth: Auth) -> None:
    me = auth.login("officer")
    case = mine(acknowledged_case(complainant=PersonData(name="Sok Dara")), me)
    page = client.get("/workspace/?q=Nobody&lang=en").get_data(as_text=True)
    assert case.reference in refs(page)  # the GET ignored the words
    html = search(client, q="Sok Dara")
    assert 'method="post"' in html and "?q=" not in html


def test_names_of_confidential_complainants_are_not_searchable_by_others(
    client: FlaskClient, auth: Auth
) -> None:
    auth.login("officer", "supervisor")
    case = acknowledged_case(
        confidentiality="confidential",
        complainant=PersonData(name="Hidden Person", phone="+85512999000"),
    )
    mine(case, make_user("officer"))
    assert refs(search(client, q="Hidden Person", scope="all")) == []
    assert refs(search(client, q="012999000", scope="all")) == []
    assert refs(search(client, q=case.reference, scope="all")) == [case.reference]


def test_pages_of_fifty(client: FlaskClient, auth: Auth) -> None:
    me = auth.login("officer")
    made = [mine(acknowledged_case(), me, i) for i in range(51)]
    first = client.get("/workspace/?lang=en").get_data(as_text=True)
    assert len(refs(first)) == 50 and "page 1 of 2" in first
    second = search(client, page="2", lang="en")
    assert refs(second) == [made[-1].reference]


def test_queues_page_counts_oldest_and_claim_next(client: FlaskClient, auth: Auth) -> None:
    me = auth.login("officer")
    join(me, "office-kh-12")
    oldest = acknowledged_case(due=utcnow() + timedelta(days=3))
    urgent = acknowledged_case(due=utcnow() - timedelta(hours=1))
    make_case()  # new, not yet acknowledged
    page = client.get("/workspace/queues?lang=en").get_data(as_text=True)
    row = page[page.index("Phnom Penh office") :]
    row = row[: row.index("</tr>")]
    numbers = re.findall(r"<td>(?:<span class=\"overdue\">)?(\d+)", row)
    # unassigned, ready, ready for me, new, overdue
    assert numbers[:5] == ["3", "2", "2", "1", "1"]
    assert oldest.reference in row

    response = client.post(
        "/workspace/claim", data={"csrf_token": csrf_from(page), "queue": queue("office-kh-12").id}
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/cases/{urgent.reference}")
    assert reload(urgent).assignee_id == me.id
    assert client.post("/workspace/claim", data={}).status_code == 400  # no CSRF token


def test_queue_page_lists_the_waiting_cases(client: FlaskClient, auth: Auth) -> None:
    me = auth.login("officer")
    join(me, "office-kh-17")
    waiting = acknowledged_case(province_code="KH-17")
    taken = mine(acknowledged_case(province_code="KH-17"), me)
    page = client.get("/workspace/queues/office-kh-17?lang=en").get_data(as_text=True)
    assert waiting.reference in refs(page) and taken.reference not in refs(page)
    assert "Take the most urgent case" in page
    assert client.get("/workspace/queues/office-kh-3").status_code == 404  # not my queue


def test_claim_with_nothing_waiting_says_so(client: FlaskClient, auth: Auth) -> None:
    me = auth.login("officer")
    join(me, "office-kh-3")
    page = client.get("/workspace/queues").get_data(as_text=True)
    response = client.post(
        "/workspace/claim", data={"csrf_token": csrf_from(page)}, follow_redirects=True
    )
    assert "No case is waiting that you can take" in response.get_data(as_text=True)


def test_workload_shows_open_and_overdue_per_officer(client: FlaskClient, auth: Auth) -> None:
    auth.login("supervisor")
    busy = make_user("officer", name="Busy Officer")
    join(busy, "restricted")  # designated: she may hold a restricted case
    mine(acknowledged_case(), busy, -2)
    mine(acknowledged_case(), busy, 5)
    mine(acknowledged_case(confidentiality="restricted"), busy, -2)  # not counted for me
    page = client.get("/workspace/workload?lang=en").get_data(as_text=True)
    row = page[page.index("Busy Officer") :]
    row = row[: row.index("</tr>")]
    assert re.findall(r"<td>(?:<span class=\"overdue\">)?(\d+)", row)[:2] == ["2", "1"]


def test_bulk_reassign_form(client: FlaskClient, auth: Auth) -> None:
    auth.login("supervisor")
    leaving = make_user("officer", name="Leaving Officer")
    target = make_user("officer", name="New Officer")
    cases = [mine(acknowledged_case(), leaving) for _ in range(2)]
    page = client.get("/workspace/reassign?lang=en").get_data(as_text=True)
    fields = {
        "csrf_token": csrf_from(page),
        "leaving": leaving.id,
        "target": target.id,
        "reason": "Left the office",
        "mark_away": "y",
    }
    # First what would move, and nothing moves.
    preview = client.post("/workspace/reassign?lang=en", data=fields)
    shown = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "2 cases will move. Nothing has moved yet." in shown
    assert all(c.reference in shown for c in cases) and "New Officer" in shown
    assert {reload(c).assignee_id for c in cases} == {leaving.id}
    db.session.refresh(leaving)
    assert not leaving.away
    # Then, confirmed, they move.
    response = client.post("/workspace/reassign?lang=en", data={**fields, "confirmed": "1"})
    assert response.status_code == 200 and "2 cases moved" in response.get_data(as_text=True)
    assert {reload(c).assignee_id for c in cases} == {target.id}
    db.session.refresh(leaving)
    assert leaving.away


def test_workspace_pages_need_the_right_roles(client: FlaskClient, auth: Auth) -> None:
    auth.login("intake")
    assert client.get("/workspace/").status_code == 403
    assert client.get("/workspace/workload").status_code == 403
    assert client.get("/workspace/rules/").status_code == 403


def test_auto_assign_queue_assigns_when_acknowledged_in_the_browser(
    client: FlaskClient, auth: Auth
) -> None:
    officer = make_user("officer")
    make_queue("auto", position=1, province_code="KH-12", auto_assign=True, members=[officer])
    case = make_case().case
    assert case.queue_id == queue("auto").id
    from grievance.queues.assignment import auto_assign_job

    transitions.apply(case, "acknowledge", SUPERVISOR)
    db.session.flush()
    auto_assign_job(case.id)
    assert reload(case).assignee_id == officer.id


def test_large_backlogs_are_counted_up_to_a_cap(
    client: FlaskClient, auth: Auth, monkeypatch: pytest.MonkeyPatch
) -> None:
    from grievance.queues import overview

    monkeypatch.setattr(overview, "COUNT_CAP", 2)
    me = auth.login("officer")
    join(me, "office-kh-8")
    made = [
        acknowledged_case(province_code="KH-8", due=utcnow() + timedelta(days=i)) for i in range(4)
    ]
    page = client.get("/workspace/queues/office-kh-8?lang=en").get_data(as_text=True)
    assert "<dd>2+</dd>" in page and "the numbers are minimums" in page
    listed = refs(page[page.index("Cases without an officer") :])
    assert listed == [c.reference for c in made]  # the list itself is not cut by the cap
    assert "2+ cases, page 1 of 1+" in page


def test_workload_lists_every_officer_who_holds_a_case_of_her_provinces(
    client: FlaskClient, auth: Auth
) -> None:
    auth.login("supervisor", province="KH-12")
    national = make_user("officer", name="Nationwide Officer")  # no province of her own
    mine(acknowledged_case(), national, 3)
    elsewhere = make_user("officer", province="KH-17", name="Siem Reap Officer")
    mine(acknowledged_case(province_code="KH-17"), elsewhere, 3)  # not her province
    page = client.get("/workspace/workload?lang=en").get_data(as_text=True)
    assert "Nationwide Officer" in page and "Siem Reap Officer" not in page


def test_staff_home_shows_my_work_today(client: FlaskClient, auth: Auth) -> None:
    me = auth.login("officer", "supervisor")
    join(me, "office-kh-12")
    mine(acknowledged_case(), me, -1)  # overdue
    mine(acknowledged_case(), me, 0.01)  # due within the next quarter of an hour
    mine(acknowledged_case(), me, 9)
    acknowledged_case()  # waiting in my queue
    page = client.get("/staff?lang=en").get_data(as_text=True)
    work = page[page.index('id="my-work"') :]
    work = work[: work.index("</ul>")]
    numbers = re.findall(r"<strong>(\d+)\+?</strong> ([a-z ]+)", work)
    found = {label.strip(): int(n) for n, label in numbers}
    assert found["open cases of yours"] == 3 and found["overdue"] == 1
    assert found["you may take from your queues"] == 1
    zone = ZoneInfo("Asia/Phnom_Penh")
    now = utcnow()
    same_day = now.astimezone(zone).date() == (now + timedelta(days=0.01)).astimezone(zone).date()
    assert found["due today"] == (1 if same_day else 0)  # Phnom Penh's day
    assert 'id="my-inbox"' in page


def test_all_cases_i_may_see_are_counted_up_to_a_cap(
    client: FlaskClient, auth: Auth, monkeypatch: pytest.MonkeyPatch
) -> None:
    from grievance.queues import workspace

    auth.login("supervisor")
    made = [acknowledged_case(due=utcnow() + timedelta(days=i)) for i in range(4)]
    exact = search(client, scope="all", lang="en")
    assert "4 cases, page 1 of 1" in exact and "than we count" not in exact
    monkeypatch.setattr(workspace, "COUNT_CAP", 2)
    page = search(client, scope="all", lang="en")
    assert "2+ cases, page 1 of 1+" in page
    assert "more cases match than we count, and the pages stop there" in page
    assert refs(page) == [c.reference for c in made]  # the page itself is not cut
    assert "2+ cases" not in search(client, scope="mine", lang="en")  # her own: exact


def test_all_cases_i_may_see_are_read_in_index_order_not_sorted(auth: Auth) -> None:
    """A page of every open case the reader may see is read from ix_cases_open_urgency in
    page order, never sorted whole (on PostgreSQL with sorting and table scans discouraged,
    so that any sort shows)."""
    from sqlalchemy import select, text

    from grievance.cases import policy
    from grievance.cases.models import Case
    from grievance.queues import workspace
    from tests.conftest import BACKENDS

    if not BACKENDS.postgres:
        pytest.skip("the plan is PostgreSQL's")
    reader = auth.login("officer")  # province-scoped: the visibility test is in the plan
    filters = workspace.CaseFilters(scope="all")
    ids, _rank = workspace._filtered(
        select(Case.id).where(policy.visible_clause(reader)), reader, filters
    )
    query = workspace._ordered(ids, urgency=True).limit(workspace.PAGE_SIZE).offset(100)
    sql = str(query.compile(db.engine, compile_kwargs={"literal_binds": True}))
    db.session.execute(text("SET LOCAL enable_sort = off"))
    db.session.execute(text("SET LOCAL enable_seqscan = off"))
    plan = "\n".join(db.session.scalars(text("EXPLAIN " + sql)))
    assert "Sort" not in plan, plan
    assert "ix_cases_open_urgency" in plan, plan
