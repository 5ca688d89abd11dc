"""A merge hides a case behind another: its target must be a case the actor may see, and
a reference that does not exist and one that is not theirs get the same answer. Asking
checks the target; so does the supervisor's approval."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from grievance.cases import approvals
from grievance.errors import DomainError
from tests.cases.test_case_page import act, reload
from tests.conftest import Auth
from tests.factories import make_case, make_user


def test_merge_targets_are_the_actors_own_cases(client: FlaskClient, auth: Auth) -> None:
    case = make_case(province_code="KH-12").case
    elsewhere = make_case(province_code="KH-3").case  # exists, but not in her province
    restricted = make_case(province_code="KH-12").case
    restricted.confidentiality = "restricted"
    mine = make_case(province_code="KH-12").case
    auth.login("intake", province="KH-12")
    answers = {}
    for target in (elsewhere.reference, restricted.reference, "ZZZZ-ZZZZ"):
        response = act(client, case, "merge", merged_into=target, reason="Filed twice")
        answers[target] = (
            response.status_code,
            response.get_data(as_text=True).count("No case has that reference."),
        )  # type: ignore[attr-defined]
        assert reload(case).state == "submitted"
    assert len(set(answers.values())) == 1, answers  # one answer for all three
    assert next(iter(answers.values()))[0] == 400
    no_reason = act(client, case, "merge", merged_into=mine.reference, reason=" ")
    assert no_reason.status_code == 400  # type: ignore[attr-defined]
    asked = act(client, case, "merge", merged_into=mine.reference, reason="Filed twice")
    assert asked.status_code in (302, 303)  # type: ignore[attr-defined]
    assert reload(case).state == "submitted" and case.merged_into_id is None  # asked, not done
    waiting = approvals.pending(case)
    assert waiting is not None and waiting.inputs["merged_into"] == mine.reference


def test_the_approver_must_see_the_merge_target_too() -> None:
    case = make_case(province_code="KH-12").case
    target = make_case(province_code="KH-3").case  # the asker sees both provinces
    asker = make_user("intake")  # nationwide
    approver = make_user("supervisor", province="KH-12")
    request = approvals.ask(case, asker, "merge", {"merged_into": target.reference, "reason": "x"})
    with pytest.raises(DomainError) as refused:
        approvals.decide(request, approver, approve=True)
    assert refused.value.code == "unknown_case"  # the same answer as for no such case


def test_a_staff_withdrawal_needs_a_reason(client: FlaskClient, auth: Auth) -> None:
    from sqlalchemy import select

    from grievance.cases.services import PersonData
    from grievance.extensions import db
    from notifications.models import Notification

    her = PersonData(phone="+85512345678", sex="female", consent_to_contact=True)
    case = make_case(province_code="KH-12", complainant=her).case
    auth.login("intake", province="KH-12")
    assert act(client, case, "withdraw").status_code in (400, 403, 409)  # type: ignore[attr-defined]
    no_reason = act(client, case, "withdraw_for_complainant", reason="  ")
    assert no_reason.status_code == 400  # type: ignore[attr-defined]
    assert reload(case).state == "submitted"
    done = act(client, case, "withdraw_for_complainant", reason="She called: solved at work")
    assert done.status_code in (302, 303)  # type: ignore[attr-defined]
    assert reload(case).state == "submitted"  # asked: a supervisor decides
    told = db.session.scalars(
        select(Notification.template).where(Notification.case_id == case.id)
    ).all()
    assert "withdrawn_for_you" not in told
