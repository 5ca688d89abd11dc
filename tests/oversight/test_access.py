"""Oversight pages: who may see them, and that they never show who complained."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from grievance.cases.services import PersonData
from grievance.oversight import snapshots
from tests.conftest import Auth
from tests.oversight.helpers import case_in, refresh

NAME = "Sokha Chanthy"
PHONE = "+85512998877"
NSSF = "NSSF-778899"
NARRATIVE = "My supervisor Mr Vuthy keeps my card"
PAGES = ("/oversight", "/oversight/cases", "/oversight/exports", "/oversight/exports/cases.csv")


def _identified_case(**fields: object) -> str:
    person = PersonData(name=NAME, phone=PHONE, sex="female", nssf_number=NSSF)
    case = case_in("in_progress", complainant=person, description=NARRATIVE, **fields)
    return case.reference


def test_anonymous_visitors_are_sent_to_sign_in(client: FlaskClient) -> None:
    ref = _identified_case()
    for url in (*PAGES, f"/oversight/cases/{ref}"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url


@pytest.mark.parametrize("role", ["representative", "officer", "intake"])
def test_other_roles_are_refused(client: FlaskClient, auth: Auth, role: str) -> None:
    ref = _identified_case()
    auth.login(role)
    for url in (*PAGES, f"/oversight/cases/{ref}"):
        assert client.get(url).status_code == 403, url


def test_oversight_pages_never_show_identities(client: FlaskClient, auth: Auth) -> None:
    ref = _identified_case()
    _identified_case(category_code="maternity", province_code="KH-3")
    refresh()
    auth.login("oversight")
    # buffered: the streamed CSV is read inside the request's own app context
    pages = [client.get(url, buffered=True) for url in (*PAGES, f"/oversight/cases/{ref}")]
    for response in pages:
        assert response.status_code == 200
        text = response.get_data(as_text=True)
        for secret in (NAME, PHONE, "012 998 877", NSSF, NARRATIVE, "Vuthy"):
            assert secret not in text
    assert ref in pages[1].get_data(as_text=True)  # the list shows the case
    assert ref in pages[3].get_data(as_text=True)  # and so does the export


def test_restricted_cases_are_counted_but_never_opened(client: FlaskClient, auth: Auth) -> None:
    hidden = _identified_case(confidentiality="restricted")
    shown = _identified_case()
    refresh()
    auth.login("oversight")
    assert client.get(f"/oversight/cases/{hidden}").status_code == 404
    assert client.get(f"/oversight/cases/{shown}").status_code == 200
    assert hidden not in client.get("/oversight/cases").get_data(as_text=True)
    export = client.get("/oversight/exports/cases.csv", buffered=True)
    assert hidden not in export.get_data(as_text=True)


def test_supervisors_may_use_oversight_pages(client: FlaskClient, auth: Auth) -> None:
    refresh()
    auth.login("supervisor")
    assert client.get("/oversight").status_code == 200


def test_league_table_ranks_only_offices_with_enough_cases(client: FlaskClient, auth: Auth) -> None:
    from datetime import timedelta

    from tests.oversight.helpers import T0

    for i in range(20):
        case_in(
            "closed",
            resolution_proposed_at=T0 + timedelta(days=1),
            closed_at=T0 + timedelta(days=3),
            resolve_due_at=T0 + timedelta(days=2 if i < 15 else 0),
        )
    case_in("closed", province_code="KH-3", closed_at=T0 + timedelta(days=1))
    refresh()
    auth.login("oversight")
    page = client.get("/oversight?lang=en").get_data(as_text=True)
    section = page.split('id="league-provinces"')[1].split('id="league-categories"')[0]
    ranked, unranked = section.split("Not ranked")
    assert "Phnom Penh" in ranked and "75%" in ranked
    assert "Kampong Cham" in unranked and "Kampong Cham" not in ranked


def test_oversight_reads_sex_by_type_and_province_by_type(client: FlaskClient, auth: Auth) -> None:
    for _ in range(3):
        case_in("submitted", category_code="maternity", complainant=PersonData(sex="female"))
    case_in("submitted", category_code="pension", province_code="KH-3",
            complainant=PersonData(sex="male"))  # fmt: skip
    case_in("submitted", category_code="pension", complainant=None)
    refresh()
    dims = snapshots.figures(snapshots.latest())
    assert dims["sex_by_category"]["maternity|female"]["received"] == 3
    assert dims["sex_by_category"]["pension|male"]["received"] == 1
    assert dims["sex_by_category"]["pension|not_stated"]["received"] == 1
    assert dims["province_by_category"]["KH-12|maternity"]["received"] == 3
    assert dims["province_by_category"]["KH-3|pension"]["received"] == 1
    auth.login("oversight")
    page = client.get("/oversight?lang=en").get_data(as_text=True)
    assert "Type of problem by sex of the complainant" in page
    assert "Province by type of problem" in page
