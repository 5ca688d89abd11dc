"""The SLA sweep: finds at-risk and breached cases in SQL and acts on each exactly once.

Level-triggered, so it catches up: whatever is past its risk or due time now is found,
however long nothing ran. Set-based: one `INSERT INTO sla_marks ... SELECT ... FROM cases`
per clock and kind claims the newly reached deadlines (the unique key makes a second
claim a no-op, in a repeated or a concurrent sweep), and only the claimed cases are then
loaded and handled:

- at risk: a "sla_at_risk" event and a reminder to the assignee;
- breach: the case is marked overdue, a "sla_breach" event, the supervisor is told, and
  for the resolve clock the case escalates one level: to its province office (level 1,
  the province's supervisors; the case stays in its queue), then to the national
  grievance unit (2), then to the oversight body (3), moving to that level's queue. Each
  level's own target in the policy's ladder (province, national, oversight) counts from
  the missed deadline. At the top level a breach only marks and tells, once.

The acknowledge clock does not climb the ladder: a late acknowledgement is marked overdue
and the supervisor is told, but escalating would restart the resolve clock with a level
target that has nothing to do with acknowledging, and the resolve clock (which runs from
filing too) escalates the case anyway if the delay goes on.

Escalating can put a case straight past its next level's deadline (nothing ran for a
while), so after escalating, the claim is repeated for those cases until nothing new is
claimed: level 1, then 2, then 3, in order.

Handling is set-based too: a chunk of cases is locked and read with its marks and the
last hash of each timeline in three SELECTs; each case then goes through the same steps
a single case would (the workflow engine, the clocks, the timeline, the queue move) in
memory, its events chained onto the hash read; one flush writes the chunk's events, cases
and marks, and its notices are written together (`grievance.effects.batched`), their
e-mails sent by the relay in batches. A sweep handles a normal minute's worth itself and
hands a mass of claimed cases (after a long holiday, a restored backup) to jobs on the
"sla" queue, in batches: the sweep stays short and holds its lock briefly, and workers
share the work. A mark not handled within
STALE_AFTER (a lost job) is handed out again by the next sweep.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import (
    CursorResult,
    String,
    and_,
    bindparam,
    inspect,
    literal,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.orm import InstanceState
from sqlalchemy.orm.exc import StaleDataError

from grievance import effects
from grievance.cases import events, transitions
from grievance.cases.models import Case
from grievance.effects import Notice, emit
from grievance.extensions import db, insert_unless_present
from grievance.jobs import enqueue, job
from grievance.queues import routing
from grievance.queues.models import Queue
from grievance.sla import clocks
from grievance.sla.models import SlaMark, SlaPolicy
from grievance.types import UTCDateTime, utcnow
from workflows import WORKFLOWS, get_workflow

log = logging.getLogger(__name__)
TOP_LEVEL = 3  # 0 not escalated, 1 province office, 2 national unit, 3 oversight body
LEVEL_QUEUES = {2: "national", 3: "oversight"}  # level 1 stays in its provincial queue
MAX_PASSES = TOP_LEVEL + 2  # each pass climbs at most one level per case
INLINE_CASES = 200  # claimed cases a sweep handles itself; more go to jobs
BATCH = 1000  # cases per handling job
CHUNK = 500  # cases locked, taken through their step and written together
STALE_AFTER = timedelta(minutes=10)
LOCK_KEY = 0x534C_4153_5745  # "SLASWE": one sweep at a time on PostgreSQL
# Kept in the timeline as a person's typed reason would be; readable in both languages.
ESCALATION_REASON = "ហួសពេលកំណត់ / Deadline missed"

_COLUMNS = {
    "acknowledge": (Case.ack_risk_at, Case.ack_due_at),
    "resolve": (Case.resolve_risk_at, Case.resolve_due_at),
}


@dataclass
class SweepResult:
    skipped: bool = False  # another sweep held the lock
    claimed: int = 0  # marks newly claimed (at risk and breaches)
    at_risk: int = 0  # reminders sent
    breached: int = 0  # breaches handled
    escalated: int = 0
    deferred: int = 0  # cases handed to handling jobs
    passes: int = 0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def sweep(
    now: datetime | None = None, *, lock: bool = True, inline_cases: int = INLINE_CASES
) -> SweepResult:
    """One sweep in the caller's transaction (the caller commits). Safe to run any time,
    any number of times, concurrently."""
    now = now or utcnow()
    result = SweepResult()
    if lock and not _try_lock():
        result.skipped = True
        return result
    claimed = claim(now)
    result.claimed = len(claimed)
    case_ids = sorted(set(claimed) | set(_stale(now)))
    if len(case_ids) <= inline_cases:
        handle(case_ids, now, result)
        return result
    for first in range(0, len(case_ids), BATCH):
        enqueue(handle_job, *case_ids[first : first + BATCH])
    result.deferred = len(case_ids)
    return result


@job(queue="sla")
def sweep_job() -> dict[str, Any]:
    """The periodic job (RQ or the embedded timer); the job's unit of work commits."""
    result = sweep()
    if result.claimed or result.deferred:
        log.info("sla sweep %s", " ".join(f"{k}={v}" for k, v in result.as_dict().items()))
    return result.as_dict()


