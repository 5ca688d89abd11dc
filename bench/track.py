"""Benchmark: `/track` lookups under gunicorn against a bare Flask endpoint, on PostgreSQL.

    python -m bench.track [--requests 600] [--concurrency 8] [--rounds 6] [--cases 200]

Creates a scratch PostgreSQL database beside DATABASE_URL (default: the local development
server), migrates it, seeds the reference data and N cases whose secrets it keeps, then
starts two gunicorn servers on 127.0.0.1, two sync workers each:

- the real app (wsgi-style factory `bench.track:track_app()`, rate limits switched off
  with RATELIMIT_ENABLED=0 so the load is not refused);
- a bare app (`bench.track:bare_app()`): Flask + Flask-SQLAlchemy + psycopg, one POST
  endpoint doing a single primary-key SELECT on `cases`, nothing else.

A bounded threaded load generator in this process (http.client, one keep-alive connection
and cookie jar per thread, like one phone each) drives them alternately:

- track: each client GETs /track once to get its session cookie and CSRF token, then POSTs
  lookups (CSRF check, reference normalisation, one SELECT, HMAC compare, session write,
  303) cycling through the seeded cases; a request counts as good only if it is a 303 to
  the case page. The token is fetched once per client, not per request: a browser also
  reuses the token of the page it has open.
- bare: POST /pk with a case id; good if 200.
- page (for information, not part of the target): GET /track/case with the session a
  lookup opened (the full status page: timeline, actions, dates).

It prints requests/s, p50 and p99 latency for each and the track/bare throughput ratio
(target >= 0.7), then drops the database. Only 127.0.0.1 is ever contacted. The scenarios
alternate in short rounds so that load from other processes on the machine falls on both
alike; on a shared machine, compare ratios, not absolute figures.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
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
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = "postgresql://postgres@127.0.0.1/samleng_dev_tests"
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
FORM = "application/x-www-form-urlencoded"


# --- the apps gunicorn serves ----------------------------------------------------------


def track_app() -> Any:
    from grievance import create_app

    return create_app()


def bare_app() -> Any:
    """The same stack with nothing on top: one primary-key SELECT per request."""
    from flask import Flask, request
    from flask_sqlalchemy import SQLAlchemy
    from sqlalchemy import Column, Integer, MetaData, String, Table, select

    from grievance.config import Config

    config = Config.from_env()
    app = Flask("bare")
    app.config["SQLALCHEMY_DATABASE_URI"] = config.database_uri
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"pool_pre_ping": True}
    db = SQLAlchemy()
    db.init_app(app)
    cases = Table(
        "cases", MetaData(), Column("id", Integer, primary_key=True), Column("reference", String)
    )

    @app.post("/pk")
    def pk() -> tuple[str, int]:
        wanted = int(request.form.get("id", "0"))
        found = db.session.execute(select(cases.c.reference).where(cases.c.id == wanted)).scalar()
        return (str(found), 200) if found else ("", 404)

    @app.get("/healthz")
    def healthz() -> str:
        return "ok"

    return app


def seed(count: int, out: str) -> None:
    """Migrate, seed reference data and `count` cases; write [id, reference, secret] rows."""
    from flask_migrate import upgrade

    from grievance import create_app
    from grievance.cases.services import NewCase, PersonData, file_case
    from grievance.config import Config
    from grievance.jobs import commit
    from grievance.security import new_secret
    from grievance.seed.reference import seed_reference

    app = create_app(Config.from_env())
    rows = []
    with app.app_context():
        upgrade(revision="heads")
        seed_reference()
        commit()
        for i in range(count):
            data = NewCase(
                category_code=("contributions", "maternity", "registration")[i % 3],
                province_code=("KH-12", "KH-17", "KH-3")[i % 3],
                description="Bench case: the employer deducts NSSF money but never pays it.",
                channel="web",
                complainant=PersonData(sex="female"),
                secret=new_secret(),
            )
            filed = file_case(data)
            rows.append([filed.case.id, filed.case.reference, filed.secret])
        commit()
    Path(out).write_text(json.dumps(rows))


# --- database and servers --------------------------------------------------------------


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

    name = f"samleng_bench_track_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(_admin(server_url), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


def drop_database(url: str) -> None:
    import psycopg
    from sqlalchemy.engine import make_url

    with psycopg.connect(_admin(url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_gunicorn(env: dict[str, str], app: str, log: Path) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
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
        app,
    ]
    server = subprocess.Popen(command, env=env, cwd=ROOT, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return server, port
        except OSError:
            time.sleep(0.3)
    stop(server)
    raise RuntimeError(f"gunicorn ({app}) did not start; see {log}")


def stop(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)  # its own session: the master and its workers
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


class Client:
    """One keep-alive connection with its own cookie, like one phone."""

    def __init__(self, port: int) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookie = ""
        self.token = ""

    def request(
        self, method: str, path: str, fields: dict[str, str] | None = None
    ) -> tuple[int, str, str]:
        headers = {"Cookie": self.cookie} if self.cookie else {}
        body = None
        if fields is not None:
            body = urlencode(fields).encode()
            headers["Content-Type"] = FORM
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        text = response.read().decode("utf-8", "replace")
        for header, value in response.getheaders():
            if header.lower() == "set-cookie" and value.startswith("session="):
                self.cookie = value.split(";", 1)[0]
        return response.status, text, response.getheader("Location") or ""

    def open_form(self) -> None:
        status, page, _ = self.request("GET", "/track?lang=en")
        match = TOKEN.search(page)
        if status != 200 or not match:
            raise RuntimeError(f"/track answered {status}")
        self.token = match.group(1)

    def lookup(self, case: list[Any]) -> bool:
        fields = {"csrf_token": self.token, "reference": case[1], "secret": case[2]}
        status, _, location = self.request("POST", "/track", fields)
        return status == 303 and location.endswith("/track/case")

    def page(self, case: list[Any]) -> bool:
        status, text, _ = self.request("GET", "/track/case?lang=en")
        return status == 200 and case[1] in text

    def bare(self, case: list[Any]) -> bool:
        status, text, _ = self.request("POST", "/pk", {"id": str(case[0])})
        return status == 200 and text == case[1]


def run(
    port: int, scenario: str, cases: list[list[Any]], total: int, concurrency: int, cap: float
) -> Result:
    clients = [Client(port) for _ in range(concurrency)]
    owned: list[list[Any]] = [cases[i % len(cases)] for i in range(concurrency)]
    if scenario in ("track", "page"):
        for client, case in zip(clients, owned, strict=True):
            client.open_form()
            if scenario == "page" and not client.lookup(case):
                raise RuntimeError("lookup failed while preparing the page scenario")
    counter = iter(range(total))
    lock = threading.Lock()
    results = [Result() for _ in clients]
    deadline = time.monotonic() + cap

    def worker(i: int) -> None:
        client, result = clients[i], results[i]
        send: Callable[[list[Any]], bool] = getattr(
            client, scenario if scenario != "track" else "lookup"
        )
        while time.monotonic() < deadline:
            with lock:
                n = next(counter, None)
            if n is None:
                return
            case = owned[i] if scenario == "page" else cases[n % len(cases)]
            started = time.perf_counter()
            try:
                ok = send(case)
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


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=600, help="per scenario and round")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--cases", type=int, default=200)
    parser.add_argument("--cap", type=float, default=120.0, help="seconds per run, at most")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", DEFAULT_DB))
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    if not args.database_url.startswith("postgres"):
        parser.error("the benchmark runs on PostgreSQL: set DATABASE_URL or --database-url")

    url = create_database(args.database_url)
    instance = tempfile.mkdtemp(prefix="samleng-bench-track-")
    env = {
        **os.environ,
        "ENV": "development",
        "DATABASE_URL": url,
        "REDIS_URL": "",
        "INSTANCE_PATH": instance,
        "SECRET_KEY": secrets.token_urlsafe(32),
        "RATELIMIT_ENABLED": "0",
        "SLA_TIMER": "0",
        "PYTHONPATH": str(ROOT),
    }
    servers: list[subprocess.Popen[bytes]] = []
    try:
        seeded = Path(instance) / "cases.json"
        code = f"from bench.track import seed; seed({args.cases}, {str(seeded)!r})"
        subprocess.run(
            [sys.executable, "-c", code], env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL
        )
        cases = json.loads(seeded.read_text())
        track, track_port = start_gunicorn(env, "bench.track:track_app()", Path(instance) / "t.log")
        servers.append(track)
        bare, bare_port = start_gunicorn(env, "bench.track:bare_app()", Path(instance) / "b.log")
        servers.append(bare)
        ports = {"bare": bare_port, "track": track_port, "page": track_port}
        for scenario, port in ports.items():  # warm both servers' pools and caches
            run(port, scenario, cases, 100, args.concurrency, 30)
        totals = {name: Result() for name in ports}
        for _round in range(args.rounds):
            for scenario, port in ports.items():
                totals[scenario].add(
                    run(port, scenario, cases, args.requests, args.concurrency, args.cap)
                )
        figures: dict[str, Any] = {k: v.summary() for k, v in totals.items()}
        bare_rps = figures["bare"]["rps"]
        figures["ratio"] = round(figures["track"]["rps"] / bare_rps, 2) if bare_rps else 0.0
        figures["page_ratio"] = round(figures["page"]["rps"] / bare_rps, 2) if bare_rps else 0.0
        figures["setup"] = {
            "workers": 2,
            "concurrency": args.concurrency,
            "rounds": args.rounds,
            "cases": args.cases,
        }
        for name in ("track", "bare", "page"):
            f = figures[name]
            print(
                f"{name:5} {f['requests']:6} req  {f['rps']:8.1f} req/s  "
                f"p50 {f['p50_ms']:7.1f} ms  p99 {f['p99_ms']:7.1f} ms  errors {f['errors']}"
            )
        print(f"ratio track/bare: {figures['ratio']} (target >= 0.7)")
        print(f"ratio page/bare:  {figures['page_ratio']} (information only)")
        print(json.dumps(figures))
        if args.json:
            Path(args.json).write_text(json.dumps(figures, indent=2) + "\n")
    finally:
        for server in servers:
            stop(server)
        drop_database(url)


if __name__ == "__main__":
    main()
