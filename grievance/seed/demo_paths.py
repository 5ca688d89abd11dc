"""Move demo cases along their workflows through the real engine, with past timestamps,
so every timeline in the demo is one the system itself could have written."""

from __future__ import annotations

import random
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select

from grievance.auth.models import User
from grievance.cases import eligibility, transitions
from grievance.cases.models import Case
from grievance.extensions import db
from grievance.sla.calendar import PHNOM_PENH
from workflows import Actor, WorkflowError

# Paths by workflow; a case follows a random prefix of one (time permitting).
PATHS: dict[str, list[list[str]]] = {
    "grievance": [
        ["acknowledge", "assign", "start_work", "propose_resolution", "accept_resolution"],
        ["acknowledge", "assign", "start_work", "propose_resolution", "auto_close"],
        [
            "acknowledge",
            "assign",
            "start_work",
            "request_information",
            "provide_information",
            "propose_resolution",
            "accept_resolution",
        ],
        ["acknowledge", "assign", "start_work", "request_information"],
        ["acknowledge", "assign", "start_work", "propose_resolution", "appeal"],
        ["acknowledge", "assign", "start_work", "refer"],
        ["acknowledge", "assign", "start_work", "propose_rejection", "approve_rejection"],
        ["acknowledge", "withdraw"],
    ],
    "information_request": [["answer", "accept_answer"], ["request_information"], ["answer"]],
    "suggestion": [["acknowledge", "close"]],
}
INPUTS: dict[str, dict[str, object]] = {
    "request_information": {"comment": "Please send a photo of your NSSF card and your payslip."},
    "provide_information": {"answer": "I sent the photos to the office by Telegram."},
    "propose_resolution": {"resolution": "The employer has registered you and paid the arrears."},
    "accept_resolution": {"rating": 4},
    "appeal": {"reason": "The employer paid only two of the five months."},
    "refer": {"agency": "Labour inspectorate"},
    "propose_rejection": {"reason": "The employer is outside NSSF coverage."},
    "approve_rejection": {},
    "answer": {"answer": "Bring your ID card, NSSF card and the doctor's certificate."},
    "close": {"resolution": "Thank you. We will discuss this at the next management meeting."},
    "withdraw": {"reason": "The problem was solved with the employer."},
}


def _staff() -> dict[str, User]:
    return {u.username: u for u in db.session.scalars(select(User))}


def _actor_for(step: str, case: Case, staff: dict[str, User]) -> Actor:
    if step in ("provide_information", "accept_resolution", "accept_answer", "withdraw", "appeal"):
        return transitions.COMPLAINANT
    if step == "auto_close":
        return transitions.SYSTEM
    if step in ("assign", "approve_rejection"):
        return transitions.actor_for(staff["supervisor"])
    if step == "acknowledge":
        return transitions.actor_for(staff["intake"])
    officer = db.session.get(User, case.assignee_id) if case.assignee_id else staff["officer"]
    return transitions.actor_for(officer or staff["officer"])


def _officer_for(case: Case, staff: dict[str, User]) -> User | None:
    """The province's own officer when she may hold the case, else anyone who may (the same
    rule as every other path: a restricted or woman-officer case never goes to the wrong
    person, even in the demo)."""
    by_province = {"KH-12": "officer.pp", "KH-17": "officer.sr"}
    own = staff.get(by_province.get(case.province_code, "officer"))
    if own is not None and eligibility.may_hold(own, case):
        return own
    found = eligibility.candidates(case)
    return found[0].user if found else None


# How complainants rate the answers they accept: mostly content, not all.
RATINGS = {1: 2, 2: 3, 3: 5, 4: 8, 5: 6}
OPENS, CLOSES = time(7, 30), time(17, 0)


def _office_hours(at: datetime, rng: random.Random) -> datetime:
    """`at`, or the next working-day morning if it falls outside office hours: people at
    the office act between 07:30 and 17:30 (Phnom Penh), Monday to Friday."""
    local = at.astimezone(PHNOM_PENH)
    if local.weekday() < 5 and OPENS <= local.time() <= CLOSES:
        return at
    day = local.date() + timedelta(days=1 if local.time() > CLOSES else 0)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    start = datetime.combine(day, OPENS, PHNOM_PENH) + timedelta(minutes=rng.randrange(0, 570))
    return start.astimezone(UTC)


def _delay(step: str, rng: random.Random) -> timedelta:
    """Time before a step: acknowledgements and answers are sometimes late."""
    if step == "acknowledge":
        return timedelta(hours=rng.choice([1, 2, 4, 6, 20, 26, 50, 75]))
    if step == "propose_resolution":
        return timedelta(days=rng.choice([2, 3, 5, 7, 9, 12, 15, 19, 26, 34, 45]))
    return timedelta(hours=rng.uniform(2, 60))


# What was done, as published in a forum's follow-up report (no names), by type of problem.
PUBLIC_OUTCOMES = {
    "registration": [
        "The employer was inspected and registered its workers with NSSF.",
        "NSSF corrected the member's card; the hospital now accepts it.",
    ],
    "contributions": [
        "The employer paid the missing contributions after an NSSF inspection.",
        "NSSF set a payment plan with the employer for the arrears.",
    ],
    "maternity": ["The maternity allowance was paid after the missing documents arrived."],
    "healthcare_quality": [
        "NSSF reminded the health facility of its duty to treat card holders; it apologised.",
    ],
    "employment_injury": ["The injury was recognised and the medical costs were repaid."],
    "pension": ["The pension file was completed and the first payment made."],
}
GENERAL_OUTCOME = "The question was answered and the member was told where to go next."


def _inputs(step: str, rng: random.Random, case: Case | None = None) -> dict[str, object]:
    inputs = dict(INPUTS.get(step, {}))
    if step == "propose_resolution" and case is not None and case.forum_id is not None:
        code = case.category.code if case.category else ""
        inputs["public_outcome"] = rng.choice(PUBLIC_OUTCOMES.get(code, [GENERAL_OUTCOME]))
    if step == "accept_resolution":
        inputs["rating"] = rng.choices(list(RATINGS), weights=list(RATINGS.values()))[0]
    return inputs


def advance(case: Case, rng: random.Random, now: datetime) -> None:
    staff = _staff()
    path = rng.choice(PATHS[case.workflow])
    old = (now - case.created_at).days > 45
    # Older cases have mostly run their course; recent ones are spread over the early states.
    length = len(path) if old and rng.random() < 0.8 else rng.randint(0, len(path))
    at = case.created_at
    for step in path[:length]:
        at = at + _delay(step, rng)
        if step == "auto_close":
            at = at + timedelta(days=16)
        elif step not in ("accept_resolution", "provide_information", "appeal", "withdraw"):
            at = _office_hours(at, rng)  # staff work office hours; complainants any time
        if at >= now:
            return
        inputs = _inputs(step, rng, case)
        if step == "assign":
            officer = _officer_for(case, staff)
            if officer is None:
                return  # nobody may hold it: it waits in its queue, as it would
            inputs["assignee_id"] = officer.id
        try:
            transitions.apply(case, step, _actor_for(step, case, staff), inputs, at=at)
        except WorkflowError:
            return  # a guard said no at this moment (e.g. too early to auto-close)