@job(queue="sla")
def handle_job(*case_ids: int) -> dict[str, Any]:
    """Handle the open marks of these cases (a batch a sweep handed out)."""
    result = SweepResult()
    handle([int(i) for i in case_ids], utcnow(), result)
    return result.as_dict()


def _try_lock() -> bool:
    # Transaction-scoped: released by the commit or rollback that ends the sweep. SQLite
    # needs none (BEGIN IMMEDIATE serialises writers); the unique marks protect either way.
    if db.session.get_bind().dialect.name != "postgresql":
        return True
    locked = db.session.scalar(text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": LOCK_KEY})
    return bool(locked)


# -- claiming: set-based ------------------------------------------------------------------


def running_states(clock: str) -> dict[str, list[str]]:
    """Per workflow, the states in which `clock` runs."""
    found = {
        workflow.name: sorted(s.name for s in workflow.states if clock in s.clocks)
        for workflow in WORKFLOWS.values()
    }
    return {name: states for name, states in found.items() if states}


def claim_statement(
    clock: str, kind: str, now: datetime, case_ids: Sequence[int] | None = None
) -> Any:
    """INSERT INTO sla_marks ... SELECT the cases whose `clock` reached its risk (at_risk)
    or due (breach) time by `now` ... ON CONFLICT DO NOTHING RETURNING case_id."""
    risk, due = _COLUMNS[clock]
    states = running_states(clock)
    # Candidates first, by the clock's open-case risk-time index (see models.py), fenced
    # off (MATERIALIZED) so the state and due-time conditions cannot lure the planner into
    # reading every open case by another index.
    scope = [Case.closed_at.is_(None), risk <= now]
    if case_ids is not None:
        scope.append(Case.id.in_(case_ids))
    found = (
        select(
            Case.id,
            Case.workflow,
            Case.state,
            Case.paused_at,
            Case.escalation_level,
            Case.deadline_version,
            risk.label("risk_at"),
            due.label("due_at"),
        )
        .where(*scope)
        .cte("sla_candidates")
        .prefix_with("MATERIALIZED", dialect="postgresql")
    )
    c = found.c
    reached = c.due_at if kind == "breach" else c.risk_at
    conditions = [
        or_(*(and_(c.workflow == name, c.state.in_(names)) for name, names in states.items())),
        c.paused_at.is_(None),
        reached <= now,
    ]
    if kind == "at_risk":
        conditions.append(c.due_at > now)  # past due: a breach, no point in a reminder
    source = (
        select(
            c.id,
            literal(clock, String),
            literal(kind, String),
            c.escalation_level,
            c.deadline_version,
            reached,
            literal(now, UTCDateTime()),
        )
        .where(*conditions)
        # In id order, so two sweeps racing without the lock wait on each other's marks
        # in the same order instead of deadlocking.
        .order_by(c.id)
    )
    columns = ["case_id", "clock", "kind", "level", "deadline_version", "due_at", "created_at"]
    return (
        insert_unless_present(SlaMark)
        .from_select(columns, source)
        .on_conflict_do_nothing()
        .returning(SlaMark.case_id)
    )


def claim(now: datetime, case_ids: Sequence[int] | None = None) -> list[int]:
    """Insert the marks newly reached at `now` (of these cases, or all); return the case
    id of each mark this call inserted."""
    claimed: list[int] = []
    for clock in ("acknowledge", "resolve"):
        for kind in ("at_risk", "breach"):
            rows = db.session.execute(claim_statement(clock, kind, now, case_ids))
            claimed.extend(row[0] for row in rows)
    return claimed


def _stale(now: datetime) -> list[int]:
    """Cases with marks claimed a while ago and still not handled (a lost job)."""
    query = select(SlaMark.case_id).where(
        SlaMark.handled_at.is_(None), SlaMark.created_at <= now - STALE_AFTER
    )
    return list(db.session.scalars(query.distinct()))


# -- handling: only the claimed cases ----------------------------------------------------


def handle(case_ids: Sequence[int], now: datetime, result: SweepResult) -> None:
    """Act on the open marks of these cases; repeat for escalated ones that are already
    past their new level's deadline."""
    queues: dict[int, int | None] = {}
    pending = list(case_ids)
    # The session's identity map holds objects weakly; keeping the (few) policies alive
    # saves reloading a case's policy at every step of its escalation.
    _keep_alive = list(db.session.scalars(select(SlaPolicy))) if pending else []
    codes = dict(db.session.execute(select(Queue.id, Queue.code)).tuples().all()) if pending else {}
    with clocks.calendar_scope(clocks.working_calendar()):
        for _ in range(MAX_PASSES):
            if not pending:
                return
            result.passes += 1
            escalated = _handle_pass(pending, now, queues, codes, result)
            again = claim(now, escalated) if escalated else []
            result.claimed += len(again)
            pending = sorted(set(again))


def _handle_pass(
    case_ids: Sequence[int],
    now: datetime,
    queues: dict[int, int | None],
    codes: dict[int, str],
    result: SweepResult,
) -> list[int]:
    """One level for each of these cases, CHUNK cases at a time, each chunk written in a
    few statements: the cases are locked and read, then their marks and the last hash
    of each timeline; the steps are taken in memory (the same code a single case goes
    through, events chained onto the hashes read); one flush writes the events, the
    cases and the marks, and the notices of the chunk are written together."""
    escalated: list[int] = []
    for first in range(0, len(case_ids), CHUNK):
        chunk = case_ids[first : first + CHUNK]
        # Locked so an officer's concurrent change waits for us (and then gets "changed"),
        # and a second handler of the same case waits and then finds the marks handled.
        query = select(Case).where(Case.id.in_(chunk)).order_by(Case.id)
        query = query.with_for_update(of=Case).execution_options(populate_existing=True)
        cases = list(db.session.scalars(query))
        marks: dict[int, list[SlaMark]] = defaultdict(list)
        open_marks = select(SlaMark).where(SlaMark.case_id.in_(chunk), SlaMark.handled_at.is_(None))
        for mark in db.session.scalars(open_marks.execution_options(populate_existing=True)):
            marks[mark.case_id].append(mark)
        due = [case.id for case in cases if marks[case.id]]
        # Nothing is written until the chunk is done; the notices are written as the
        # block ends, from the cases in memory.
        with db.session.no_autoflush, events.known_tails(due), effects.batched():
            for case in cases:
                # Acknowledge before resolve, a reminder before a breach, lower levels first.
                ordered = sorted(
                    marks[case.id], key=lambda m: (m.clock != "acknowledge", m.level, m.kind)
                )
                for mark in ordered:
                    mark.handled_at = now
                    if not _still_due(case, mark):
                        continue
                    if mark.kind == "at_risk":
                        _remind(case, mark, now)
                        result.at_risk += 1
                        continue
                    result.breached += 1
                    if _breach(case, mark, now, queues, codes):
                        result.escalated += 1
                        escalated.append(case.id)
        write_cases(cases)
        db.session.flush()  # the events and the marks
    return escalated


def write_cases(cases: Sequence[Case]) -> None:
    """Write the changes made to these (locked) cases: one executemany UPDATE per set of
    columns changed, fenced by version as the unit of work fences one case (which sends
    a versioned row alone, one statement each); then the objects are expired, their
    changes now in the database."""
    table = Case.__table__
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
    changed: list[Case] = []
    for case in cases:
        state: InstanceState[Case] = inspect(case)
        values: dict[str, Any] = {}
        for attr in state.mapper.column_attrs:
            history = state.attrs[attr.key].history
            if history.has_changes():
                values[attr.columns[0].name] = history.added[0] if history.added else None
        if not values:
            continue
        changed.append(case)
        params = {f"v_{name}": value for name, value in values.items()}
        version = case.version
        params.update(b_id=case.id, b_version=version, v_version=version + 1)
        groups[tuple(sorted(values))].append(params)
    for names, rows in groups.items():
        columns = {name: bindparam(f"v_{name}", type_=table.c[name].type) for name in names}
        columns["version"] = bindparam("v_version", type_=table.c.version.type)
        stmt = (
            update(table)
            .where(table.c.id == bindparam("b_id"), table.c.version == bindparam("b_version"))
            .values(**columns)
        )
        written = cast(CursorResult[Any], db.session.execute(stmt, rows)).rowcount
        if written >= 0 and written != len(rows):
            raise StaleDataError(f"{len(rows) - written} of {len(rows)} cases changed meanwhile")
    for case in changed:
        db.session.expire(case)


def _still_due(case: Case, mark: SlaMark) -> bool:
    # The mark was claimed from a snapshot; an officer may have moved the case since.
    running = get_workflow(case.workflow).state(case.state).clocks
    return (
        case.deadline_version == mark.deadline_version
        and case.escalation_level == mark.level
        and mark.clock in running
        and case.paused_at is None
    )


def _context(mark: SlaMark) -> dict[str, Any]:
    return {"clock": mark.clock, "level": mark.level}


def _remind(case: Case, mark: SlaMark, now: datetime) -> None:
    event = events.record(
        case, "sla_at_risk", actor_id=None, actor_role="system", data=_context(mark), at=now
    )
    emit(Notice(case.id, event.seq, "sla_at_risk", "assignee", context=_context(mark)))


def _breach(
    case: Case,
    mark: SlaMark,
    now: datetime,
    queues: dict[int, int | None],
    codes: dict[int, str] | None = None,
) -> bool:
    """Mark, tell, and climb one level if this clock and level can. True if it climbed."""
    case.overdue = True
    event = events.record(
        case, "sla_breach", actor_id=None, actor_role="system", data=_context(mark), at=now
    )
    emit(Notice(case.id, event.seq, "sla_breach", "supervisor", context=_context(mark)))
    if mark.clock != "resolve" or mark.level >= TOP_LEVEL:
        return False
    if not get_workflow(case.workflow).has_transition("escalate"):
        return False  # e.g. information requests: no ladder, overdue and told is all
    reason = {"reason": ESCALATION_REASON}
    transitions.apply(case, "escalate", transitions.SYSTEM, reason, at=now, flush=False)
    # The escalation restarted the clock (and cleared overdue): count from the breach.
    clocks.rebase_resolve(case, mark.due_at, now)
    queue_id = _level_queue(case.escalation_level, queues)
    if queue_id is not None:
        routing.move(case, queue_id, reason="escalation", at=now, codes=codes)
    return True


def _level_queue(level: int, cache: dict[int, int | None]) -> int | None:
    if level not in cache:
        code = LEVEL_QUEUES.get(level)
        cache[level] = (
            db.session.scalar(select(Queue.id).where(Queue.code == code, Queue.active.is_(True)))
            if code
            else None
        )
    return cache[level]
