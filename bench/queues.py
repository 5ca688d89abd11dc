"""Benchmark: the officer's workspace and claim-next over a million cases, on PostgreSQL.

    python -m bench.queues [--cases 1000000] [--runs 60] [--claimers 8] [--claims 1600]
                           [--db samleng_bench_queues] [--keep]

Creates (or reuses) a database beside DATABASE_URL (default: the local development server)
and fills it with bench/datagen.py (INSERT ... SELECT generate_series, no ORM). Then, in SQL:
20 officers per province office queue (members, province-scoped, half of them women) and
10 designated officers in the restricted queue; every case routed to its province's queue
(restricted ones to the restricted queue) and, unless still waiting for an officer, given
to one of its queue's officers. VACUUM ANALYZE, as autovacuum would.

Measured in this process, through the Flask test client (server time: routing, service,
template rendering), after warm-up, p50/p99 over --runs requests:
- "my cases" (GET /workspace/, first page of 50) of a Phnom Penh officer;
- the Phnom Penh queue page (GET /workspace/queues/office-kh-12, first page of 50);
- the queues overview of that officer and of a nationwide supervisor (every queue);
- "all cases I may see" (GET /workspace/?scope=all, first page) of that officer and of the
  nationwide supervisor: every open case in their provinces, counted up to
  grievance.queues.workspace.COUNT_CAP;
- searches of all cases the officer may see: a phone number and a complainant's name.
Targets: "my cases" and the queue page p50 < 50 ms. (Queue counts stop at
grievance.queues.overview.COUNT_CAP, shown as "1000+".) The machine's load average is
printed with the figures: the benchmark shares the CPU with whatever else runs.

Then claim-next throughput: --claimers threads, each with its own session, take cases
from the Phnom Penh queue (SELECT ... FOR UPDATE SKIP LOCKED, the claim transition, commit)
until --claims are taken; claims per second and p50/p99 per claim.

The database is dropped at the end unless --keep.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import threading
import time
from typing import Any

from sqlalchemy import text

from bench.datagen import (
    _secondary_indexes,
    drop_database,
    prepare_database,
    server_url,
    standalone_parser,
)

PASSWORD = "bench password only"
PER_QUEUE = 20
DESIGNATED = 10
OPEN_ASSIGNED = (
    "assigned", "in_progress", "awaiting_complainant", "escalated", "rejection_pending",
    "resolution_proposed", "appealed",
)  # fmt: skip

STAFF_SQL = """
INSERT INTO users (username, name, password_hash, active, language, sex, session_version,
                   away, capacity, created_at)
SELECT 'bench-' || q.code || '-' || s, 'Officer ' || q.code || ' ' || s, '-', true, 'en',
       CASE WHEN s % 2 = 0 THEN 'female' ELSE 'male' END, 1, false, 10000, now()
FROM queues q CROSS JOIN generate_series(0, :per_queue - 1) AS s
WHERE q.level = 0 AND NOT q.restricted AND q.province_code IS NOT NULL
UNION ALL
SELECT 'bench-restricted-' || s, 'Designated ' || s, '-', true, 'en', 'female', 1, false,
       10000, now()
FROM generate_series(0, :designated - 1) AS s
"""
ROLES_SQL = """
INSERT INTO user_roles (user_id, role, province_code)
SELECT u.id, 'officer', q.province_code FROM users u
JOIN queues q ON u.username LIKE 'bench-' || q.code || '-%'
UNION ALL
SELECT id, 'supervisor', NULL FROM users WHERE username = 'bench-supervisor'
"""
MEMBERS_SQL = """
INSERT INTO queue_members (queue_id, user_id)
SELECT q.id, u.id FROM users u JOIN queues q ON u.username LIKE 'bench-' || q.code || '-%'
"""
SLOTS_SQL = """
CREATE TEMP TABLE bench_slots AS
SELECT q.id AS queue_id, q.province_code, q.restricted,
       (regexp_match(u.username, '-(\\d+)$'))[1]::int AS slot, u.id AS user_id
