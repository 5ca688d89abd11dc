"""The benchmark suite kept honest (PostgreSQL only, as the suite is): the data bench/datagen.py
writes in SQL must verify with `flask audit verify` (its hash chain re-implements
grievance.cases.events in SQL: a drift fails here), and a tiny run of `python -m bench`
(two scenarios against real gunicorns) must finish without a failed scenario."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from bench.datagen import prepare_database
from grievance.app import create_app
from grievance.cases.models import Case, CaseEvent
from grievance.extensions import db
from tests import backends as backends_mod
from tests.conftest import BACKENDS, make_config

ROOT = Path(__file__).resolve().parent.parent
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not BACKENDS.postgres, reason="the benchmark needs PostgreSQL"),
]


@pytest.fixture(autouse=True)
def _transaction() -> Iterator[None]:
    """These tests work on databases of their own, with real commits."""
    original = db.session
    db.session = db._make_scoped_session({})
    try:
        yield
    finally:
        db.session = original


@pytest.fixture
def scratch_url() -> Iterator[str]:
    url = backends_mod.create_pg_database(BACKENDS.database_url)
    try:
        yield url
    finally:
        backends_mod.drop_pg_database(url)


def test_generated_timelines_verify(scratch_url: str, tmp_path: Path) -> None:
    name = make_url(scratch_url).database
    assert name is not None
    prepare_database(scratch_url, name, 200)
    app = create_app(make_config(scratch_url, str(tmp_path)))
    with app.app_context():
        upgrade(revision="heads")  # nothing to do: the generator migrated it
        assert db.session.scalar(select(func.count()).select_from(Case)) == 200
        longest = db.session.scalar(select(func.max(CaseEvent.seq)))
        assert longest == 3  # filed, acknowledged, and a later step: all three statements ran
        db.session.remove()
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "all case timelines verify" in result.output
    with app.app_context():
        db.engine.dispose()


def test_a_tiny_benchmark_run_finishes(scratch_url: str, tmp_path: Path) -> None:
    name = make_url(scratch_url).database
    assert name is not None
    env = {**os.environ, "DATABASE_URL": BACKENDS.database_url}  # the server to use
    command = [
        sys.executable, "-m", "bench", "--scale", "tiny", "--db", name,
        "--only", "track,crowd,workspace,form", "--rounds", "1", "--duration", "0.5",
        "--redis-url", "", "--load", "python", "--out", str(tmp_path),
    ]  # fmt: skip
    done = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    report = next(tmp_path.glob("*-tiny-track-crowd-workspace-form.md")).read_text()
    assert "/track lookup" in report and "FAILED" not in report
    # a different complainant's session on every request, each answered with her page
    assert "status pages of a crowd" in report
    # the filing's two ceilings: its statements by pgbench, and sent through the bare stack
    assert "by pgbench with" in report
    assert "ceiling through the stack" in report and "(0 bad answers)" in report


def test_a_tiny_burst_serves_every_arrival_and_sends_every_sms(
    scratch_url: str, tmp_path: Path
) -> None:
    """`python -m bench.burst` against real gunicorn, RQ workers and the stand-in gateway:
    every arrival filed, one SMS each written and accepted by the gateway, backlog drained."""
    from tests.live import needs_redis

    needs_redis()
    name = make_url(scratch_url).database
    assert name is not None
    env = {**os.environ, "DATABASE_URL": BACKENDS.database_url}
    command = [
        sys.executable, "-m", "bench.burst", "--scale", "tiny", "--db", name,
        "--rate", "4", "--duration", "3", "--workers", "1", "--gateway-latency", "0.01",
        "--sample", "1", "--drain-limit", "120", "--redis-url", BACKENDS.redis_url,
        "--out", str(tmp_path),
    ]  # fmt: skip
    done = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=400, check=False
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    report = next(tmp_path.glob("*-burst-tiny.md")).read_text()
    assert "| 12 of 12 (100.0%; answered at all: 12) | 100 % | yes |" in report, report
    assert "| SMS notices written / sent by the gateway | 12 / 12 |" in report, report
