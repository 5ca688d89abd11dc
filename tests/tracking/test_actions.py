"""The complainant's steps from the status page, end to end."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale, gettext
from sqlalchemy import func, select

from grievance.cases.models import Attachment, CaseEvent
from grievance.cases.services import Filed
from grievance.extensions import db
from grievance.types import utcnow
from tests.conftest import csrf_from
from tests.tracking.helpers import (
    act,
    lookup,
    new_case,
    officer,
    open_case,
    png_file,
    reload,
    step,
    text_of,
    to_in_progress,
    version_of,
)


def _proposed(at: datetime | None = None) -> Filed:
    filed = new_case(at=at)
    vannak = officer()
    to_in_progress(filed.case, vannak, at=at)
    step(filed.case, vannak, "propose_resolution", at=at, resolution="Arrears paid in full.")
    return filed


def test_answer_an_information_request_with_a_photo(client: FlaskClient) -> None:
    filed = new_case()
    vannak = officer()
    to_in_progress(filed.case, vannak)
    step(filed.case, vannak, "request_information", comment="Which month was not paid?")
    page = open_case(client, filed)
    assert "Which month was not paid?" in page and "Answer our question" in page

    missing = act(client, "provide_information", answer="  ")
    assert missing.status_code == 400
    assert "Please write your answer or choose a voice note." in missing.get_data(as_text=True)

    done = act(client, "provide_information", answer="March and April.", files=[png_file()])
    assert done.status_code == 303
    case = reload(filed.case)
    assert case.state == "in_progress"
    count = db.session.scalar(
        select(func.count(Attachment.id)).where(Attachment.case_id == case.id)
    )
    assert count == 1
    page = text_of(client.get("/track/case?lang=en").get_data(as_text=True))
    assert "Thank you. We have received your answer." in page
    assert "You sent your answer" in page
    assert "Answer our question" not in page


def test_more_than_three_files_are_refused(client: FlaskClient) -> None:
    filed = new_case()
    vannak = officer()
    to_in_progress(filed.case, vannak)
    step(filed.case, vannak, "request_information", comment="Send your payslips.")
    open_case(client, filed)
    response = act(
        client,
        "provide_information",
        answer="Here.",
        files=[png_file(f"p{i}.png") for i in range(4)],
    )
    assert response.status_code == 400
    assert "Please choose at most 3 files." in response.get_data(as_text=True)
    assert reload(filed.case).state == "awaiting_complainant"


def test_accept_the_answer_with_a_rating(client: FlaskClient) -> None:
    filed = _proposed()
    page = open_case(client, filed)
    assert "Arrears paid in full." in page and "I accept the answer" in page
    response = act(client, "accept_resolution", rating=4, comment="Quick and fair.")
    assert response.status_code == 303
    case = reload(filed.case)
    assert case.state == "closed" and case.satisfaction == 4
    assert case.satisfaction_comment == "Quick and fair."
    page = text_of(client.get("/track/case?lang=en").get_data(as_text=True))
    assert "You accepted our answer" in page and "Your rating: 4 out of 5" in page
    assert "Tell us how we did" not in page  # rated already


def test_accept_then_rate_once(client: FlaskClient) -> None:
    filed = _proposed()
    open_case(client, filed)
    assert act(client, "accept_resolution").status_code == 303
    page = client.get("/track/case?lang=en").get_data(as_text=True)
    assert "Tell us how we did" in page

    unrated = act(client, "rate", comment="no number")
    assert unrated.status_code == 400
    assert "Choose a number from 1 to 5." in unrated.get_data(as_text=True)

    assert act(client, "rate", rating=5, comment="Thank you NSSF").status_code == 303
    case = reload(filed.case)
    assert case.satisfaction == 5 and case.satisfaction_comment == "Thank you NSSF"
    rating = db.session.scalar(
        select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.kind == "rating")
    )
    assert rating is not None and rating.public and rating.data == {"rating": 5}
    page = text_of(client.get("/track/case?lang=en").get_data(as_text=True))
    assert "You rated our service" in page and "Tell us how we did" not in page


def test_appeal_within_the_window(client: FlaskClient) -> None:
    filed = _proposed()
    page = open_case(client, filed)
    assert "you can appeal until" in page
    empty = act(client, "appeal", reason="")
    assert empty.status_code == 400 and "Please tell us why." in empty.get_data(as_text=True)
    assert act(client, "appeal", reason="They paid only half.").status_code == 303
    case = reload(filed.case)
    assert case.state == "appealed"
    page = text_of(client.get("/track/case?lang=en").get_data(as_text=True))
    assert "Appeal under review" in page and "You appealed against our answer" in page


def test_appeal_refused_after_fifteen_working_days(client: FlaskClient) -> None:
    long_ago = utcnow() - timedelta(days=40)
    filed = _proposed(at=long_ago)
    page = open_case(client, filed)
    assert "I do not agree with the answer" not in page
    assert "The time to appeal has passed" in page
    # A form kept open from earlier is refused by the workflow's guard.
    version = str(reload(filed.case).version)
    response = client.post(
        "/track/act/appeal",
        data={
            "csrf_token": csrf_from(page),
            "appeal-version": version,
            "appeal-reason": "Too late?",
        },
    )
    assert response.status_code == 409
    assert "The time to appeal against this answer has passed." in response.get_data(as_text=True)
    assert reload(filed.case).state == "resolution_proposed"


def test_withdraw_needs_a_confirmation(client: FlaskClient) -> None:
    filed = new_case()
    open_case(client, filed)
    unconfirmed = act(client, "withdraw", reason="Solved with my employer")
    assert unconfirmed.status_code == 400
    assert "Tick the box to confirm." in unconfirmed.get_data(as_text=True)
    assert reload(filed.case).state == "submitted"
    assert act(client, "withdraw", confirm="y").status_code == 303
    case = reload(filed.case)
    assert case.state == "withdrawn"
    page = text_of(client.get("/track/case?lang=en").get_data(as_text=True))
    assert "You withdrew your case" in page and "Tell us how we did" not in page


def test_information_request_follow_up_then_accept(client: FlaskClient) -> None:
    filed = new_case(category_code="information")
    vannak = officer()
    step(filed.case, vannak, "answer", answer="Maternity allowance is 120% of your wage.")
    page = open_case(client, filed)
    assert "Maternity allowance is 120% of your wage." in page
    assert act(client, "ask_follow_up", comment="For how many days?").status_code == 303
    assert reload(filed.case).state == "submitted"
    step(reload(filed.case), vannak, "answer", answer="For 90 days.")
    assert act(client, "accept_answer", rating=5).status_code == 303
    case = reload(filed.case)
    assert case.state == "closed" and case.satisfaction == 5


def test_a_step_on_a_stale_page_shows_the_latest(client: FlaskClient) -> None:
    filed = new_case()
    vannak = officer()
    to_in_progress(filed.case, vannak)
    step(filed.case, vannak, "request_information", comment="Which month?")
    page = open_case(client, filed)
    old_version = version_of(page, "withdraw")
    step(reload(filed.case), vannak, "resume_work", comment="Found it myself")
    response = client.post(
        "/track/act/withdraw",
        data={
            "csrf_token": csrf_from(page),
            "withdraw-version": old_version,
            "withdraw-confirm": "y",
        },
    )
    assert response.status_code == 409
    body = response.get_data(as_text=True)
    assert "Your case changed while you were looking at it. Here is the latest." in body
    assert "Being looked into" in body
    assert reload(filed.case).state == "in_progress"


def test_steps_need_an_open_case_page_and_the_form_token(client: FlaskClient) -> None:
    filed = new_case()
    page = client.get("/track").get_data(as_text=True)
    data = {"csrf_token": csrf_from(page), "withdraw-version": "1", "withdraw-confirm": "y"}
    no_case = client.post("/track/act/withdraw", data=data)
    assert no_case.status_code == 303 and no_case.headers["Location"].endswith("/track")
    page = open_case(client, filed)
    version = version_of(page, "withdraw")
    no_token = client.post(
        "/track/act/withdraw", data={"withdraw-version": version, "withdraw-confirm": "y"}
    )
    assert no_token.status_code == 400
    assert reload(filed.case).state == "submitted"


def test_answer_an_information_request_with_a_voice_note_alone(client: FlaskClient) -> None:
    from io import BytesIO

    from tests.recordings import amr

    filed = new_case()
    vannak = officer()
    to_in_progress(filed.case, vannak)
    step(filed.case, vannak, "request_information", comment="Which month was not paid?")
    open_case(client, filed)

    photo_only = act(client, "provide_information", answer="", files=[png_file()])
    assert photo_only.status_code == 400
    assert "Please write your answer or choose a voice note." in photo_only.get_data(as_text=True)

    done = act(client, "provide_information", answer="", files=[(BytesIO(amr(4)), "answer.amr")])
    assert done.status_code == 303
    case = reload(filed.case)
    assert case.state == "in_progress"
    note = db.session.scalars(select(Attachment).where(Attachment.case_id == case.id)).one()
    assert note.content_type == "audio/amr" and note.seconds == 4
    answered = db.session.scalars(
        select(CaseEvent)
        .where(CaseEvent.case_id == case.id, CaseEvent.kind == "transition")
        .order_by(CaseEvent.seq.desc())
    ).first()
    assert answered is not None
    assert "ចម្លើយរបស់ខ្ញុំមាននៅក្នុងសារសំឡេង។" in str(answered.data), answered.data


def test_kept_step_forms_carry_each_pages_own_case_version_and_session_token(
    app: Flask, client: FlaskClient
) -> None:
    """The empty step forms are rendered once per language and kept: two complainants, one
    reading Khmer, each get forms with their own case's version and their own session's
    token, and a step taken with the other session's token is refused."""
    answered, working = _proposed(), new_case()
    to_in_progress(working.case, officer("Officer Dara"))
    sokha, dara = client, app.test_client()  # two phones
    assert lookup(sokha, answered.case.reference, answered.secret).status_code == 303
    assert lookup(dara, working.case.reference, working.secret, lang="km").status_code == 303
    pages = {}
    for who, client, filed, lang in (
        ("sokha", sokha, answered, "en"),
        ("dara", dara, working, "km"),
    ):
        for _ in range(2):  # the second page comes from the kept forms
            page = client.get(f"/track/case?lang={lang}").get_data(as_text=True)
            versions = set(re.findall(r'name="[a-z_]+-version"[^>]*value="(\d+)"', page))
            assert versions == {str(reload(filed.case).version)}, who
            tokens = set(re.findall(r'name="csrf_token" value="([^"]+)"', page))
            assert len(tokens) == 1, who
            pages[who] = page
    with force_locale("km"):
        assert gettext("Withdraw my case") in pages["dara"]
    assert "Accept and close my case" in pages["sokha"]
    assert reload(answered.case).version != reload(working.case).version

    withdraw = {"withdraw-version": version_of(pages["dara"], "withdraw"), "withdraw-confirm": "y"}
    stolen = dara.post(
        "/track/act/withdraw", data={**withdraw, "csrf_token": csrf_from(pages["sokha"])}
    )
    assert stolen.status_code == 400
    assert reload(working.case).state == "in_progress"
    done = dara.post(
        "/track/act/withdraw", data={**withdraw, "csrf_token": csrf_from(pages["dara"])}
    )
    assert done.status_code == 303 and reload(working.case).state == "withdrawn"
