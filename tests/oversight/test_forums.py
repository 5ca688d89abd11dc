"""Public forum follow-up: each concern's outcome, nothing that identifies anyone."""

from __future__ import annotations

import re
from datetime import date

from flask.testing import FlaskClient

from grievance.cases.services import PersonData
from grievance.intake.models import Forum
from tests.conftest import Auth
from tests.factories import make_forum
from tests.oversight.helpers import case_in, refresh


def _forum() -> Forum:
    return make_forum(
        "KH-8",
        date(2026, 3, 1),
        title="Kandal garment workers' forum",
        venue="Ta Khmau",
        organisers="NSSF; union",
        participants_total=60,
        participants_female=45,
    )


def test_forum_page_counts_concerns_by_type_and_outcome_without_exposing_anyone(
    client: FlaskClient,
) -> None:
    forum = _forum()
    person = PersonData(name="Keo Sreyneang", phone="+85512777666", sex="female")
    for _ in range(6):
        case_in("closed", forum_id=forum.id, complainant=person, province_code="KH-8")
    for _ in range(5):
        case_in("in_progress", forum_id=forum.id, province_code="KH-8")
    case_in("closed", forum_id=forum.id, category_code="maternity", province_code="KH-8")
    for _ in range(7):
        case_in("closed", forum_id=forum.id, category_code="healthcare_quality")
    # Elsewhere, so that the dashboard's own figures hide little: open cases of each type.
    for code in ("healthcare_quality", "maternity", "pension", "pension", "registration"):
        for _ in range(6 if code != "pension" else 1):
            case_in("in_progress", category_code=code, province_code="KH-3")
    case_in("in_progress", category_code="pension", province_code="KH-2")
    case_in("referred", forum_id=forum.id, description="Boss Mr Heng", province_code="KH-8")
    case_in("submitted", forum_id=forum.id, confidentiality="restricted", province_code="KH-8")
    refresh()
    listing = client.get("/accountability/forums?lang=en").get_data(as_text=True)
    assert forum.title.replace("'", "&#39;") in listing
    page = client.get(f"/accountability/forums/{forum.id}?lang=en").get_data(as_text=True)
    rows = {
        m.group(1): re.findall(r"<td[^>]*>(.*?)</td>", m.group(2))
        for m in re.finditer(r'<th scope="row">([^<]+)</th>(.*?)</tr>', page)
    }
    shown = {k: [re.sub(r"<[^>]+>", "", c) for c in v] for k, v in rows.items()}
    # 12 contributions concerns (6 resolved, 5 in progress, 1 referred), 7 about care
    # (closed), 1 maternity: the 1 is hidden, and so is the smallest other type, or the
    # total minus the others would give it away.
    assert shown["Contributions not paid or wrongly deducted"][0] == "12"
    assert shown["Maternity allowance and pregnancy protection"][0] == "fewer than 5"
    assert shown["All concerns"][0] == "20"
    for cells in shown.values():
        for value in cells:
            assert value in ("fewer than 5", "withheld") or int(value) >= 5
    assert "withheld" in page  # the complement of a small cell says so, not "fewer than 5"
    assert "handled in confidence" in page
    for secret in ("Keo", "777666", "Heng"):
        assert secret not in page
    assert client.get("/accountability/forums/999999").status_code == 404


def test_a_forum_in_a_province_the_dashboard_hides_shows_no_counts(client: FlaskClient) -> None:
    forum = make_forum("KH-1", date(2026, 3, 1), title="Small forum")
    for _ in range(6):
        case_in("closed", forum_id=forum.id, province_code="KH-12")
    for _ in range(3):
        case_in("closed", province_code="KH-1")  # the dashboard hides KH-1: fewer than 5
    refresh()
    listing = client.get("/accountability/forums?lang=en").get_data(as_text=True)
    item = listing[listing.index("Small forum") :]
    assert "withheld" in item[:800] and ">6<" not in item[:800]
    page = client.get(f"/accountability/forums/{forum.id}?lang=en").get_data(as_text=True)
    total = page[page.index("All concerns") :]
    assert ">6<" not in total[:400] and "withheld" in total[:400]


def test_answering_a_forum_concern_asks_what_was_done_for_the_public_report(
    client: FlaskClient, auth: Auth
) -> None:
    from grievance.cases.models import Case
    from grievance.extensions import db
    from tests.cases.test_case_page import act

    forum = _forum()
    boss = auth.login("supervisor", "officer", username="boss")
    concern = case_in("in_progress", forum_id=forum.id, province_code="KH-8", assignee_id=boss.id)
    other = case_in("in_progress", province_code="KH-8", assignee_id=boss.id)
    page = client.get(f"/cases/{concern.reference}?lang=en").get_data(as_text=True)
    assert "public report (no names" in page
    assert "public report" not in client.get(f"/cases/{other.reference}").get_data(as_text=True)
    refused = act(client, concern, "propose_resolution", resolution="Paid in full, Mr Heng.")
    assert refused.status_code == 400  # type: ignore[attr-defined]
    assert "Please fill in this field." in refused.get_data(as_text=True)  # type: ignore[attr-defined]
    outcome = "The employer paid the missing contributions."
    done = act(client, concern, "propose_resolution", resolution="Paid in full, Mr Heng.",
               public_outcome=outcome)  # fmt: skip
    assert done.status_code == 302  # type: ignore[attr-defined]
    db.session.expire_all()
    assert db.session.get(Case, concern.id).public_outcome == outcome
    assert act(client, other, "propose_resolution", resolution="Paid.").status_code == 302  # type: ignore[attr-defined]


def test_the_report_says_what_was_done_by_type_of_problem_where_counts_are_shown(
    client: FlaskClient,
) -> None:
    forum = _forum()
    paid, plan = "The employer paid the missing contributions.", "A payment plan was agreed."
    for i in range(6):
        case_in("closed", forum_id=forum.id, province_code="KH-8",
                public_outcome=paid if i % 2 else plan)  # fmt: skip
    for _ in range(2):  # too few to publish what was done for them
        case_in("closed", forum_id=forum.id, province_code="KH-8", category_code="maternity",
                public_outcome="The allowance for Ms Dara was paid.")  # fmt: skip
    for _ in range(5):  # the smallest other type: withheld so that the 2 stay hidden
        case_in("closed", forum_id=forum.id, province_code="KH-8",
                category_code="healthcare_quality")  # fmt: skip
    case_in("closed", forum_id=forum.id, province_code="KH-8", confidentiality="confidential",
            public_outcome="Handled in confidence for the Vuthy family.")  # fmt: skip
    # Elsewhere, so that the dashboard hides little: open cases of each type.
    for code in ("contributions", "maternity", "healthcare_quality", "pension", "registration"):
        for _ in range(20 if code == "contributions" else 7):
            case_in("in_progress", category_code=code, province_code="KH-3")
    refresh()
    page = client.get(f"/accountability/forums/{forum.id}?lang=en").get_data(as_text=True)
    section = page[page.index('id="outcomes"') :]
    assert "Contributions not paid or wrongly deducted" in section
    assert section.index(plan) < section.index(paid)  # each text once, in order
    assert section.count(paid) == 1
    assert "Ms Dara" not in page and "Vuthy" not in page
