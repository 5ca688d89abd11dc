"""Benchmark: the public complaint form under gunicorn (2 workers) on PostgreSQL.

    python -m bench.intake_form [--requests 1500] [--concurrency 4]

Creates a scratch PostgreSQL database beside DATABASE_URL (default: the local development
server), migrates and seeds it, starts gunicorn on 127.0.0.1 with two sync workers and
drives it from this process with a small threaded HTTP client (keep-alive connections, a
bounded number of requests, a time cap). Two scenarios run alternately in the same server,
two rounds each:

- form: GET the form once per client (session cookie + CSRF token), then POST complete
  complaints (multipart, as a browser sends them) and check each answer shows the codes;
- bare: POST to a bare Flask endpoint of the same app that does one INSERT and commits.

It prints requests/s, p50 and p99 latency of each and the form/bare throughput ratio
(target >= 0.5). REDIS_URL, when set, is used as in production (jobs go to RQ queues, which
are emptied afterwards); without it jobs run in-process. Only 127.0.0.1 is ever contacted.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = "postgresql://postgres@127.0.0.1/samleng_dev_tests"
CATEGORIES = ["registration", "contributions", "maternity", "healthcare_quality", "pension"]
PROVINCES = ["KH-12", "KH-17", "KH-2", "KH-3", "KH-8"]
NARRATIVE = (
    "រោងចក្រកាត់ប្រាក់ ប.ស.ស ពីប្រាក់ខែរបស់ខ្ញុំរៀងរាល់ខែ ប៉ុន្តែ ប.ស.ស ថាមិនទាន់បានបង់។ "
    "The factory deducts NSSF contributions from our pay every month but the NSSF office "
    "says nothing has been paid since March. About forty of us on line 7 have the same problem."
)
TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


# --- the app gunicorn serves ---------------------------------------------------------


def bench_app() -> Any:
    """The real app plus one bare endpoint doing a single INSERT, for comparison."""
    from flask import request
    from sqlalchemy import text

    from grievance import create_app
    from grievance.extensions import csrf, db

    app = create_app()

    def bare_insert() -> str:
        db.session.execute(
            text("INSERT INTO bench_pings (note, created_at) VALUES (:note, now())"),
            {"note": request.form.get("note", "")},
        )
        db.session.commit()
        return "ok"

    app.add_url_rule("/bench/insert", "bench_insert", bare_insert, methods=["POST"])
    csrf.exempt(bare_insert)
    return app


# --- database and server ---------------------------------------------------------------


def _admin(url: str) -> str:
    from sqlalchemy.engine import make_url

    return (
        make_url(url)
        .set(drivername="postgresql", database="postgres")
        .render_as_string(hide_password=False)
    )


def create_database(server_url: str) -> str:
    import psycopg
    from sqlalchemy.engine import make_url

    name = f"samleng_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(_admin(server_url), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


def drop_database(url: str) -> None:
    import psycopg
    from sqlalchemy.engine import make_url

    with psycopg.connect(_admin(url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')


def prepare(env: dict[str, str]) -> None:
    """Migrate and seed in a child process, so this one never holds app state."""
    code = (
        "from flask_migrate import upgrade\n"
        "from sqlalchemy import text\n"
        "from grievance import create_app\n"
        "from grievance.config import Config\n"
        "from grievance.extensions import db\n"
        "from grievance.jobs import commit\n"
        "from grievance.seed.reference import seed_reference\n"
        "app = create_app(Config.from_env())\n"
        "with app.app_context():\n"
        "    upgrade(revision='heads')\n"
        "    seed_reference()\n"
        "    db.session.execute(text('CREATE TABLE bench_pings (id serial PRIMARY KEY, "
        "note text, created_at timestamptz)'))\n"
        "    commit()\n"
    )
    subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_gunicorn(env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "-w",
        "2",
        "-b",
        f"127.0.0.1:{port}",
        "--error-logfile",
        str(log),
        "--log-level",
        "warning",
        "bench.intake_form:bench_app()",
    ]
    server = subprocess.Popen(command, env=env, cwd=ROOT, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.3)
    stop(server)
    raise RuntimeError(f"gunicorn did not start; see {log}")


def stop(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)  # our own session: gunicorn and its workers
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)


# --- load ------------------------------------------------------------------------------


@dataclass
class Result:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    elapsed: float = 0.0

    def add(self, other: Result) -> None:
        self.latencies += other.latencies
        self.errors += other.errors
        self.elapsed += other.elapsed

    def summary(self) -> dict[str, float]:
        ordered = sorted(self.latencies)
        n = len(ordered)

        def pct(p: float) -> float:
            return ordered[min(n - 1, int(p * n))] * 1000 if n else 0.0

        return {
            "requests": n,
            "errors": self.errors,
            "rps": round(n / self.elapsed, 1) if self.elapsed else 0.0,
            "p50_ms": round(pct(0.50), 1),
            "p99_ms": round(pct(0.99), 1),
        }


def multipart(fields: dict[str, str]) -> tuple[bytes, str]:
    boundary = "----samleng" + secrets.token_hex(8)
    parts = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        )
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="evidence"; filename=""\r\n'
        "Content-Type: application/octet-stream\r\n\r\n\r\n"
    )
    parts.append(f"--{boundary}--\r\n")
    return "".join(parts).encode(), f"multipart/form-data; boundary={boundary}"


class Client:
    """One keep-alive connection with its own cookie, like one phone."""

    def __init__(self, port: int) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookie = ""
        self.token = ""

    def request(
        self, method: str, path: str, body: bytes = b"", ctype: str = ""
    ) -> tuple[int, str]:
        headers = {"Cookie": self.cookie} if self.cookie else {}
        if ctype:
            headers["Content-Type"] = ctype
        self.conn.request(method, path, body=body or None, headers=headers)
        response = self.conn.getresponse()
        text = response.read().decode("utf-8", "replace")
        for header, value in response.getheaders():
            if header.lower() == "set-cookie" and value.startswith("session="):
                self.cookie = value.split(";", 1)[0]
        return response.status, text

    def open_form(self) -> None:
        status, page = self.request("GET", "/file?lang=en")
        match = TOKEN.search(page)
        if status != 200 or not match:
            raise RuntimeError(f"form page answered {status}")
        self.token = match.group(1)

    def post_form(self, rng: random.Random) -> bool:
        body, ctype = multipart(
            {
                "csrf_token": self.token,
                "nonce": secrets.token_urlsafe(16),
                "description": NARRATIVE,
                "category": rng.choice(CATEGORIES),
                "province": rng.choice(PROVINCES),
                "phone": "012 345 678",
                "sex": "female",
                "language": "km",
                "consent_to_contact": "y",
            }
        )
        status, page = self.request("POST", "/file", body, ctype)
        return status == 200 and "secret-value" in page

    def post_bare(self, rng: random.Random) -> bool:
        body = f"note={rng.randrange(10**9)}".encode()
        status, _page = self.request(
            "POST", "/bench/insert", body, "application/x-www-form-urlencoded"
        )
        return status == 200


def run(port: int, scenario: str, total: int, concurrency: int, cap: float) -> Result:
    clients = [Client(port) for _ in range(concurrency)]
    if scenario == "form":
        for c in clients:
            c.open_form()
    counter = iter(range(total))
    lock = threading.Lock()
    results = [Result() for _ in clients]
    deadline = time.monotonic() + cap

    def worker(i: int) -> None:
        rng = random.Random(i)
        client, result = clients[i], results[i]
        send = client.post_form if scenario == "form" else client.post_bare
        while time.monotonic() < deadline:
            with lock:
                if next(counter, None) is None:
                    return
            started = time.perf_counter()
            try:
                ok = send(rng)
            except (OSError, http.client.HTTPException):
                ok = False
                client.conn.close()
            result.latencies.append(time.perf_counter() - started)
            result.errors += 0 if ok else 1

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(concurrency)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    overall = Result(elapsed=time.perf_counter() - began)
    for r in results:
        overall.latencies += r.latencies
        overall.errors += r.errors
    return overall


def empty_queues(redis_url: str) -> None:
    if not redis_url:
        return
    from redis import Redis
    from rq import Queue

    from grievance.jobs import QUEUES

    connection = Redis.from_url(redis_url)
    for name in QUEUES:
        Queue(name, connection=connection).empty()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=1500, help="per scenario and round")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--cap", type=float, default=120.0, help="seconds per run, at most")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", DEFAULT_DB))
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL", ""))
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    if not args.database_url.startswith("postgres"):
        parser.error("the benchmark runs on PostgreSQL: set DATABASE_URL or --database-url")

    url = create_database(args.database_url)
    instance = tempfile.mkdtemp(prefix="samleng-bench-")
    env = {
        **os.environ,
        "ENV": "development",
        "DATABASE_URL": url,
        "REDIS_URL": args.redis_url,
        "INSTANCE_PATH": instance,
        "SECRET_KEY": secrets.token_urlsafe(32),
        "RATELIMIT_ENABLED": "0",
        "PYTHONPATH": str(ROOT),
    }
    server = None
    try:
        prepare(env)
        port = free_port()
        server = start_gunicorn(env, port, Path(instance) / "gunicorn.log")
        for scenario in ("bare", "form"):  # warm both workers' pools and caches
            run(port, scenario, 60, args.concurrency, 30)
        totals = {"bare": Result(), "form": Result()}
        for _round in range(args.rounds):
            for scenario in ("bare", "form"):
                totals[scenario].add(run(port, scenario, args.requests, args.concurrency, args.cap))
        figures: dict[str, Any] = {k: v.summary() for k, v in totals.items()}
        bare_rps = figures["bare"]["rps"]
        figures["ratio"] = round(figures["form"]["rps"] / bare_rps, 2) if bare_rps else 0.0
        figures["setup"] = {
            "workers": 2,
            "concurrency": args.concurrency,
            "rounds": args.rounds,
            "redis": bool(args.redis_url),
        }
        for name in ("form", "bare"):
            f = figures[name]
            print(
                f"{name:5} {f['requests']:6} req  {f['rps']:8.1f} req/s  "
                f"p50 {f['p50_ms']:7.1f} ms  p99 {f['p99_ms']:7.1f} ms  errors {f['errors']}"
            )
        print(f"ratio form/bare: {figures['ratio']} (target >= 0.5)")
        print(json.dumps(figures))
        if args.json:
            Path(args.json).write_text(json.dumps(figures, indent=2) + "\n")
    finally:
        if server is not None:
            stop(server)
        empty_queues(args.redis_url)
        drop_database(url)


if __name__ == "__main__":
    main()
