"""Public forum follow-up: each concern's outcome, nothing that identifies anyone."""

from __future__ import annotations

from datetime import date

from flask.testing import FlaskClient

from grievance.cases.services import PersonData
from grievance.intake.models import Forum
from tests.factories import make_forum
from tests.oversight.helpers import case_in


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


def test_forum_page_lists_concerns_and_outcomes(client: FlaskClient) -> None:
    forum = _forum()
    person = PersonData(name="Keo Sreyneang", phone="+85512777666", sex="female")
    case_in("closed", forum_id=forum.id, complainant=person, category_code="maternity")
    case_in("in_progress", forum_id=forum.id, complainant=person)
    case_in("referred", forum_id=forum.id, complainant=person, description="Boss Mr Heng")
    case_in("submitted", forum_id=forum.id, confidentiality="restricted")
    listing = client.get("/accountability/forums?lang=en").get_data(as_text=True)
    assert forum.title.replace("'", "&#39;") in listing
    page = client.get(f"/accountability/forums/{forum.id}?lang=en").get_data(as_text=True)
    for word in ("Resolved", "In progress", "Referred to another office", "Maternity"):
        assert word in page
    assert "handled in confidence" in page
    for secret in ("Keo", "777666", "Heng"):
        assert secret not in page
    assert client.get("/accountability/forums/999999").status_code == 404
