"""Benchmark: one SLA sweep over a large case table, and a catch-up, on PostgreSQL.

    python -m bench.sla_sweep --total 1000000 --open 100000 --breached 5000 [--compare 100000]
    python -m bench.sla_sweep --catch-up --total 25000 --open 25000 --breached 23000 \
        --redis-url redis://127.0.0.1:6379/2 [--app-root ../before] [--time-box 120]

Creates a scratch database (samleng_bench_sla) on the server named by DATABASE_URL (default:
the local one), migrates it, seeds the reference data and two national supervisors, then
generates the cases in SQL (INSERT ... SELECT generate_series, no ORM):

- `total - open` closed cases, their deadlines long past (what a naive "due <= now" scan
  would trip over);
- `open - breached` open cases spread over the open states, deadlines ahead (a sixth of
  them waiting for the complainant, clock held);
- `breached` cases in progress whose resolve deadline passed in the last few hours and
  that no sweep has seen yet.

It prints the plan of the breach claim (it must use ix_cases_sla_resolve_open, the
open-case risk-time index, and read only the open cases past risk), then times one
sweep: claiming (the set-based INSERT ... SELECT ... ON CONFLICT DO NOTHING), handling
the claimed cases or, above the sweep's inline limit, handing them to jobs in batches,
and the commit. Then it runs some of those jobs on one in-process "worker" and times
them (event, notices, escalation, queue per case), and checks that a second sweep claims
nothing. With --compare N, the same is done with N total cases (same open and breached
counts) to show the time follows the breached count, not the table size. The database
is dropped at the end (--keep to keep it).

With --catch-up it measures what a backlog costs from end to end instead: the same data,
then one sweep job and everything it leads to (handling jobs, outbox rows, e-mails sent
through the file backend) worked off by ONE worker process, `flask worker --burst` on RQ
(`--redis-url`; without it, `flask sla sweep` with the jobs run in-process), timed from
the sweep's enqueueing to the worker's exit. The worker runs the code of `--app-root` (a
git worktree of an earlier commit measures "before"; the database is prepared by this
checkout). `--time-box S` stops the worker after S seconds and reports how far it got.
Afterwards it counts what was done (cases escalated, breach events per level, messages
sent or still waiting) and verifies every case's hash chain (`flask audit verify`).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy.engine import make_url

from bench.datagen import server_url
from bench.serve import ROOT, server_env

DB_NAME = "samleng_bench_sla"


def _urls(server: str, name: str = DB_NAME) -> tuple[str, str]:
    base = make_url(server.replace("postgresql+psycopg://", "postgresql://"))
    admin = base.set(database="postgres").render_as_string(hide_password=False)
    bench = base.set(database=name).render_as_string(hide_password=False)
    return admin, bench


def _recreate(admin: str, name: str = DB_NAME) -> None:
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def _drop(admin: str, name: str = DB_NAME) -> None:
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _app(url: str, instance: str = "/tmp/samleng-bench") -> Any:
    from grievance.app import create_app
    from grievance.config import Config
    from grievance.jobs.runtime import EXTENSION

    # Jobs the sweep releases are recorded: handling batches are run (and timed) after
    # the sweep, as workers would; e-mail sends are left alone, sending is not the sweep.
    app = create_app(Config(DATABASE_URL=url, REDIS_URL="", INSTANCE_PATH=instance))
    released: list[tuple[str, tuple[Any, ...]]] = []
    app.extensions[EXTENSION] = lambda name, ids: released.append((name, ids))
    app.extensions["bench.released"] = released
    return app


def _drain(app: Any, limit: int) -> tuple[int, int, float]:
    """Run (up to `limit` of) the handling jobs the sweep handed out, one after the other,
    as one worker would. Returns (batches run, cases in them, seconds)."""
    from grievance.jobs import execute

    released = app.extensions["bench.released"]
    batches = [(n, ids) for n, ids in released if n.endswith(".handle_job")][:limit]
    released.clear()
    started = time.perf_counter()
    with app.app_context():
        for name, ids in batches:
            execute(name, *ids)
    return len(batches), sum(len(ids) for _n, ids in batches), time.perf_counter() - started


def _prepare(app: Any) -> dict[str, int]:
    from flask_migrate import upgrade
    from sqlalchemy import select

    from grievance.auth.models import User, UserRole
    from grievance.cases.models import Category
    from grievance.extensions import db
    from grievance.seed.reference import seed_reference
    from grievance.sla.models import SlaPolicy
    from grievance.uow import checkpoint as commit

    with app.app_context():
        upgrade(revision="heads")
        seed_reference()
        for n in (1, 2):
            user = User(username=f"bench.sup{n}", name=f"Supervisor {n}", password_hash="x")
            user.email = f"sup{n}@example.org"
            user.roles = [UserRole(role="supervisor", province_code=None)]
            db.session.add(user)
        commit()
        category = db.session.scalar(select(Category.id).where(Category.code == "pension"))
        policy = db.session.scalar(
            select(SlaPolicy.id).where(
                SlaPolicy.kind == "grievance",
                SlaPolicy.priority == "normal",
                SlaPolicy.category_id.is_(None),
            )
        )
        assert category is not None and policy is not None, "reference data missing"
        return {"category": int(category), "policy": int(policy)}


# The generated rows: g <= breached: newly breached; g <= open: open, on time; else closed.
CASES_SQL = """
INSERT INTO cases (
  reference, secret_hash, kind, workflow, state, channel, category_id, province_code,
  concerned_type, description, priority, confidentiality, prefers_woman_officer,
  affected_count, language, sla_policy_id, ack_due_at, ack_risk_at, resolve_due_at,
  resolve_risk_at, paused_at, deadline_version, escalation_level, overdue, event_count,
  version, created_at, updated_at, closed_at)
