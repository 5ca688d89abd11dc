"""Who may hold a case, tried on every path that sets an assignee.

Route x officer x case: a male officer never receives a woman-officer case, a
non-designated or out-of-province officer never receives a restricted case, an officer
designated only for another province's restricted cases never receives this one, an away
officer receives nothing, and a break-glass grant never turns into an assignment. Each
refusal says why; an eligible officer gets the case on every path (the control)."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from flask.testing import FlaskClient

from grievance.auth.models import User
from grievance.cases import eligibility, transitions
from grievance.cases.models import Case
from grievance.errors import DomainError
from grievance.extensions import db
from grievance.queues import assignment, restricted
from grievance.seed import demo_paths
from grievance.types import utcnow
from tests.conftest import Auth, csrf_from
from tests.factories import make_user
from tests.queues.helpers import SUPERVISOR, acknowledged_case, join, make_queue, queue, reload


@dataclass
class Situation:
    """A case and an officer who may not hold it, with the reason and its message."""

    case: Case
    officer: User
    reason: str | None  # None: the control, she may hold it
    message: str


def _woman_case_man() -> Situation:
    man = make_user("officer", sex="male", name="Vuthy")
    join(man, "office-kh-12")
    case = acknowledged_case(prefers_woman_officer=True)
    return Situation(case, man, "holder_not_woman", "asked for a woman officer")


def _restricted_not_designated() -> Situation:
    woman = make_user("officer", sex="female", name="Bopha")
    join(woman, "office-kh-12", "national")
    case = acknowledged_case(category_code="harassment_retaliation", confidentiality="restricted")
    return Situation(case, woman, "holder_not_designated", "designated for restricted")


def _restricted_designated_elsewhere() -> Situation:
    """Membership of a restricted queue opens only the provinces that queue serves."""
    woman = make_user("officer", sex="female", name="Sophea")
    make_queue("restricted-kh-17", province_code="KH-17", restricted=True, members=[woman])
    join(woman, "office-kh-12")
    case = acknowledged_case(confidentiality="restricted", province_code="KH-12")
    return Situation(case, woman, "holder_not_designated", "designated for restricted")


def _restricted_out_of_province() -> Situation:
    woman = make_user("officer", province="KH-17", sex="female", name="Chanthy")
    join(woman, "restricted")
    case = acknowledged_case(category_code="harassment_retaliation", confidentiality="restricted")
    return Situation(case, woman, "holder_out_of_province", "does not work in the province")


def _restricted_with_grant() -> Situation:
    """She opened the case with a reason: she may see it for an hour, never hold it."""
    woman = make_user("officer", sex="female", name="Dalin")
    join(woman, "office-kh-12")
    case = acknowledged_case(category_code="harassment_retaliation", confidentiality="restricted")
    restricted.break_glass(case, woman, "The complainant called me about this case.")
    return Situation(case, woman, "holder_not_designated", "Opening it with a reason")


def _away() -> Situation:
    woman = make_user("officer", sex="female", name="Away", away=True)
    join(woman, "office-kh-12")
    return Situation(acknowledged_case(), woman, "holder_away", "marked away")


def _control() -> Situation:
    woman = make_user("officer", sex="female", name="Sreymom")
    join(woman, "office-kh-12", "restricted")
    case = acknowledged_case(
        category_code="harassment_retaliation",
        confidentiality="restricted",
        prefers_woman_officer=True,
    )
    return Situation(case, woman, None, "")


SITUATIONS: dict[str, Callable[[], Situation]] = {
    "woman_case_male_officer": _woman_case_man,
    "restricted_not_designated": _restricted_not_designated,
    "restricted_designated_for_another_province": _restricted_designated_elsewhere,
    "restricted_out_of_province": _restricted_out_of_province,
    "restricted_break_glass_grant": _restricted_with_grant,
    "officer_away": _away,
    "control_eligible": _control,
}


def _supervisor_actor() -> transitions.Actor:
    return SUPERVISOR


def _by_claim(s: Situation, _: FlaskClient, __: Auth) -> str | None:
    try:
        transitions.apply(s.case, "claim", transitions.actor_for(s.officer))
    except DomainError as error:
        return error.code
    return None


def _by_claim_next(s: Situation, _: FlaskClient, __: Auth) -> str | None:
    # The case waits in a queue she is a member of (a restricted case moved there, say).
    office = queue("office-kh-12")
    if s.officer not in office.members:
        join(s.officer, "office-kh-12")
    s.case.queue_id = office.id
    db.session.flush()
    got = assignment.claim_next(s.officer, acknowledge=True)
    if got is None:
        found = assignment.why_nothing(s.officer)
        return "holder_away" if found.away else next(iter(found.blocked), "nothing")
    assert got.id == s.case.id
    return None


def _by_assign(s: Situation, _: FlaskClient, __: Auth) -> str | None:
    try:
        transitions.apply(s.case, "assign", SUPERVISOR, {"assignee_id": s.officer.id})
    except DomainError as error:
        return error.code
    return None


def _held_by_someone_else(s: Situation) -> User:
    """A designated woman officer of the province holds the case first."""
    holder = make_user("officer", sex="female", name="Holder")
    join(holder, "restricted")
    transitions.apply(s.case, "assign", SUPERVISOR, {"assignee_id": holder.id})
    db.session.flush()
    return holder


def _by_reassign(s: Situation, _: FlaskClient, __: Auth) -> str | None:
    _held_by_someone_else(s)
    inputs = {"assignee_id": s.officer.id, "reason": "Holder is on leave"}
    try:
        transitions.apply(s.case, "reassign", SUPERVISOR, inputs)
    except DomainError as error:
        return error.code
    return None


def _by_bulk_move(s: Situation, _: FlaskClient, __: Auth) -> str | None:
    holder = _held_by_someone_else(s)
    supervisor = make_user("supervisor", "officer", sex="female")
    join(supervisor, "restricted")
    result = assignment.reassign_all(holder, s.officer, "Holder leaves", supervisor)
    if result.moved:
        return None
    assert result.skipped == [(s.case.reference, "not_eligible")]
    return eligibility.why_not(s.officer, s.case)


def _by_auto_assign(s: Situation, _: FlaskClient, __: Auth) -> str | None:
    queue = make_queue("auto-test", province_code="KH-12", auto_assign=True, members=[s.officer])
    s.case.queue_id = queue.id
    db.session.flush()
    got = assignment.auto_assign(s.case)
    return None if got is not None else eligibility.why_not(s.officer, s.case)


def _by_demo_seed(s: Situation, _: FlaskClient, __: Auth) -> str | None:
    """The demo only ever gives a case to someone who may hold it."""
    chosen = demo_paths._officer_for(s.case, {"officer": s.officer})
    if chosen is not None and chosen.id == s.officer.id:
        transitions.apply(s.case, "assign", SUPERVISOR, {"assignee_id": chosen.id})
        return None
    assert chosen is None or eligibility.may_hold(chosen, s.case)
    return eligibility.why_not(s.officer, s.case)


def _appealed(s: Situation) -> User:
    """The holder answered, the complainant appealed: the appeal must go to someone else."""
    decider = _held_by_someone_else(s)
    actor = transitions.actor_for(decider)
    transitions.apply(s.case, "start_work", actor)
    transitions.apply(s.case, "propose_resolution", actor, {"resolution": "Arrears paid."})
    transitions.apply(s.case, "appeal", transitions.COMPLAINANT, {"reason": "Not paid."})
    db.session.flush()
    return decider


def _by_appeal_routing(s: Situation, _: FlaskClient, __: Auth) -> str | None:
    decider = _appealed(s)
    s.case.queue_id = None  # no queue members to prefer: anyone eligible may get it
    got = assignment.route_appeal(s.case)
    if got is not None and got.id == s.officer.id:
        return None
    assert got is None or got.id != decider.id
    return eligibility.why_not(s.officer, s.case)


def _through_the_page(action: str) -> Callable[[Situation, FlaskClient, Auth], str | None]:
    def act(s: Situation, client: FlaskClient, auth: Auth) -> str | None:
        if action == "reassign":
            _held_by_someone_else(s)
        boss = auth.login("supervisor", "officer")
        boss.sex = "female"
        join(boss, "restricted")
        page = client.get(f"/cases/{s.case.reference}?lang=en").get_data(as_text=True)
        offered = f'value="{s.officer.id}"' in page
        assert offered == (s.reason is None), "the choice list offers only eligible officers"
        response = client.post(
            f"/cases/{s.case.reference}/act/{action}?lang=en",
            data={
                "csrf_token": csrf_from(page),
                "version": str(s.case.version),
                "seen": str(s.case.event_count),
                "assignee_id": str(s.officer.id),
                "reason": "Sharing the work",
            },
        )
        if response.status_code == 302:
            return None
        assert s.message in response.get_data(as_text=True)
        return eligibility.why_not(s.officer, s.case)

    return act


def _claim_button(s: Situation, client: FlaskClient, auth: Auth) -> str | None:
    """The officer's own case page: no "Take this case" for her, and the reason instead."""
    s.officer.username = f"holder{s.officer.id}"
    db.session.flush()
    auth.as_user(s.officer.username)
    page = client.get(f"/cases/{s.case.reference}?lang=en")
    if page.status_code != 200:  # a restricted case she may not open: no button anyway
        return eligibility.why_not(s.officer, s.case)
    html = page.get_data(as_text=True)
    if 'id="act-claim"' in html:
        response = client.post(
            f"/cases/{s.case.reference}/act/claim",
            data={
                "csrf_token": csrf_from(html),
                "version": str(s.case.version),
                "seen": str(s.case.event_count),
            },
        )
        assert response.status_code == 302
        return None
    assert s.message in html
    response = client.post(
        f"/cases/{s.case.reference}/act/claim?lang=en",
        data={
            "csrf_token": csrf_from(html),
            "version": str(s.case.version),
            "seen": str(s.case.event_count),
        },
    )
    assert response.status_code == 400 and s.message in response.get_data(as_text=True)
    return eligibility.why_not(s.officer, s.case)