FROM users u JOIN queues q ON u.username LIKE 'bench-' || q.code || '-%'
"""
ROUTE_SQL = """
UPDATE cases c SET queue_id = s.queue_id,
  assignee_id = CASE WHEN c.state = ANY(:assigned) OR c.closed_at IS NOT NULL
                     THEN s.user_id END
FROM bench_slots s
WHERE s.restricted = (c.confidentiality = 'restricted')
  AND (s.restricted OR s.province_code = c.province_code)
  AND s.slot = c.id % (CASE WHEN s.restricted THEN :designated ELSE :per_queue END)
"""


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def figures(times: list[float]) -> dict[str, float]:
    return {
        "p50_ms": round(statistics.median(times), 1),
        "p99_ms": round(percentile(times, 99), 1),
    }


def lay_out_staff(url: str) -> None:
    """Officers, memberships, routing and assignment, once per database."""
    from sqlalchemy import create_engine

    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.begin() as conn:
        if conn.execute(text("SELECT 1 FROM users WHERE username = 'bench-supervisor'")).first():
            return
        started = time.monotonic()
        params = {"per_queue": PER_QUEUE, "designated": DESIGNATED}
        conn.execute(text(STAFF_SQL), params)
        conn.execute(
            text(
                "INSERT INTO users (username, name, password_hash, active, language, sex, "
                "session_version, away, capacity, created_at) VALUES ('bench-supervisor', "
                "'Supervisor', '-', true, 'en', 'male', 1, false, 30, now())"
            )
        )
        conn.execute(text(ROLES_SQL))
        conn.execute(text(MEMBERS_SQL))
        conn.execute(text(SLOTS_SQL))
        indexes = _secondary_indexes(conn, "cases")
        for name, _definition in indexes:
            conn.execute(text(f'DROP INDEX "{name}"'))
        conn.execute(text("SET LOCAL session_replication_role = replica"))
        conn.execute(text("SET LOCAL maintenance_work_mem = '256MB'"))
        conn.execute(text(ROUTE_SQL), {**params, "assigned": list(OPEN_ASSIGNED)})
        for _name, definition in indexes:
            conn.execute(text(definition))
        print(f"staff, routing and assignment in {time.monotonic() - started:.1f} s")
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        started = time.monotonic()
        conn.execute(text("VACUUM ANALYZE cases"))
        conn.execute(text("VACUUM ANALYZE persons"))
        print(f"vacuum analyze in {time.monotonic() - started:.1f} s")
    engine.dispose()


def signed_in(app: Any, username: str) -> Any:
    """A test client signed in as that user through the real login form."""
    from sqlalchemy import select

    from grievance.auth.models import User
    from grievance.extensions import db
    from grievance.security import hash_password

    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == username))
        assert user is not None, username
        user.password_hash = hash_password(PASSWORD)
        db.session.commit()
        db.session.remove()
    client = app.test_client()
    response = client.post("/login", data={"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.status_code
    return client


def measure(call: Any, runs: int) -> dict[str, float]:
    for _ in range(3):
        call()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return figures(times)


def get(client: Any, path: str, expect: str = "") -> Any:
    def call() -> None:
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        assert expect in response.get_data(as_text=True), path

    return call


def post(client: Any, path: str, data: dict[str, str], expect: str = "") -> Any:
    def call() -> None:
        response = client.post(path, data=data)
        assert response.status_code == 200, (path, response.status_code)
        assert expect in response.get_data(as_text=True), path

    return call


def claim_throughput(app: Any, usernames: list[str], total: int) -> dict[str, float]:
    from sqlalchemy import select

    from grievance.auth.models import User
    from grievance.extensions import db
    from grievance.queues.assignment import claim_next
    from grievance.queues.models import Queue

    latencies: list[float] = []
    taken = [0]
    lock = threading.Lock()
    start = threading.Barrier(len(usernames))

    def claimer(username: str) -> None:
        with app.app_context():
            user_id = db.session.scalar(select(User.id).where(User.username == username))
            queue_id = db.session.scalar(select(Queue.id).where(Queue.code == "office-kh-12"))
            db.session.remove()
            start.wait()
            while True:
                with lock:
                    if taken[0] >= total:
                        break
                    taken[0] += 1
                began = time.perf_counter()
                officer = db.session.get(User, user_id)
                assert officer is not None and queue_id is not None
                case = claim_next(officer, [queue_id])
                db.session.commit()
                db.session.remove()
                with lock:
                    latencies.append((time.perf_counter() - began) * 1000)
                assert case is not None, "the queue ran dry"

    threads = [threading.Thread(target=claimer, args=(u,)) for u in usernames]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - began
    return {"claims": len(latencies), "per_s": round(len(latencies) / elapsed, 1),
            **figures(latencies)}  # fmt: skip


def main() -> None:
    parser = standalone_parser(__doc__, 60, "samleng_bench_queues")
    parser.add_argument("--claimers", type=int, default=8)
    parser.add_argument("--claims", type=int, default=1600)
    args = parser.parse_args()

    from grievance.app import create_app
    from grievance.config import Config
    from grievance.extensions import db

    server = server_url()
    url = prepare_database(server, args.db, args.cases)
    try:
        lay_out_staff(url)
        # Staff sign in with the password alone: the second step is not what is measured.
        config = Config(
            DATABASE_URL=url, INSTANCE_PATH=tempfile.mkdtemp(), SECOND_STEP_RELAXED=True
        )
        app = create_app(config)
        app.config["WTF_CSRF_ENABLED"] = False  # login and searches POST; CSRF is not measured
        officer = signed_in(app, "bench-office-kh-12-0")
        supervisor = signed_in(app, "bench-supervisor")
        with app.app_context():
            counts = db.session.execute(
                text(
                    "SELECT count(*), count(*) FILTER (WHERE queue_id = q.id), "
                    "count(*) FILTER (WHERE queue_id = q.id AND assignee_id IS NULL "
                    "AND closed_at IS NULL), count(*) FILTER (WHERE assignee_id = u.id "
                    "AND closed_at IS NULL) FROM cases, queues q, users u "
                    "WHERE q.code = 'office-kh-12' AND u.username = 'bench-office-kh-12-0'"
                )
            ).one()
            phone, name = db.session.execute(
                text("SELECT phone, name FROM persons ORDER BY id DESC LIMIT 1")
            ).one()
            db.session.remove()
        print(
            f"cases: {counts[0]}; Phnom Penh queue: {counts[1]}, of which {counts[2]} open "
            f"without an officer; the measured officer's open cases: {counts[3]}"
        )
        runs = args.runs
        results = {
            "my cases (GET /workspace/)": measure(get(officer, "/workspace/?lang=en"), runs),
            "queue page (GET /workspace/queues/office-kh-12)": measure(
                get(officer, "/workspace/queues/office-kh-12?lang=en"), runs
            ),
            "queues overview, officer": measure(get(officer, "/workspace/queues"), runs),
            "queues overview, national supervisor": measure(
                get(supervisor, "/workspace/queues"), runs
            ),
            "all cases I may see, officer (GET /workspace/?scope=all)": measure(
                get(officer, "/workspace/?scope=all&lang=en"), runs
            ),
            "all cases I may see, national supervisor": measure(
                get(supervisor, "/workspace/?scope=all&lang=en"), runs
            ),
            "search by phone (all cases)": measure(
                post(officer, "/workspace/", {"q": phone, "scope": "all"}), runs
            ),
            "search by name (all cases)": measure(
                post(officer, "/workspace/", {"q": name.split()[-1], "scope": "all"}), runs
            ),
        }
        for label, figure in results.items():
            print(f"{label}: {figure}")
        print(f"load average (1, 5, 15 min): {os.getloadavg()}")
        claimers = [f"bench-office-kh-12-{i}" for i in range(args.claimers)]
        throughput = claim_throughput(app, claimers, args.claims)
        print(f"claim-next, {args.claimers} claimers: {throughput}")
        print(f"load average (1, 5, 15 min): {os.getloadavg()}")
        with app.app_context():
            db.engine.dispose()
    finally:
        if not args.keep:
            drop_database(url)


if __name__ == "__main__":
    main()
