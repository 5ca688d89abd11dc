"""A staff withdrawal or a merge takes effect only once a second person approves: a
supervisor other than the asker, with the case's province in her scope. The complainant is
told once, when it takes effect; the asker is told of the decision."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from grievance.auth.models import User
from grievance.cases import approvals, transitions
from grievance.cases.models import ApprovalRequest, Case
from grievance.cases.services import PersonData
from grievance.errors import DomainError
from grievance.extensions import db
from notifications.models import Notification
from tests.cases.test_case_page import act, reload
from tests.conftest import Auth, csrf_from
from tests.factories import make_case, make_user
from workflows import NeedsSecondPerson, SamePerson

HER = PersonData(phone="+85512345678", sex="female", consent_to_contact=True)
REASON = "She called the hotline: the employer paid."


def _asked(case: Case, asker: User | None = None) -> ApprovalRequest:
    asker = asker or make_user("intake", province="KH-12")
    return approvals.ask(case, asker, "withdraw_for_complainant", {"reason": REASON})


def _told(case: Case, template: str) -> list[Notification]:
    query = select(Notification).where(
        Notification.case_id == case.id, Notification.template == template
    )
    return list(db.session.scalars(query))


APPROVERS = {
    "supervisor of the province": (("supervisor",), "KH-12", None),
    "nationwide supervisor": (("supervisor",), None, None),
    "supervisor of another province": (("supervisor",), "KH-3", "approver_out_of_scope"),
    "nationwide admin, not a supervisor": (("admin",), None, "approver_not_supervisor"),
    "admin and supervisor of another province": (
        ("admin", "supervisor"),
        "KH-3",
        "approver_out_of_scope",
    ),
    "officer of the province": (("officer",), "KH-12", "approver_not_supervisor"),
    "intake of the province": (("intake",), "KH-12", "approver_not_supervisor"),
}


@pytest.mark.parametrize("who", sorted(APPROVERS))
def test_who_may_approve(who: str) -> None:
    roles, province, reason = APPROVERS[who]
    case = make_case(province_code="KH-12", complainant=HER).case
    request = _asked(case)
    approver = make_user(*roles, province=province)
    assert approvals.why_not(approver, request) == reason
    if reason is None:
        approvals.decide(request, approver, approve=True)
        assert reload(case).state == "withdrawn"
    else:
        with pytest.raises(DomainError) as refused:
            approvals.decide(request, approver, approve=True)
        assert refused.value.code == reason
        assert reload(case).state == "submitted"


def test_the_asker_cannot_approve_her_own_request_even_as_supervisor() -> None:
    case = make_case(province_code="KH-12").case
    boss = make_user("supervisor", province="KH-12")
    request = _asked(case, boss)
    assert approvals.why_not(boss, request) == "approver_is_asker"
    with pytest.raises(DomainError):
        approvals.decide(request, boss, approve=True)
    # Nor by calling the engine with herself as the second person.
    actor = transitions.actor_for(boss)
    with pytest.raises(SamePerson):
        transitions.apply(case, "withdraw_for_complainant", actor, {"reason": "x"}, approver=actor)
    assert approvals.waiting_for(boss) == []  # not offered to her in her inbox
    other = make_user("supervisor", province="KH-12")
    assert approvals.waiting_for(other) == [request]


def test_a_restricted_case_needs_a_designated_supervisor() -> None:
    case = make_case(province_code="KH-12").case
    case.confidentiality = "restricted"
    request = _asked(case, make_user("supervisor", province=None))
    outsider = make_user("supervisor", province="KH-12")  # not in a restricted queue
    assert approvals.why_not(outsider, request) == "approver_out_of_scope"
    assert approvals.waiting_for(outsider) == []


def test_no_path_takes_a_held_step_without_approval() -> None:
    """Bulk moves, the API, the seed: every path ends in transitions.apply, which refuses."""
    case = make_case(province_code="KH-12").case
    for name, inputs in (
        ("withdraw_for_complainant", {"reason": REASON}),
        ("merge", {"reason": REASON, "merged_into": make_case().case.reference}),
    ):
        boss = transitions.actor_for(make_user("supervisor", "intake"))
        with pytest.raises(NeedsSecondPerson):
            transitions.apply(case, name, boss, inputs)
    assert reload(case).state == "submitted"


def test_approved_the_complainant_is_told_once_and_the_asker_too() -> None:
    case = make_case(province_code="KH-12", complainant=HER).case
    asker = make_user("intake", province="KH-12")
    supervisors = [make_user("supervisor", province="KH-12") for _ in range(2)]
    request = _asked(case, asker)
    assert _told(case, "withdrawn_for_you") == []  # asking tells her nothing
    asked = _told(case, "approval_requested")
    assert {n.user_id for n in asked} >= {s.id for s in supervisors}
    approvals.decide(request, supervisors[0], approve=True)
    with pytest.raises(DomainError) as again:  # the second supervisor comes too late
        approvals.decide(request, supervisors[1], approve=True)
    assert again.value.code == "request_decided"
    sms = _told(case, "withdrawn_for_you")
    assert len(sms) == 1 and sms[0].channel == "sms" and sms[0].address == HER.phone
    assert [n.user_id for n in _told(case, "approval_given")] == [asker.id]
    case = reload(case)
    assert case.state == "withdrawn" and case.closed_at is not None
    last = [e for e in case.events if e.kind == "transition"][-1]
    assert last.to_state == "withdrawn"
    assert last.actor_id == asker.id and last.data["approved_by"] == supervisors[0].id


def test_refused_the_case_goes_on_and_the_asker_reads_why() -> None:
    case = make_case(province_code="KH-12", complainant=HER).case
    asker = make_user("intake", province="KH-12")
    boss = make_user("supervisor", province="KH-12")
    request = _asked(case, asker)
    with pytest.raises(DomainError) as bare:
        approvals.decide(request, boss, approve=False, reason="  ")
    assert bare.value.code == "reason_required"
    approvals.decide(request, boss, approve=False, reason="Call her back first.")
    case = reload(case)
    assert case.state == "submitted" and request.status == "refused"
    assert _told(case, "withdrawn_for_you") == []
    assert [n.user_id for n in _told(case, "approval_refused")] == [asker.id]
    assert approvals.pending(case) is None  # a new request may be made


def test_one_request_at_a_time_and_closing_the_case_lapses_it() -> None:
    case = make_case(province_code="KH-12").case
    request = _asked(case)
    with pytest.raises(DomainError) as twice:
        _asked(case)
    assert twice.value.code == "request_pending"
    transitions.apply(case, "withdraw", transitions.COMPLAINANT, {})  # she withdraws herself
    assert request.status == "lapsed"
    assert approvals.why_not(make_user("supervisor"), request) == "request_decided"


def _sign_out(client: FlaskClient) -> None:
    page = client.get("/staff").get_data(as_text=True)
    client.post("/logout", data={"csrf_token": csrf_from(page)})


def _decide(client: FlaskClient, case: Case, request: ApprovalRequest, **fields: str) -> object:
    page = client.get(f"/cases/{case.reference}").get_data(as_text=True)
    data = {"csrf_token": csrf_from(page), **fields}
    return client.post(f"/cases/{case.reference}/requests/{request.id}", data=data)


def test_the_case_page_shows_the_request_and_the_supervisor_decides(
    client: FlaskClient, auth: Auth
) -> None:
    case = make_case(province_code="KH-12", complainant=HER).case
    auth.login("intake", province="KH-12", username="asker")
    asked = act(client, case, "withdraw_for_complainant", reason=REASON)
    assert asked.status_code == 302  # type: ignore[attr-defined]
    page = client.get(f"/cases/{case.reference}?lang=en").get_data(as_text=True)
    assert "Waiting for a supervisor" in page and REASON in page
    assert 'id="act-withdraw_for_complainant"' not in page  # no second request
    request = approvals.pending(case)
    assert request is not None
    assert _decide(client, case, request, decision="approve", confirm="y").status_code == 403  # type: ignore[attr-defined]
    assert reload(case).state == "submitted"

    _sign_out(client)
    auth.login("supervisor", province="KH-3", username="elsewhere")
    refused = _decide(client, case, request, decision="approve", confirm="y")
    assert refused.status_code == 404  # type: ignore[attr-defined]  (not her case at all)

    _sign_out(client)
    auth.login("supervisor", province="KH-12", username="boss")
    inbox = client.get("/workspace/inbox?lang=en").get_data(as_text=True)
    section = inbox.split('id="inbox-requests"')[1].split("</section>")[0]
    assert case.reference in section and REASON in section
    unconfirmed = _decide(client, case, request, decision="approve")
    assert unconfirmed.status_code == 400  # type: ignore[attr-defined]
    done = _decide(client, case, request, decision="approve", confirm="y", back="inbox")
    assert done.status_code == 302 and done.headers["Location"].endswith("/workspace/inbox")  # type: ignore[attr-defined]
    assert reload(case).state == "withdrawn"
    page = client.get(f"/cases/{case.reference}?lang=en").get_data(as_text=True)
    assert re.search(r"Approved by:</span>\s*Test User", page), page[-3000:]
    assert len(_told(case, "withdrawn_for_you")) == 1


def test_two_colleagues_asking_at_once_make_one_request(monkeypatch: pytest.MonkeyPatch) -> None:
    case = make_case(province_code="KH-12").case
    _asked(case)
    monkeypatch.setattr(approvals, "pending", lambda case: None)  # as if not yet committed
    with pytest.raises(DomainError) as second:
        _asked(case)
    assert second.value.code == "request_pending"
    waiting = db.session.scalars(
        select(ApprovalRequest).where(ApprovalRequest.case_id == case.id)
    ).all()
    assert [r.status for r in waiting] == ["pending"]