PATHS: dict[str, Callable[[Situation, FlaskClient, Auth], str | None]] = {
    "claim": _by_claim,
    "claim_next": _by_claim_next,
    "assign": _by_assign,
    "reassign": _by_reassign,
    "bulk_move": _by_bulk_move,
    "auto_assign": _by_auto_assign,
    "appeal_routing": _by_appeal_routing,
    "demo_seed": _by_demo_seed,
    "assign_page": _through_the_page("assign"),
    "reassign_page": _through_the_page("reassign"),
    "claim_page": _claim_button,
}


@pytest.mark.parametrize("situation", list(SITUATIONS))
@pytest.mark.parametrize("path", list(PATHS))
def test_nobody_receives_a_case_she_may_not_hold(
    client: FlaskClient, auth: Auth, path: str, situation: str
) -> None:
    s = SITUATIONS[situation]()
    db.session.flush()
    refused = PATHS[path](s, client, auth)
    case = reload(s.case)
    if s.reason is None:
        assert refused is None and case.assignee_id == s.officer.id
        return
    assert refused == s.reason
    assert case.assignee_id != s.officer.id
    assert eligibility.why_not(s.officer, case) == s.reason


def test_every_assigning_transition_goes_through_the_rule() -> None:
    """A transition that sets an assignee is one of those tried above: a new one must be
    added to PATHS (and will pass through `transitions._apply_inputs` and its rule)."""
    from workflows import WORKFLOWS

    setting = {
        t.name
        for wf in WORKFLOWS.values()
        for t in wf.transitions
        if t.name == "claim" or "assignee_id" in t.inputs + t.optional_inputs
    }
    assert setting <= {"claim", "assign", "reassign", "route_appeal"}


