"""The servers the HTTP scenarios measure: the app and the bare floor app, both under the
same gunicorn configuration (2 sync workers on 127.0.0.1, access log off).

- `app()`: the real app (`create_app()` from the environment `server_env` builds, rate
  limits off with RATELIMIT_ENABLED=0 so the load is not refused).
- `bare_app()`: Flask + Flask-SQLAlchemy + psycopg with nothing on top: `POST /pk` does
  one primary-key SELECT on `cases`, `POST /insert` one INSERT (and commit) into
  `bench_pings`. The floor of /track and of the public form. `POST /replay` sends the
  statements one filing sends, after parsing the filing's body: the form's ceiling.
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench import ROOT

WORKERS = 2
# Fixed, so that case secrets hashed while preparing a reused database still match.
BENCH_KEY = "samleng-bench-key-only-for-scratch-databases-0123456789"
REPLAY_FILE = "replay.sql"  # in the instance folder: the filing's statements for POST /replay
PINGS_SQL = (
    "CREATE TABLE IF NOT EXISTS bench_pings (id serial PRIMARY KEY, note text, "
    "created_at timestamptz)"
)


def server_env(url: str, instance: str, redis_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "ENV": "development",
        "DATABASE_URL": url,
        "REDIS_URL": redis_url,
        "INSTANCE_PATH": instance,
        "SECRET_KEY": BENCH_KEY,
        "SERVER_KEY": BENCH_KEY,
        "RATELIMIT_ENABLED": "0",
        "SLA_TIMER": "0",
        # Staff sign in with the password alone: the second step is not what is measured.
        "SECOND_STEP_RELAXED": "1",
    }


def app() -> Any:
    from grievance.app import create_app

    return create_app()


def bare_app() -> Any:
    """The same stack with nothing on top: one primary-key SELECT or one INSERT."""
    from flask import Flask, request
    from flask_sqlalchemy import SQLAlchemy
    from sqlalchemy import Column, Integer, MetaData, String, Table, select, text

    from grievance.config import Config

    config = Config.from_env()
    flask_app = Flask("bare")
    flask_app.config["SQLALCHEMY_DATABASE_URI"] = config.database_uri
    flask_app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"pool_pre_ping": True}
    db = SQLAlchemy()
    db.init_app(flask_app)
    cases = Table(
        "cases", MetaData(), Column("id", Integer, primary_key=True), Column("reference", String)
    )

    @flask_app.post("/pk")
    def pk() -> tuple[str, int]:
        wanted = int(request.form.get("id", "0"))
        found = db.session.execute(select(cases.c.reference).where(cases.c.id == wanted)).scalar()
        return (str(found), 200) if found else ("", 404)

    @flask_app.post("/insert")
    def insert() -> str:
        db.session.execute(
            text("INSERT INTO bench_pings (note, created_at) VALUES (:note, now())"),
            {"note": request.form.get("note", "")},
        )
        db.session.commit()
        return "ok"

    replayed: list[str] = []

    @flask_app.post("/replay")
    def replay() -> str:
        """The statements one filing sends (`REPLAY_FILE`, written by the form scenario),
        sent through this bare stack after parsing the filing's own multipart body: what
        the filing would cost with no code of the app's at all (see `floors.replayable_writes`)."""
        if not replayed:
            path = Path(os.environ["INSTANCE_PATH"]) / REPLAY_FILE
            replayed.extend(line for line in path.read_text().splitlines() if line)
        if not request.form.get("description"):
            return "no filing in the body"
        conn = db.session.connection().execution_options(no_parameters=True)
        for statement in replayed:  # BEGIN ... ROLLBACK, then the committed ping
            if statement not in ("BEGIN;", "ROLLBACK;"):
                conn.exec_driver_sql(statement)
            elif statement == "ROLLBACK;":
                db.session.rollback()
                conn = db.session.connection().execution_options(no_parameters=True)
        db.session.commit()
        return "ok"

    @flask_app.get("/healthz")
    def healthz() -> str:
        return "ok"

    return flask_app


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """One gunicorn (its own process group) serving `target` until stopped."""

    def __init__(self, env: dict[str, str], target: str, log: Path, root: Path = ROOT) -> None:
        self.port = free_port()
        command = [
            sys.executable, "-m", "gunicorn", "-w", str(WORKERS), "-k", "sync",
            "-b", f"127.0.0.1:{self.port}", "--error-logfile", str(log),
            "--log-level", "warning", target,
        ]  # fmt: skip
        env = {**env, "PYTHONPATH": str(root)}  # the checkout served (--app-root)
        self.process = subprocess.Popen(command, env=env, cwd=root, start_new_session=True)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    return
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"gunicorn ({target}) did not start; see {log}")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)  # the master and its workers
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
