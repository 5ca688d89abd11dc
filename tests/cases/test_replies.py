"""Reply templates: admins keep them in Khmer and English; an officer starts from one on
the case page, in the complainant's language, and edits it before sending."""

from __future__ import annotations

import html

from flask.testing import FlaskClient

from grievance.cases import replies, transitions
from grievance.cases.models import ReplyTemplate
from grievance.extensions import db
from tests.conftest import Auth, csrf_from
from tests.factories import make_case, make_user
from tests.queues.helpers import SUPERVISOR

KM = "សូមយកកាត ប.ស.ស របស់អ្នកមកការិយាល័យ។"
EN = "Please bring your NSSF card to the office."


def test_an_admin_keeps_templates(client: FlaskClient, auth: Auth) -> None:
    auth.login("admin")
    page = client.get("/cases/replies?lang=en").get_data(as_text=True)
    response = client.post(
        "/cases/replies?lang=en",
        data={
            "csrf_token": csrf_from(page),
            "title": "Bring the NSSF card",
            "purpose": "question",
            "body_km": KM,
            "body_en": EN,
            "active": "y",
        },
        follow_redirects=True,
    )
    body = response.get_data(as_text=True)
    assert "Reply template “Bring the NSSF card” saved." in body
    saved = db.session.scalar(db.select(ReplyTemplate))
    assert saved is not None and (saved.body_km, saved.body_en) == (KM, EN)
    missing = client.post(
        "/cases/replies?lang=en",
        data={"csrf_token": csrf_from(body), "title": "x", "purpose": "question"},
    )
    assert missing.status_code == 400
    assert "Give a title and the text in both Khmer and English." in missing.get_data(as_text=True)


def test_only_admins_keep_templates(client: FlaskClient, auth: Auth) -> None:
    auth.login("officer", "supervisor")
    assert client.get("/cases/replies").status_code == 403


def test_the_officer_starts_from_a_template_in_the_complainants_language(
    client: FlaskClient, auth: Auth
) -> None:
    admin = make_user("admin")
    question = replies.save(
        admin, template_id=None, title="Card", purpose="question", body_km=KM, body_en=EN
    )
    retired = replies.save(
        admin,
        template_id=None,
        title="Old",
        purpose="answer",
        body_km="ចាស់",
        body_en="Old text",
        active=False,
    )
    officer = auth.login("officer")
    khmer = make_case(language="km").case
    english = make_case(language="en").case
    for case in (khmer, english):
        transitions.apply(case, "acknowledge", SUPERVISOR)
        transitions.apply(case, "assign", SUPERVISOR, {"assignee_id": officer.id})
        transitions.apply(case, "start_work", transitions.actor_for(officer))
    db.session.flush()

    page = client.get(f"/cases/{khmer.reference}?lang=en").get_data(as_text=True)
    assert 'id="reply-picker"' in page and ">Card<" in page and ">Old<" not in page
    page = client.get(f"/cases/{khmer.reference}?lang=en&reply={question.id}")
    assert KM in html.unescape(page.get_data(as_text=True))  # in the question's box
    page = client.get(f"/cases/{english.reference}?lang=en&reply={question.id}")
    assert EN in html.unescape(page.get_data(as_text=True))
    page = client.get(f"/cases/{english.reference}?lang=en&reply={retired.id}")
    assert "Old text" not in page.get_data(as_text=True)