SELECT
  'B' || lpad(g::text, 9, '0'), 'x', 'grievance', 'grievance',
  CASE WHEN g <= %(breached)s THEN 'in_progress'
       WHEN g <= %(open)s THEN (ARRAY['submitted','acknowledged','assigned','in_progress',
                                      'awaiting_complainant','escalated'])[1 + g %% 6]
       ELSE 'closed' END,
  'web', %(category)s, (%(provinces)s::text[])[1 + g %% %(nprov)s],
  'other', 'benchmark case', 'normal', 'normal', false, 1, 'km', %(policy)s,
  CASE WHEN g > %(open)s THEN now() - interval '300 days'
       WHEN g <= %(breached)s THEN now() - interval '20 days'
       ELSE now() + interval '1 day' + (g %% 997) * interval '1 minute' END,
  CASE WHEN g > %(open)s THEN now() - interval '301 days'
       WHEN g <= %(breached)s THEN now() - interval '21 days'
       ELSE now() + interval '12 hours' + (g %% 997) * interval '1 minute' END,
  CASE WHEN g > %(open)s THEN now() - interval '280 days'
       WHEN g <= %(breached)s THEN now() - interval '1 minute' - (g %% 600) * interval '1 minute'
       ELSE now() + interval '10 days' + (g %% 9973) * interval '1 minute' END,
  CASE WHEN g > %(open)s THEN now() - interval '285 days'
       WHEN g <= %(breached)s THEN now() - interval '5 days'
       ELSE now() + interval '3 days' + (g %% 9973) * interval '1 minute' END,
  CASE WHEN g > %(breached)s AND g <= %(open)s AND g %% 6 = 3 THEN now() - interval '1 day' END,
  1, 0, false, 0, 1,
  now() - interval '30 days' - (g %% 300) * interval '1 day',
  now() - interval '1 day',
  CASE WHEN g > %(open)s THEN now() - interval '200 days' END
