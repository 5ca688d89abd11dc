"""The benchmark suite: `python -m bench [--scale 10k|100k|1m] [--only track,form,...]`.

1. Creates the PostgreSQL database `samleng_bench_<scale>` (or `--db`) beside the server of
   DATABASE_URL (default: the local one), or reuses it when it already holds that many
   cases (`--fresh` drops and regenerates it); migrates it (`flask db upgrade heads`),
   seeds the reference data and generates the cases with their events and notifications
   in SQL (bench/datagen.py); lays out officers and queues (bench/queues.py); picks cases
   whose tracking secrets it knows; refreshes the dashboard statistics.
2. Starts two gunicorns with the same configuration (bench/serve.py, 2 sync workers): the
   app and the bare floor app.
3. Runs the scenarios (bench/scenarios.py), each next to its floor, app and floor
   alternating in short rounds; HTTP load comes from wrk, or from `python -m bench.load`
   when wrk is not installed (both separate processes).
4. Prints the table and writes it to bench/results/<YYYY-MM-DD>-<scale>.md; exits 1 if a
   scenario failed.

Only 127.0.0.1 is contacted. See docs/performance.md for the method and the figures.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg

from bench import load, queues, scenarios, write_report
from bench.datagen import database_url, drop_database, prepare_database, server_url
from bench.serve import BENCH_KEY, PINGS_SQL, ROOT, Server, server_env

# tiny: a smoke run that only shows the suite still works (the test suite runs it)
SCALES = {"tiny": 200, "10k": 10_000, "100k": 100_000, "1m": 1_000_000}
DEFAULT_REDIS = "redis://127.0.0.1:6379/13"
TRACKED = 200  # cases whose secrets the /track scenario knows
CLAIMABLE_AT_LEAST = 1500  # cases waiting in the Phnom Penh queue for claim-next

TRACK_TABLE_SQL = "CREATE TABLE bench_track (id int PRIMARY KEY, reference text, secret text)"


def _redis_url(wanted: str) -> str:
    """`wanted` if a Redis answers there (jobs then go to RQ queues, as in production)."""
    if not wanted:
        return ""
    try:
        from redis import Redis

        Redis.from_url(wanted, socket_connect_timeout=1).ping()
    except Exception:  # noqa: BLE001 - any failure: run jobs in-process
        return ""
    return wanted


def _empty_queues(redis_url: str) -> None:
    if not redis_url:
        return
    from redis import Redis
    from rq import Queue

    from grievance.jobs import QUEUES

    connection = Redis.from_url(redis_url)
    for name in QUEUES:
        Queue(name, connection=connection).empty()


def _local_app(url: str, instance: str, redis_url: str = "") -> Any:
    from grievance.app import create_app
    from grievance.config import Config

    return create_app(
        Config(DATABASE_URL=url, INSTANCE_PATH=instance, SECRET_KEY=BENCH_KEY,
               SERVER_KEY=BENCH_KEY, RATELIMIT_ENABLED=False, REDIS_URL=redis_url,
               SECOND_STEP_RELAXED=True)
    )  # fmt: skip


def prepare_extras(app: Any, url: str) -> list[str]:
    """What the scenarios need beyond the generated data; idempotent. Returns notes."""
    from grievance.extensions import db
    from grievance.oversight import snapshots
    from grievance.security import hash_password, hash_secret, new_reference, new_secret
    from grievance.uow import checkpoint as commit

    notes = []
    with psycopg.connect(url) as conn:
        conn.execute(PINGS_SQL)
        conn.execute(
            "UPDATE users SET password_hash = %s WHERE username = ANY(%s)",
            (hash_password(scenarios.PASSWORD), [scenarios.OFFICER, *scenarios.CLAIMERS]),
        )
        if not conn.execute("SELECT to_regclass('bench_track')").fetchone()[0]:  # type: ignore[index]
            conn.execute(TRACK_TABLE_SQL)
            # Sample enough pages to find TRACKED cases: 5 % at scale, all of a tiny table.
            total = conn.execute("SELECT count(*) FROM cases").fetchone()[0]  # type: ignore[index]
            percent = min(100.0, max(5.0, 400.0 * TRACKED / max(total, 1)))
            ids = [r[0] for r in conn.execute(
                "SELECT id FROM cases TABLESAMPLE SYSTEM (%s) WHERE complainant_id IS NOT NULL "
                "ORDER BY random() LIMIT %s", (percent, TRACKED))]  # fmt: skip
            for case_id in ids:
                reference, secret = new_reference(), new_secret()
                conn.execute(
                    "UPDATE cases SET reference = %s, secret_hash = %s WHERE id = %s",
                    (reference, hash_secret(secret, BENCH_KEY), case_id),
                )
                conn.execute("INSERT INTO bench_track VALUES (%s, %s, %s)",
                             (case_id, reference, secret))  # fmt: skip
        # claim-next needs cases waiting: make closed Phnom Penh grievances wait if too few.
        waiting = conn.execute(
            "SELECT count(*) FROM cases c JOIN queues q ON q.id = c.queue_id WHERE q.code = "
            "'office-kh-12' AND c.assignee_id IS NULL AND c.state = 'acknowledged' "
            "AND c.confidentiality <> 'restricted'"
        ).fetchone()[0]  # type: ignore[index]
        if waiting < CLAIMABLE_AT_LEAST:
            moved = conn.execute(
                "UPDATE cases SET state = 'acknowledged', assignee_id = NULL, closed_at = NULL "
                "WHERE id IN (SELECT c.id FROM cases c JOIN queues q ON q.id = c.queue_id "
                "WHERE q.code = 'office-kh-12' AND c.state = 'closed' AND c.kind = 'grievance' "
                "AND c.confidentiality <> 'restricted' ORDER BY c.id DESC LIMIT %s)",
                (CLAIMABLE_AT_LEAST - waiting,),
            ).rowcount
            notes.append(f"set-up: {moved} closed Phnom Penh grievances reopened as "
                         f"'acknowledged' so that claim-next has {CLAIMABLE_AT_LEAST} "
                         "cases to take")  # fmt: skip
    started = time.perf_counter()
    with app.app_context():
        snapshots.refresh()
        commit()
        db.session.remove()
    notes.append(f"set-up: dashboard statistics refresh (working-day index + aggregates) "
                 f"took {time.perf_counter() - started:.1f} s")  # fmt: skip
    return notes


def counts(url: str) -> dict[str, int]:
    with psycopg.connect(url) as conn:
        return {
            table: int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])  # type: ignore[index]
            for table in ("cases", "persons", "case_events", "notifications", "users")
        }


def _fmt(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def table(rows: list[scenarios.Row]) -> str:
    lines = [
        "| scenario | p50 (ms) | p99 (ms) | throughput | floor | ratio | target | met? |",
        "|---|---:|---:|---|---|---:|---|---|",
    ]
    for r in rows:
        met = "-" if r.met is None else ("yes" if r.met else "**no**")
        lines.append(
            f"| {r.scenario} | {_fmt(r.p50_ms)} | {_fmt(r.p99_ms)} | {r.throughput} | "
            f"{r.floor} | {_fmt(r.ratio, 3)} | {r.target} | {met} |"
        )
    return "\n".join(lines)


def _commit(root: Path = ROOT) -> str:
    try:
        done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root,
                              capture_output=True, text=True, check=True)  # fmt: skip
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return done.stdout.strip()


def report(
    args: argparse.Namespace,
    rows: list[scenarios.Row],
    notes: list[str],
    data: dict[str, int],
    redis_url: str,
    began: datetime,
    load_before: str,
) -> str:
    tool = "wrk" if load.wrk_available() else "python -m bench.load (no wrk, or --load python)"
    loadavg = " ".join(f"{x:.2f}" for x in os.getloadavg())
    head = [
        f"# Benchmark {began:%Y-%m-%d %H:%M} UTC, scale {args.scale}",
        "",
        f"- commit {_commit(Path(args.app_root))}"
        + (
            f" (app served from {args.app_root}; suite at {_commit()})"
            if Path(args.app_root) != ROOT
            else ""
        )
        + f"; Python {platform.python_version()}; {os.cpu_count()} CPUs; "
        f"load average before {load_before}, after {loadavg}",
        "- data: " + ", ".join(f"{v:,} {k}" for k, v in data.items()),
        f"- HTTP: gunicorn, 2 sync workers (app and bare floor app alike), load from {tool}, "
        f"{args.concurrency} connections (claim-next: 8); {args.rounds} rounds of "
        f"{args.duration:g} s per side, app and floor alternating; jobs to "
        f"{'RQ on Redis' if redis_url else 'the in-process runner'}",
        "- ratio: app throughput / floor throughput (SLA sweep and export: floor time / app "
        "time); targets are the project's, measured, not asserted",
        "",
        table(rows),
        "",
        "Notes:",
        "",
        *[f"- {n}" for n in notes],
        "",
    ]
    return "\n".join(head)


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench",
                                     description=(__doc__ or "").splitlines()[0])  # fmt: skip
    parser.add_argument("--scale", choices=sorted(SCALES), default="10k")
    parser.add_argument(
        "--only", default="", help=f"comma-separated, of: {','.join(scenarios.SCENARIOS)}"
    )
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per round and side")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--concurrency", type=int, default=2, help="HTTP connections (2: one per worker)"
    )
    parser.add_argument("--db", default="", help="database name (default samleng_bench_SCALE)")
    parser.add_argument("--fresh", action="store_true", help="drop and regenerate the data")
    parser.add_argument("--drop", action="store_true", help="drop the database at the end")
    parser.add_argument("--load", choices=["auto", "python"], default="auto",
                        help="python: use bench.load even if wrk is installed")  # fmt: skip
    parser.add_argument("--redis-url", default=DEFAULT_REDIS, help="'' for in-process jobs")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results"))
    parser.add_argument(
        "--sla-open",
        type=int,
        default=0,
        help="SLA catch-up: open cases (default a tenth of the scale)",
    )
    parser.add_argument(
        "--sla-breached",
        type=int,
        default=0,
        help="SLA catch-up: of which newly past their deadline (default "
        "scale/200; the issue's backlog: --sla-open 25000 "
        "--sla-breached 23000)",
    )
    parser.add_argument(
        "--sla-time-box",
        type=float,
        default=0.0,
        help="SLA catch-up: stop its worker after this many seconds",
    )
    parser.add_argument("--app-root", default=str(ROOT),
                        help="serve the app from this checkout (e.g. a git worktree of an "
                             "earlier commit, to measure before and after a change)")  # fmt: skip
    args = parser.parse_args()
    wanted = [s for s in args.only.split(",") if s] or list(scenarios.SCENARIOS)
    unknown = set(wanted) - set(scenarios.SCENARIOS)
    if unknown:
        parser.error(f"unknown scenarios: {', '.join(sorted(unknown))}")
    if args.load == "python":
        load.FORCE_PYTHON = True

    began = datetime.now(UTC)
    load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())
    server = server_url()
    name = args.db or f"samleng_bench_{args.scale}"
    url = database_url(server, name)
    if args.fresh:
        drop_database(url)
    notes: list[str] = []
    started = time.monotonic()
    prepare_database(server, name, SCALES[args.scale])
    queues.lay_out_staff(url)
    notes.append(f"set-up: database ready in {time.monotonic() - started:.0f} s "
                 "(generation only when it did not already hold the scale)")  # fmt: skip
    instance = tempfile.mkdtemp(prefix="samleng-bench-")
    local_app = _local_app(url, instance)
    notes += prepare_extras(local_app, url)
    data = counts(url)
    redis_url = _redis_url(args.redis_url)
    env = server_env(url, instance, redis_url)
    servers: list[Server] = []
    rows: list[scenarios.Row] = []
    try:
        servers.append(Server(env, "bench.serve:app()", Path(instance) / "app.log",
                              root=Path(args.app_root).resolve()))  # fmt: skip
        servers.append(Server(env, "bench.serve:bare_app()", Path(instance) / "bare.log"))
        ctx = scenarios.Context(
            url=url, server_url=server, scale=SCALES[args.scale], rounds=args.rounds,
            duration=args.duration, concurrency=args.concurrency, app=servers[0],
            bare=servers[1], local_app=local_app, redis_url=redis_url,
            app_root=Path(args.app_root).resolve(), sla_open=args.sla_open,
            sla_breached=args.sla_breached, sla_time_box=args.sla_time_box,
        )  # fmt: skip
        for key in wanted:
            print(f"== {key}", flush=True)
            try:
                row = scenarios.SCENARIOS[key](ctx)
            except Exception as error:  # noqa: BLE001 - report it, run the others
                print(f"   FAILED: {error!r}", flush=True)
                rows.append(scenarios.Row(key, None, None, "FAILED", "-", None, "-", False))
                notes.append(f"{key}: FAILED: {error!r}")
                continue
            print(f"   {table([row]).splitlines()[-1]}", flush=True)
            rows.append(row)
            notes += row.notes
    finally:
        for s in servers:
            s.stop()
        _empty_queues(redis_url)
        with local_app.app_context():
            from grievance.extensions import db

            db.engine.dispose()
        if args.drop:
            drop_database(url)
    text = report(args, rows, notes, data, redis_url, began, load_before)
    suffix = "" if wanted == list(scenarios.SCENARIOS) else "-" + "-".join(wanted)
    write_report(args.out, f"{began:%Y-%m-%d}-{args.scale}{suffix}.md", text)
    failed = [r.scenario for r in rows if r.throughput == "FAILED"]
    if failed:
        print(f"FAILED scenarios: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