def test_choice_list_least_loaded_first_with_sex_province_and_load() -> None:
    busy = make_user("officer", sex="female", name="Busy")
    idle = make_user("officer", sex="female", name="Idle", province="KH-12")
    man = make_user("officer", sex="male", name="Man")
    for _ in range(2):
        transitions.apply(acknowledged_case(), "assign", SUPERVISOR, {"assignee_id": busy.id})
    case = acknowledged_case(prefers_woman_officer=True)
    found = eligibility.candidates(case)
    names = [c.user.name for c in found]
    assert names.index("Idle") < names.index("Busy") and "Man" not in names
    assert {c.user.name: c.open_cases for c in found}["Busy"] == 2
    assert man.id not in {c.user.id for c in found} and idle.id in {c.user.id for c in found}


def test_demo_paths_never_assign_a_restricted_case_to_a_non_designated_officer() -> None:
    case = acknowledged_case(category_code="harassment_retaliation", confidentiality="restricted")
    vuthy = make_user("officer", sex="male", province="KH-12", username="officer.pp")
    join(vuthy, "office-kh-12")
    chosen = demo_paths._officer_for(case, {"officer.pp": vuthy})
    assert chosen is None or (chosen.id != vuthy.id and eligibility.may_hold(chosen, case))
    demo_paths.advance(case, random.Random(1), utcnow())
    holder = reload(case).assignee
    assert holder is None or eligibility.may_hold(holder, case)


def test_an_appeal_never_goes_back_to_the_officer_who_answered() -> None:
    decider = make_user("officer", sex="female", name="Decider")
    other = make_user("officer", sex="female", name="Reviewer")
    join(decider, "office-kh-12")
    join(other, "office-kh-12")
    case = acknowledged_case()
    s = Situation(case, other, None, "")
    transitions.apply(case, "assign", SUPERVISOR, {"assignee_id": decider.id})
    actor = transitions.actor_for(decider)
    transitions.apply(case, "start_work", actor)
    transitions.apply(case, "propose_resolution", actor, {"resolution": "Arrears paid."})
    transitions.apply(case, "appeal", transitions.COMPLAINANT, {"reason": "Not paid."})
    db.session.flush()
    assert eligibility.why_not(decider, case) == "holder_decided_appeal"

    assert assignment.route_appeal(s.case) == other
    case = reload(case)
    assert case.assignee_id == other.id and case.events[-1].data["transition"] == "route_appeal"
    with pytest.raises(DomainError) as refused:
        transitions.apply(
            case, "reassign", SUPERVISOR, {"assignee_id": decider.id, "reason": "Back to her"}
        )
    assert refused.value.code == "holder_decided_appeal"


def test_an_appeal_is_routed_when_it_is_lodged(jobs_in_process: object) -> None:
    from grievance import uow

    decider = make_user("officer", sex="female", name="Decider")
    other = make_user("officer", sex="female", name="Reviewer")
    join(decider, "office-kh-12")
    join(other, "office-kh-12")
    case = acknowledged_case()
    transitions.apply(case, "assign", SUPERVISOR, {"assignee_id": decider.id})
    actor = transitions.actor_for(decider)
    transitions.apply(case, "start_work", actor)
    transitions.apply(case, "propose_resolution", actor, {"resolution": "Arrears paid."})
    transitions.apply(case, "appeal", transitions.COMPLAINANT, {"reason": "Not paid."})
    uow.checkpoint()  # the routing job runs after the commit
    assert reload(case).assignee_id == other.id
