"""SQL statements per request on the hot pages, pinned: a change that adds a query to one of
them fails here. If the new query is worth it, raise the budget in the same change and say
why in its message; if a change saves one, lower the budget.

Each page is asked once before it is counted, so per-process caches (the rules snapshot,
compiled statements) are warm as they are in production. The counts include the signed-in
user's load and the rules snapshot's freshness check; the test transaction's savepoints are
left out, and so are the jobs a request releases (recorded, not run: in production they
run in a worker, not in the request)."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.conftest import BACKENDS, Auth, Released, Statements, csrf_from
from tests.factories import make_case
from tests.intake.helpers import form_token
from tests.queues.helpers import SUPERVISOR, acknowledged_case, join
from tests.tracking.helpers import lookup, new_case, officer, step, to_in_progress

BACKEND = "postgresql" if BACKENDS.postgres else "sqlite"
# Measured on 2026-12-06; {page: {backend: statements}}.
BUDGETS = {
    # the case with the rules stamp and its whole timeline (steps taken and entries shown),
    # in one statement
    "GET /track/case": {"sqlite": 1, "postgresql": 1},
    "POST /track": {"sqlite": 1, "postgresql": 1},
    "POST /file": {"sqlite": 8, "postgresql": 7},  # with the case's search terms
    "POST /workspace/claim": {"sqlite": 11, "postgresql": 10},  # SQLite claims by compare-and-set
    "GET /workspace/": {"sqlite": 6, "postgresql": 6},
    # user, roles, rules stamp, restricted provinces, the count (capped), the page's ids, its
    # cases, their officers and the officers' roles, unread notices
    "GET /workspace/?scope=all": {"sqlite": 10, "postgresql": 10},
    "GET /api/v1/cases": {"sqlite": 3, "postgresql": 3},  # partner, capped count, page
    # user, roles, case, reply templates, files, complainant, unread notices, rules stamp,
    # timeline, queue, the channels the complainant writes by; the systemic panel: the
    # employer or facility suggested (link, entry), its cluster, and the duplicate hints
    # (restricted provinces, same phone, same employer, similar story, cluster links);
    # a withdrawal or merge waiting for a supervisor
    "GET /cases/<reference>": {"sqlite": 20, "postgresql": 20},
}


def within_budget(page: str, seen: Statements) -> None:
    budget = BUDGETS[page][BACKEND]
    print(f"{page}: {len(seen)} statements (budget {budget})")
    assert len(seen) <= budget, f"{page} ran {len(seen)} statements:\n{seen.listing()}"


def test_status_page_after_lookup(
    client: FlaskClient, count_queries: Any, recorded_jobs: Released
) -> None:
    filed = new_case()
    user = officer()
    to_in_progress(filed.case, user)
    step(filed.case, user, "request_information", comment="Which months are missing?")
    assert lookup(client, filed.case.reference, filed.secret).status_code == 303
    assert client.get("/track/case?lang=en").status_code == 200  # warm
    with count_queries() as seen:
        response = client.get("/track/case?lang=en")
    assert response.status_code == 200
    within_budget("GET /track/case", seen)


def test_status_page_of_an_answer_she_may_appeal(
    client: FlaskClient, count_queries: Any, recorded_jobs: Released
) -> None:
    """The page with the most on it: the answer, the appeal window's end, the day the case
    closes by itself, and the step forms to accept or appeal."""
    filed = new_case()
    user = officer()
    to_in_progress(filed.case, user)
    step(filed.case, user, "propose_resolution", resolution="Arrears paid for May.")
    assert lookup(client, filed.case.reference, filed.secret).status_code == 303
    assert client.get("/track/case?lang=en").status_code == 200  # warm
    with count_queries() as seen:
        response = client.get("/track/case?lang=en")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "you can appeal until" in page and 'id="step-appeal"' in page
    within_budget("GET /track/case", seen)


def test_a_page_over_its_budget_fails() -> None:
    budget = BUDGETS["GET /track/case"][BACKEND]
    over = Statements(["SELECT 1"] * (budget + 1))
    with pytest.raises(AssertionError, match=f"ran {budget + 1} statements"):
        within_budget("GET /track/case", over)


def test_case_lookup(client: FlaskClient, count_queries: Any, recorded_jobs: Released) -> None:
    filed = new_case()
    assert lookup(client, filed.case.reference, filed.secret).status_code == 303  # warm
    token = csrf_from(client.get("/track?lang=en").get_data(as_text=True))
    form = {"csrf_token": token, "reference": filed.case.reference, "secret": filed.secret}
    with count_queries() as seen:
        response = client.post("/track", data=form)
    assert response.status_code == 303
    within_budget("POST /track", seen)


def _complaint(client: FlaskClient, phone: str) -> dict[str, str]:
    token, nonce = form_token(client, "/file?lang=en")
    return {
        "csrf_token": token,
        "nonce": nonce,
        "description": "My employer deducts NSSF money from my pay but never pays it.",
        "category": "contributions",
        "province": "KH-12",
        "sex": "female",
        "language": "km",
        "phone": phone,
        "consent_to_contact": "y",
    }


def test_public_complaint(client: FlaskClient, count_queries: Any, recorded_jobs: Released) -> None:
    assert client.post("/file", data=_complaint(client, "+85512000001")).status_code == 303
    form = _complaint(client, "+85512000002")
    with count_queries() as seen:
        response = client.post("/file", data=form)
    assert response.status_code == 303, response.get_data(as_text=True)[:300]  # to the codes
    within_budget("POST /file", seen)


def test_claim_next(
    client: FlaskClient, auth: Auth, count_queries: Any, recorded_jobs: Released
) -> None:
    me = auth.login("officer")
    join(me, "office-kh-12")
    for _ in range(3):
        acknowledged_case()
    token = csrf_from(client.get("/workspace/queues?lang=en").get_data(as_text=True))
    assert client.post("/workspace/claim", data={"csrf_token": token}).status_code == 302  # warm
    with count_queries() as seen:
        response = client.post("/workspace/claim", data={"csrf_token": token})
    assert response.status_code == 302 and "/cases/" in response.headers["Location"]
    within_budget("POST /workspace/claim", seen)


def test_my_cases(
    client: FlaskClient, auth: Auth, count_queries: Any, recorded_jobs: Released
) -> None:
    from grievance.cases import transitions

    me = auth.login("officer")
    for _ in range(5):  # several rows: a query per row would show in the count
        case = acknowledged_case()
        transitions.apply(case, "assign", SUPERVISOR, {"assignee_id": me.id})
    make_case()
    assert client.get("/workspace/?lang=en").status_code == 200  # warm
    with count_queries() as seen:
        response = client.get("/workspace/?lang=en")
    assert response.status_code == 200
    within_budget("GET /workspace/", seen)


def test_all_cases_i_may_see(
    client: FlaskClient, auth: Auth, count_queries: Any, recorded_jobs: Released
) -> None:
    from grievance.cases import transitions

    auth.login("supervisor")
    for _ in range(5):  # several rows and officers: a query per row would show in the count
        case = acknowledged_case()
        transitions.apply(case, "assign", SUPERVISOR, {"assignee_id": officer().id})
    make_case()
    assert client.get("/workspace/?scope=all&lang=en").status_code == 200  # warm
    with count_queries() as seen:
        response = client.get("/workspace/?scope=all&lang=en")
    assert response.status_code == 200 and "6 cases" in response.get_data(as_text=True)
    within_budget("GET /workspace/?scope=all", seen)


def test_partner_list(client: FlaskClient, count_queries: Any) -> None:
    """A page of a partner's cases costs the same statements for 3 rows as for 20."""
    from grievance.intake.partners import create_partner
    from tests.intake.test_api import BODY, call

    _partner, token = create_partner("Union case system")
    for i in range(20):
        call(client, "POST", "/api/v1/cases", token, json={**BODY, "external_id": f"B{i}"})
    assert call(client, "GET", "/api/v1/cases?per_page=3", token).status_code == 200  # warm
    with count_queries() as few:
        call(client, "GET", "/api/v1/cases?per_page=3", token)
    with count_queries() as many:
        response = call(client, "GET", "/api/v1/cases?per_page=20", token)
    assert len(response.get_json()["items"]) == 20
    assert len(many) == len(few)
    within_budget("GET /api/v1/cases", many)


def test_case_page(
    client: FlaskClient, auth: Auth, count_queries: Any, recorded_jobs: Released
) -> None:
    """The assigned officer's case page: header, deadlines, evidence, actions, timeline."""
    from grievance.cases import comments, transitions
    from grievance.intake import uploads

    me = auth.login("officer")
    case = acknowledged_case()
    pdf = uploads.Evidence("application/pdf", b"%PDF-1.4\n%%EOF\n", name="letter.pdf")
    uploads.store(case, [pdf] * 2, uploads.Sender("complainant", "filing", "web"))
    transitions.apply(case, "assign", SUPERVISOR, {"assignee_id": me.id})
    transitions.apply(case, "start_work", transitions.actor_for(me))
    for n in range(3):  # a longer timeline: a query per event would show in the count
        comments.add_comment(
            case, actor_id=me.id, actor_role="officer", text=f"Note {n}", public=False
        )
    url = f"/cases/{case.reference}?lang=en"
    assert client.get(url).status_code == 200  # warm
    with count_queries() as seen:
        response = client.get(url)
    assert response.status_code == 200
    within_budget("GET /cases/<reference>", seen)
