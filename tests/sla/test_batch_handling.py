"""Breached cases handled in batches write what one case at a time wrote, and verify."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from flask import Flask
from sqlalchemy import func, select

from grievance import uow
from grievance.cases import events, transitions
from grievance.cases.audit import verify
from grievance.cases.cli import verify_cmd
from grievance.cases.models import Case, CaseEvent
from grievance.effects import Notice, emit
from grievance.extensions import db
from grievance.jobs.registry import queue_of
from grievance.queues import routing
from grievance.sla import clocks, sweep
from grievance.sla.models import SlaMark
from notifications import rules
from notifications.models import Notification
from notifications.relay import compose
from tests.conftest import Released
from tests.factories import make_user
from tests.sla.conftest import file_at, officer, pp, take_to_work
from workflows import get_workflow


def _backlog() -> tuple[list[Case], datetime]:
    """Cases due for every kind of handling at one moment: one whose deadline passed so
    long ago that it climbs all three levels (moving to the national and oversight
    queues), one only at risk, one never acknowledged (both clocks breached), and more
    plain breaches so that a chunk holds several cases."""
    make_user("supervisor", province="KH-12", email="province.sup@example.org")
    make_user("supervisor", email="national.sup@example.org", language="en")
    climbing = file_at(pp(2025, 12, 1, 8))
    take_to_work(climbing, officer("KH-12"), pp(2025, 12, 1, 8))
    cal = clocks.working_calendar()
    due = climbing.resolve_due_at
    for _ in range(3):
        due = cal.add_working_time(due, days=5)
    now = due + timedelta(days=1)
    at_risk = file_at(pp(2025, 12, 1, 8))
    assignee = make_user("officer", province="KH-12", email="officer@example.org")
    take_to_work(at_risk, assignee, pp(2025, 12, 1, 8))
    at_risk.resolve_risk_at, at_risk.resolve_due_at = (
        now - timedelta(hours=1),
        now + timedelta(days=1),
    )
    unacknowledged = file_at(pp(2025, 12, 1, 8))
    plain = []
    for _ in range(4):
        case = file_at(pp(2025, 12, 1, 8))
        take_to_work(case, officer("KH-12"), pp(2025, 12, 1, 8))
        case.resolve_due_at, case.resolve_risk_at = (
            now - timedelta(minutes=5),
            now - timedelta(days=2),
        )
        plain.append(case)
    db.session.flush()
    return [climbing, at_risk, unacknowledged, *plain], now


def _one_at_a_time(case_ids: Sequence[int], now: datetime) -> None:
    """The sweep's handling as it was before batches: each case through the single-case
    services, each step flushed on its own, each notice written alone."""
    queues: dict[int, int | None] = {}
    pending = sorted(set(case_ids))
    for _ in range(sweep.MAX_PASSES):
        if not pending:
            return
        escalated = []
        for case in db.session.scalars(select(Case).where(Case.id.in_(pending)).order_by(Case.id)):
            marks = db.session.scalars(
                select(SlaMark).where(SlaMark.case_id == case.id, SlaMark.handled_at.is_(None))
            )
            for mark in sorted(marks, key=lambda m: (m.clock != "acknowledge", m.level, m.kind)):
                mark.handled_at = now
                if not sweep._still_due(case, mark):
                    continue
                context = {"clock": mark.clock, "level": mark.level}
                if mark.kind == "at_risk":
                    sweep._remind(case, mark, now)
                    continue
                case.overdue = True
                event = events.record(
                    case, "sla_breach", actor_id=None, actor_role="system", data=context, at=now
                )
                emit(Notice(case.id, event.seq, "sla_breach", "supervisor", context=context))
                if mark.clock != "resolve" or mark.level >= sweep.TOP_LEVEL:
                    continue
                if not get_workflow(case.workflow).has_transition("escalate"):
                    continue
                reason = {"reason": sweep.ESCALATION_REASON}
                transitions.apply(case, "escalate", transitions.SYSTEM, reason, at=now)
                clocks.rebase_resolve(case, mark.due_at, now)
                queue_id = sweep._level_queue(case.escalation_level, queues)
                if queue_id is not None:
                    routing.move(case, queue_id, reason="escalation", at=now)
                escalated.append(case.id)
            db.session.flush()
        pending = sorted(set(sweep.claim(now, escalated))) if escalated else []


def _written(case_ids: Sequence[int]) -> dict[str, Any]:
    """Everything the handling wrote about these cases, ids and hashes included."""
    db.session.flush()
    db.session.expire_all()
    timeline = db.session.scalars(
        select(CaseEvent).where(CaseEvent.case_id.in_(case_ids)).order_by(CaseEvent.id)
    )
    notices = db.session.scalars(select(Notification).where(Notification.case_id.in_(case_ids)))
    cases = db.session.scalars(select(Case).where(Case.id.in_(case_ids)).order_by(Case.id))
    marks = db.session.scalars(select(SlaMark).where(SlaMark.case_id.in_(case_ids)))
    return {
        "events": [
            (e.case_id, e.seq, e.kind, e.actor_id, e.actor_role, e.from_state, e.to_state)
            + (e.public, e.data, e.created_at, e.prev_hash, e.hash)
            for e in timeline
        ],
        "notices": sorted(
            (n.idempotency_key, n.channel, n.template, n.language, n.user_id, n.person_id)
            + (n.address, sorted(n.context.items()), n.status)
            for n in notices
        ),
        "cases": [
            (c.id, c.state, c.escalation_level, c.overdue, c.queue_id, c.assignee_id)
            + (c.ack_due_at, c.resolve_due_at, c.resolve_risk_at, c.paused_at)
            + (c.deadline_version, c.event_count, c.closed_at)
            for c in cases
        ],
        "marks": sorted(
            (m.case_id, m.clock, m.kind, m.level, m.deadline_version, m.due_at, m.handled_at)
            for m in marks
        ),
    }


def test_a_batch_writes_what_one_case_at_a_time_wrote(monkeypatch: Any) -> None:
    cases, now = _backlog()
    ids = [c.id for c in cases]
    single = db.session.begin_nested()
    _one_at_a_time(sweep.claim(now), now)
    before = _written(ids)
    single.rollback()
    db.session.expire_all()
    monkeypatch.setattr(sweep, "CHUNK", 3)  # several chunks, and a case split from its peers

    result = sweep.sweep(now)

    after = _written(ids)
    # Both never-touched cases climb the whole ladder (one also missed its acknowledgement).
    assert (result.at_risk, result.breached, result.escalated) == (1, 13, 10)
    assert after == before
    kinds = Counter(e[2] for e in after["events"])
    assert kinds["sla_breach"] == 13 and kinds["queue"] == 4 and kinds["sla_at_risk"] == 1
    told = Counter((n[2], n[1]) for n in after["notices"])
    # Two supervisors see the province's cases: in the app and by e-mail, per breach.
    assert told[("sla_breach", "email")] == 2 * 13 and told[("escalated", "in_app")] == 2 * 10
    assert told[("sla_at_risk", "email")] == 1
    sla = [n for n in after["notices"] if n[2] in ("sla_at_risk", "sla_breach", "escalated")]
    assert not [n for n in sla if n[5] is not None]  # nothing to complainants


def test_a_batch_of_escalations_verifies_and_marks_each_level_once(app: Flask) -> None:
    cases, now = _backlog()
    ids = [c.id for c in cases]
    claimed = sorted(set(sweep.claim(now)))

    first = sweep.SweepResult()
    sweep.handle(claimed, now, first)
    again = sweep.SweepResult()
    sweep.handle(claimed, now + timedelta(minutes=1), again)  # the same batch, handled twice
    later = sweep.sweep(now + timedelta(minutes=2))

    assert first.escalated == 10 and again.breached == again.at_risk == 0
    assert later.breached == later.at_risk == 0
    breaches = db.session.scalars(
        select(CaseEvent).where(CaseEvent.case_id.in_(ids), CaseEvent.kind == "sla_breach")
    )
    per_level = Counter((e.case_id, e.data["clock"], e.data["level"]) for e in breaches)
    assert len(per_level) == 13 and set(per_level.values()) == {1}
    assert list(verify()) == []
    result = app.test_cli_runner().invoke(verify_cmd)
    assert result.exit_code == 0 and "all case timelines verify" in result.output


def test_a_batch_sends_its_e_mails_in_batch_jobs(recorded_jobs: Released) -> None:
    cases, now = _backlog()

    result = sweep.sweep(now)
    uow.checkpoint()

    batches = [ids for name, ids in recorded_jobs if name == "notifications.relay.send_batch"]
    assert len(batches) == result.passes  # one job per pass here (fewer rows than a batch)
    singles = {i for name, ids in recorded_jobs if name.endswith(".send_notification") for i in ids}
    emails = db.session.scalars(
        select(Notification.id).where(
            Notification.case_id.in_([c.id for c in cases]),
            Notification.channel == "email",
            Notification.template.in_(("sla_at_risk", "sla_breach", "escalated")),
        )
    )
    assert sorted(i for ids in batches for i in ids) == sorted(emails)
    # The folded e-mails go by their own job, on the SLA queue (behind the handling jobs).
    folded = [ids for name, ids in recorded_jobs if name == "notifications.relay.send_digests"]
    digests = db.session.scalars(
        select(Notification.id).where(Notification.template.in_(rules.DIGESTS.values()))
    )
    assert sorted(i for ids in folded for i in ids) == sorted(digests) != []
    assert queue_of("notifications.relay.send_digests") == queue_of(
        "grievance.sla.sweep.handle_job"
    )
    assert not singles & set(emails)  # (the cases' filing sent its own, one by one)


def test_a_catch_up_in_many_chunks_still_sends_each_supervisor_one_e_mail_of_each_kind(
    recorded_jobs: Released, monkeypatch: Any
) -> None:
    """A catch-up of thousands of cases is handled a chunk at a time, each chunk folding
    its own e-mails; the folded e-mails of all chunks still waiting when the first is sent
    go as one (here: chunks of two cases, and folding from two e-mails on)."""
    from notifications import outbox
    from notifications.relay import send_digests

    monkeypatch.setattr(sweep, "CHUNK", 2)
    monkeypatch.setattr(outbox, "DIGEST_AFTER", 1)
    cases, now = _backlog()
    sweep.sweep(now)
    uow.checkpoint()
    jobs = [ids for name, ids in recorded_jobs if name == "notifications.relay.send_digests"]
    written = list(
        db.session.scalars(
            select(Notification).where(Notification.template.in_(rules.DIGESTS.values()))
        )
    )
    per_person = Counter((r.address, r.template) for r in written)
    assert len(jobs) > 1 and max(per_person.values()) > 1  # one per chunk, as written

    for ids in jobs:  # as the worker takes them, after the handling jobs
        send_digests(*ids)
        uow.checkpoint()
    db.session.expire_all()
    rows = list(
        db.session.scalars(
            select(Notification).where(Notification.template.in_(rules.DIGESTS.values()))
        )
    )
    sent = [r for r in rows if r.status == "sent"]
    assert sorted((r.address, r.template) for r in sent) == sorted(per_person)  # one each
    for row in rows:
        if row.status != "sent":
            keeper = next(r for r in sent if (r.address, r.template) == (row.address, row.template))
            assert (row.status, row.last_error) == ("cancelled", f"folded into {keeper.id}")
    references = {c.id: c.reference for c in cases}
    for row in sent:
        # Her e-mails of this kind (the folded one and any sent alone) name every case her
        # inbox in the app lists, and the folded one counts its cases once.
        kind = row.template.removesuffix("_many")
        mine = select(Notification).where(
            Notification.user_id == row.user_id, Notification.template == kind
        )
        in_app = {references[r.case_id] for r in db.session.scalars(mine) if r.channel == "in_app"}
        alone = {references[r.case_id] for r in db.session.scalars(mine) if r.channel == "email"}
        assert set(row.context["cases"]) | alone == in_app
        assert row.context["count"] == len(row.context["cases"]) == len(set(row.context["cases"]))
        message = compose(row)
        assert message.subject.startswith(f"{row.context['count']} cases")
        assert sum(ref in message.body for ref in row.context["cases"]) == row.context["count"]


def test_a_batch_job_sends_each_row_once_and_records_it(app: Flask) -> None:
    from notifications.relay import send_batch

    cases, now = _backlog()
    sweep.sweep(now)
    uow.checkpoint()
    emails = list(
        db.session.scalars(
            select(Notification.id).where(
                Notification.case_id.in_([c.id for c in cases]),
                Notification.channel == "email",
                Notification.status == "queued",
            )
        )
    )

    assert send_batch(*emails) == len(emails)
    assert send_batch(*emails) == 0  # sent rows are not claimed again
    uow.checkpoint()
    db.session.expire_all()
    rows = db.session.scalars(select(Notification).where(Notification.id.in_(emails)))
    assert {(r.status, r.attempts, r.claimed_at) for r in rows} == {("sent", 1, None)}


def test_a_flood_of_deadlines_sends_each_supervisor_one_e_mail_of_each_kind() -> None:
    """After an outage one sweep finds many deadlines at once: each supervisor's inbox in
    the app lists every case, and her e-mail counts them instead of arriving once per case.
    (The first pass finds 7 breaches of 6 cases at once, one case past both its deadlines;
    the later passes climb 2 cases up the ladder a level at a time, told one by one.)"""
    cases, now = _backlog()

    sweep.sweep(now)
    uow.checkpoint()

    ids = [c.id for c in cases]
    rows = list(db.session.scalars(select(Notification).order_by(Notification.id)))
    mine = [r for r in rows if r.case_id in ids or r.case_id is None]
    for sup in ("province.sup@example.org", "national.sup@example.org"):
        hers = [r for r in mine if r.address == sup]
        for kind, cases_at_once, one_by_one in (("sla_breach", 6, 6), ("escalated", 6, 4)):
            digests = [r.context["count"] for r in hers if r.template == f"{kind}_many"]
            assert digests == [cases_at_once]
            assert len([r for r in hers if r.template == kind]) == one_by_one
    in_app = Counter((r.template, r.user_id) for r in mine if r.channel == "in_app")
    assert sorted(n for (t, _u), n in in_app.items() if t == "sla_breach") == [13, 13]
    officer_told = [r.template for r in mine if r.address == "officer@example.org"]
    assert officer_told.count("sla_at_risk") == 1

    digest = next(r for r in mine if r.template == "sla_breach_many" and r.language == "en")
    message = compose(digest)
    references = [c.reference for c in db.session.scalars(select(Case).where(Case.id.in_(ids)))]
    assert message.subject == "6 cases have passed their deadline."
    assert sum(ref in message.body for ref in references) == 6
    assert "/notifications" in message.body
    khmer = next(r for r in mine if r.template == "escalated_many")
    khmer.language = "km"  # what a Khmer-reading supervisor gets
    assert compose(khmer).subject.startswith("ករណីចំនួន 6 ")
    khmer.context = {**khmer.context, "count": 23000}  # a catch-up after a long outage
    assert compose(khmer).subject.startswith("ករណីចំនួន 23,000 ")
    db.session.expire(khmer)

    sweep.sweep(now + timedelta(minutes=1))  # the same deadlines again: nothing more
    uow.checkpoint()
    assert db.session.scalar(select(func.count(Notification.id))) == len(rows)