FROM generate_series(1, %(total)s) AS g
"""


def _generate(url: str, ids: dict[str, int], total: int, open_: int, breached: int) -> float:
    started = time.perf_counter()
    with psycopg.connect(url, autocommit=True) as conn:
        provinces = [r[0] for r in conn.execute("SELECT code FROM provinces ORDER BY code")]
        conn.execute(
            CASES_SQL,
            {
                **ids,
                "total": total,
                "open": open_,
                "breached": breached,
                "provinces": provinces,
                "nprov": len(provinces),
            },
        )
        conn.execute("VACUUM ANALYZE cases")
    return time.perf_counter() - started


@contextmanager
def _timed(into: dict[str, float], name: str) -> Iterator[None]:
    started = time.perf_counter()
    try:
        yield
    finally:
        into[name] = into.get(name, 0.0) + time.perf_counter() - started


def _plan(app: Any, now: datetime) -> list[str]:
    from sqlalchemy.dialects import postgresql

    from grievance.extensions import db
    from grievance.sla.sweep import claim_statement

    with app.app_context():
        statement = claim_statement("resolve", "breach", now).compile(
            dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}
        )
        # EXPLAIN without ANALYZE: planning only, nothing is inserted.
        rows = db.session.execute(db.text("EXPLAIN " + str(statement))).all()
        db.session.rollback()
    return [r[0] for r in rows]


def _sweep(app: Any, now: datetime) -> tuple[Any, dict[str, float]]:
    """One sweep as the job runs it, with its phases timed."""
    from grievance.extensions import db
    from grievance.sla import sweep as sweep_mod
    from grievance.uow import checkpoint as commit

    phases: dict[str, float] = {}
    real_claim = sweep_mod.claim

    def claim(at: datetime, case_ids: Any = None) -> Any:
        with _timed(phases, "claim (SQL)"):
            return real_claim(at, case_ids)

    sweep_mod.claim = claim  # type: ignore[assignment]
    try:
        with app.app_context():
            started = time.perf_counter()
            result = sweep_mod.sweep(now)
            swept = time.perf_counter() - started
            with _timed(phases, "commit"):
                commit()
            phases["handle or hand out"] = swept - phases.get("claim (SQL)", 0.0)
            phases["total"] = time.perf_counter() - started
            db.session.remove()
    finally:
        sweep_mod.claim = real_claim
    return result, phases


def run(
    server: str,
    total: int,
    open_: int,
    breached: int,
    keep: bool,
    batches: int,
    before_sweep: Callable[[Any, str, datetime], None] | None = None,
) -> dict[str, Any]:
    """Generate, then sweep once and time it. `before_sweep(app, url, now)`, if given, runs
    between generation and the sweep (the suite times the claim SQL alone there)."""
    admin, url = _urls(server)
    _recreate(admin)
    try:
        app = _app(url)
        ids = _prepare(app)
        generated = _generate(url, ids, total, open_, breached)
        now = datetime.now(UTC)
        plan = _plan(app, now)
        if before_sweep:
            before_sweep(app, url, now)
        result, phases = _sweep(app, now)
        ran, handled, handling = _drain(app, batches)
        again, again_phases = _sweep(app, now)
        with app.app_context():
            app.extensions["sqlalchemy"].engines[None].dispose()
        return {
            "total": total,
            "open": open_,
            "breached": breached,
            "generated_s": generated,
            "plan": plan,
            "result": result.as_dict(),
            "phases": phases,
            "batches": ran,
            "handled": handled,
            "handling_s": handling,
            "again": again.as_dict(),
            "again_s": again_phases["total"],
        }
    finally:
        if not keep:
            _drop(admin)


# -- catch-up: a backlog handled and notified, end to end --------------------------------

DONE_SQL = {
    "cases escalated": "SELECT count(*) FROM cases WHERE escalation_level > 0",
    "breach marks handled": "SELECT count(*) FROM sla_marks WHERE kind = 'breach' "
    "AND handled_at IS NOT NULL",
    "breach marks waiting": "SELECT count(*) FROM sla_marks WHERE handled_at IS NULL",
    "events written": "SELECT count(*) FROM case_events",
    "e-mails sent": "SELECT count(*) FROM notifications WHERE channel = 'email' "
    "AND status = 'sent'",
    # Folded into another person's e-mail of the same kind, still waiting (relay.fold_digests).
    "e-mails folded": "SELECT count(*) FROM notifications WHERE channel = 'email' "
    "AND status = 'cancelled' AND last_error LIKE 'folded into %'",
    "e-mails waiting": "SELECT count(*) FROM notifications WHERE channel <> 'in_app' "
    "AND status IN ('queued', 'pending')",
    "in-app messages": "SELECT count(*) FROM notifications WHERE channel = 'in_app'",
    # Exactly once per level: a breach event repeated for the same case, clock and level.
    "breaches recorded twice": "SELECT count(*) FROM (SELECT case_id FROM case_events "
    "WHERE kind = 'sla_breach' GROUP BY case_id, data->>'clock', data->>'level' "
    "HAVING count(*) > 1) AS twice",
}


def _counts(url: str) -> dict[str, int]:
    with psycopg.connect(url) as conn:
        return {k: int(conn.execute(q).fetchone()[0]) for k, q in DONE_SQL.items()}  # type: ignore[index]


def _empty(redis_url: str) -> None:
    from redis import Redis
    from rq import Queue

    from grievance.jobs import QUEUES

    connection = Redis.from_url(redis_url)
    for name in QUEUES:
        Queue(name, connection=connection).empty()


def _work_off(
    url: str, redis_url: str, app_root: Path, instance: str, time_box: float
) -> tuple[float, bool, float]:
    """One sweep and all that follows, on one worker process running `app_root`'s code.
    Returns (seconds, finished: False when the time box stopped it, CPU seconds the
    worker and its work horses used: a figure the machine's other load moves less)."""
    from redis import Redis
    from rq import Queue

    from grievance.jobs.runtime import JOB_TIMEOUT, execute
    from grievance.sla.sweep import sweep_job

    env = {**server_env(url, instance, redis_url), "PYTHONPATH": str(app_root)}
    flask = [sys.executable, "-m", "flask", "--app", "wsgi:app"]
    cpu = _children_cpu()
    started = time.perf_counter()
    if redis_url:
        _empty(redis_url)
        queue = Queue("sla", connection=Redis.from_url(redis_url))
        name = f"{sweep_job.__module__}.{sweep_job.__qualname__}"
        queue.enqueue(execute, name, job_timeout=JOB_TIMEOUT)
        command = [*flask, "worker", "--burst"]
    else:
        command = [*flask, "sla", "sweep"]  # embedded: its jobs run in-process
    log = Path(instance) / "worker.log"
    with log.open("w") as out:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            command, env=env, cwd=app_root, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        try:
            process.wait(timeout=time_box or None)
            finished = process.returncode == 0
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            finished = False
    seconds = time.perf_counter() - started
    if redis_url:
        _empty(redis_url)
    return seconds, finished, _children_cpu() - cpu


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _verify(app: Any) -> int:
    """Cases whose timeline does not verify (`flask audit verify`), of all."""
    from grievance.cases.audit import verify

    with app.app_context():
        broken = sum(1 for _ in verify())
        app.extensions["sqlalchemy"].engines[None].dispose()
    return broken


def catch_up(
    server: str,
    total: int,
    open_: int,
    breached: int,
    *,
    redis_url: str = "",
    app_root: Path = ROOT,
    time_box: float = 0.0,
    keep: bool = False,
    db_name: str = DB_NAME,
) -> dict[str, Any]:
    """Generate the backlog, then time one worker catching up with it, notices sent."""
    admin, url = _urls(server, db_name)
    _recreate(admin, db_name)
    instance = tempfile.mkdtemp(prefix="samleng-bench-sla-")
    try:
        app = _app(url, instance)
        ids = _prepare(app)
        with app.app_context():
            app.extensions["sqlalchemy"].engines[None].dispose()
        generated = _generate(url, ids, total, open_, breached)
        before = _counts(url)
        seconds, finished, cpu = _work_off(url, redis_url, app_root, instance, time_box)
        after = _counts(url)
        done = {k: after[k] - before.get(k, 0) if k == "events written" else after[k]
                for k in after}  # fmt: skip
        broken = _verify(app)
        tail = (Path(instance) / "worker.log").read_text(errors="replace").splitlines()[-5:]
        return {
            "total": total,
            "open": open_,
            "breached": breached,
            "generated_s": generated,
            "seconds": seconds,
            "finished": finished,
            "worker_cpu_s": cpu,
            "done": done,
            "broken_chains": broken,
            "runner": "one RQ worker (flask worker --burst)" if redis_url else "in-process",
            "app_root": str(app_root),
            "worker_log": tail,
        }
    finally:
        shutil.rmtree(instance, ignore_errors=True)
        if not keep:
            _drop(admin, db_name)


def catch_up_rate(figures: dict[str, Any]) -> float:
    """Cases escalated per second (over the time box, if it stopped the worker)."""
    return float(figures["done"]["cases escalated"]) / max(figures["seconds"], 1e-9)


def report_catch_up(figures: dict[str, Any]) -> None:
    done = figures["done"]
    state = "finished" if figures["finished"] else "STOPPED (time box or failure)"
    print(
        f"\n== catch-up: {figures['total']:,} cases, {figures['open']:,} open, "
        f"{figures['breached']:,} newly breached (generated in {figures['generated_s']:.1f} s)"
    )
    print(f"code: {figures['app_root']}; {figures['runner']}")
    print(f"{state} after {figures['seconds']:.1f} s: {catch_up_rate(figures):,.1f} escalations/s")
    escalated = max(1, done["cases escalated"])
    print(
        f"worker CPU {figures['worker_cpu_s']:.1f} s: "
        f"{figures['worker_cpu_s'] * 1000 / escalated:.1f} ms per case escalated; load average "
        + " ".join(f"{x:.1f}" for x in os.getloadavg())
    )
    for name, value in done.items():
        print(f"  {name:24} {value:>9,}")
    print(f"  {'timelines not verifying':24} {figures['broken_chains']:>9,}")
    if not figures["finished"]:
        print("worker log (last lines):", *figures["worker_log"], sep="\n  ")


def report(figures: dict[str, Any]) -> None:
    print(
        f"\n== {figures['total']:,} cases, {figures['open']:,} open, "
        f"{figures['breached']:,} newly breached (generated in {figures['generated_s']:.1f} s)"
    )
    print("plan of the breach claim:")
    for line in figures["plan"]:
        print("   ", line)
    result = figures["result"]
    print(
        f"sweep: claimed {result['claimed']:,}; handled itself: breached {result['breached']:,}, "
        f"escalated {result['escalated']:,}; handed to jobs: {result['deferred']:,} cases"
    )
    for name, seconds in figures["phases"].items():
        print(f"  {name:22} {seconds:8.3f} s")
    if figures["batches"]:
        per_case = figures["handling_s"] / max(1, figures["handled"])
        print(
            f"handling jobs: {figures['batches']} batches ({figures['handled']} cases) in "
            f"{figures['handling_s']:.1f} s on one worker: {per_case * 1000:.1f} ms per case "
            "(timeline events, notices to supervisors, escalation, queue)"
        )
    again = figures["again"]
    print(
        f"second sweep: breached {again['breached']}, at risk {again['at_risk']} "
        f"in {figures['again_s']:.3f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--total", type=int, default=1_000_000)
    parser.add_argument("--open", type=int, default=100_000)
    parser.add_argument("--breached", type=int, default=5_000)
    parser.add_argument("--compare", type=int, default=0, help="also run with this many total")
    parser.add_argument("--server", default=server_url())
    parser.add_argument("--db", default=DB_NAME, help="the scratch database's name")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument(
        "--handle-batches",
        type=int,
        default=3,
        help="how many handed-out batches to run and time afterwards (0: none, -1: all)",
    )
    parser.add_argument(
        "--catch-up",
        action="store_true",
        help="time one worker handling and notifying the whole backlog",
    )
    parser.add_argument(
        "--redis-url", default="", help="catch-up: RQ on this Redis (else jobs run in-process)"
    )
    parser.add_argument(
        "--app-root", default=str(ROOT), help="catch-up: the checkout whose code the worker runs"
    )
    parser.add_argument("--time-box", type=float, default=0.0,
                        help="catch-up: stop the worker after this many seconds")  # fmt: skip
    args = parser.parse_args()
    if args.catch_up:
        figures = catch_up(
            args.server, max(args.total, args.open), args.open, args.breached,
            redis_url=args.redis_url, app_root=Path(args.app_root).resolve(),
            time_box=args.time_box, keep=args.keep, db_name=args.db,
        )  # fmt: skip
        report_catch_up(figures)
        return
    sizes = [args.total] + ([args.compare] if args.compare else [])
    runs = []
    for total in sizes:
        limit = args.handle_batches if args.handle_batches >= 0 else 10**9
        figures = run(args.server, total, min(args.open, total), args.breached, args.keep, limit)
        report(figures)
        runs.append(figures)
    if len(runs) == 2:
        a, b = runs
        print(
            f"\ntotal {a['total']:,} vs {b['total']:,} ({a['total'] / b['total']:.0f}x): "
            f"claim {a['phases']['claim (SQL)']:.3f} s vs {b['phases']['claim (SQL)']:.3f} s, "
            f"whole sweep {a['phases']['total']:.3f} s vs {b['phases']['total']:.3f} s"
        )


if __name__ == "__main__":
    main()
