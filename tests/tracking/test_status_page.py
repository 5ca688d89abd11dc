"""The status page tells her everything she needs: what she wrote (folded, for a shared
phone), what happens next and by when, the day an unanswered answer closes the case, a way
to add information at any open stage, and after her appeal the final answer and the
routes outside NSSF; a representative's message is shown as the representative's."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from grievance.cases import comments
from grievance.cases.models import Attachment
from grievance.extensions import db
from grievance.types import utcnow
from notifications.models import Notification
from tests.tracking.helpers import (
    act,
    new_case,
    officer,
    open_case,
    png_file,
    reload,
    step,
    text_of,
    to_in_progress,
)
from workflows import WORKFLOWS

EVERY_STATE = [(wf.name, state.name) for wf in WORKFLOWS.values() for state in wf.states]


def test_what_she_wrote_is_folded_away_and_there_on_demand(client: FlaskClient) -> None:
    filed = new_case(description="The factory deducts NSSF money but never pays it.")
    page = open_case(client, filed)
    assert "<details" in page and "Show what I wrote" in page
    details = page[page.index("<details") : page.index("</details>")]
    assert "The factory deducts NSSF money but never pays it." in details


def test_each_step_asks_for_her_words_before_her_files(client: FlaskClient) -> None:
    filed = new_case()
    vannak = officer()
    to_in_progress(filed.case, vannak)
    working = open_case(client, filed)  # she may add information
    step(filed.case, vannak, "request_information", comment="Which month?")
    asked = client.get("/track/case?lang=en").get_data(as_text=True)  # she must answer
    for name, page in (("add_information", working), ("provide_information", asked)):
        assert page.index(f'name="{name}-answer"') < page.index(f'name="{name}-files"'), name


def test_she_adds_a_photo_while_the_officer_works_and_the_officer_is_told(
    client: FlaskClient,
) -> None:
    filed = new_case()
    vannak = officer()
    to_in_progress(filed.case, vannak)
    page = text_of(open_case(client, filed))
    assert "Add information or a photo" in page
    done = act(client, "add_information", answer="My new payslip.", files=[png_file()])
    assert done.status_code == 303
    case = reload(filed.case)
    assert case.state == "in_progress"  # nothing about the case's stage changes
    files = db.session.scalar(
        select(func.count(Attachment.id)).where(Attachment.case_id == case.id)
    )
    assert files == 1
    told = db.session.scalar(
        select(Notification).where(
            Notification.case_id == case.id, Notification.template == "information_added"
        )
    )
    assert told is not None and told.user_id == vannak.id
    page = text_of(client.get("/track/case?lang=en").get_data(as_text=True))
    assert "The officer has your information." in page and "You added information" in page
    assert "My new payslip." not in page  # her own words stay off the timeline


def test_after_her_appeal_the_answer_is_final_and_the_outside_routes_are_named(
    client: FlaskClient,
) -> None:
    filed = new_case()
    vannak, reviewer = officer(), officer("Officer Chea Dara")
    to_in_progress(filed.case, vannak)
    step(filed.case, vannak, "propose_resolution", resolution="Arrears paid for May.")
    page = text_of(open_case(client, filed))
    assert "If you do not agree, you can appeal until" in page
    assert "will close by itself on" in page
    assert act(client, "appeal", reason="They did not pay April.").status_code == 303
    case = reload(filed.case)
    step(case, reviewer, "revise_resolution", resolution="Arrears paid for April and May.")
    page = text_of(client.get("/track/case?lang=en").get_data(as_text=True))
    assert "This is our final answer, after your appeal." in page
    assert "I do not agree with the answer" not in page and "appeal until" not in page
    assert "will close by itself on" in page
    assert "If you still disagree" in page
    assert "National Social Protection Council" in page and "labour inspectorate" in page


def test_a_representatives_message_is_shown_as_hers_not_ours(client: FlaskClient) -> None:
    filed = new_case()
    comments.add_comment(
        filed.case,
        actor_id=None,
        actor_role="representative",
        text="We will come with you to the NSSF office on Monday.",
        public=True,
    )
    page = text_of(open_case(client, filed))
    assert "Message from your representative" in page
    assert "We will come with you to the NSSF office on Monday." in page
    assert "Message from us" not in page


@pytest.mark.parametrize(("workflow", "state"), EVERY_STATE)
def test_every_state_shows_from_what_the_page_reads_of_the_case(
    client: FlaskClient, workflow: str, state: str
) -> None:
    """The page reads only some of a case's columns, as plain values (`services.PageCase`),
    which have no other: every state of every workflow, with an answer given, still shows."""
    filed = new_case()
    case = filed.case
    case.kind, case.workflow, case.state = workflow, workflow, state
    case.resolution_proposed_at = utcnow()
    db.session.flush()
    page = text_of(open_case(client, filed))
    assert WORKFLOWS[workflow].state(state).label in page
    assert "What has happened so far" in page
