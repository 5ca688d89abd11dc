"""Shared fixtures: one migrated database per run, a transaction per test, login helpers."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyotp
import pytest
from flask import Flask
from flask.globals import _cv_app
from flask.testing import FlaskClient
from flask_migrate import upgrade
from flask_sqlalchemy.session import _app_ctx_id
from hypothesis import settings
from sqlalchemy import create_engine, event, update
from sqlalchemy.orm import scoped_session, sessionmaker

from grievance.app import create_app
from grievance.auth import totp
from grievance.auth.models import User
from grievance.config import Config
from grievance.crypto import seal
from grievance.extensions import db
from grievance.jobs import runtime
from grievance.jobs.registry import QUEUES
from grievance.ratelimit import limiter
from tests import backends as backends_mod
from tests.factories import make_user

settings.register_profile("samleng", deadline=None, max_examples=60)
settings.load_profile("samleng")

BACKENDS = backends_mod.detect()


def pytest_report_header() -> str:
    return BACKENDS.describe()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    terminalreporter.write_line(BACKENDS.describe())


def mark_folder(items: list[pytest.Item], conftest: str, *marks: pytest.MarkDecorator) -> None:
    """Give every test under the folder of `conftest` (a conftest.py's __file__) these marks."""
    folder = Path(conftest).parent
    for item in items:
        if item.path.is_relative_to(folder):
            for mark in marks:
                item.add_marker(mark)


@pytest.fixture(scope="session")
def backends() -> backends_mod.Backends:
    return BACKENDS


def make_config(database_url: str, instance: str, **overrides: object) -> Config:
    config = Config(
        ENV="testing",
        SECRET_KEY="test-secret-key",
        DATABASE_URL=database_url,
        REDIS_URL=BACKENDS.redis_url,
        INSTANCE_PATH=instance,
    )
    for key, value in overrides.items():
        setattr(config, key, value)
    return config


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if BACKENDS.postgres:
        url = backends_mod.create_pg_database(BACKENDS.database_url)
        yield url
        backends_mod.drop_pg_database(url)
    else:
        yield "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.sqlite3")


@pytest.fixture(scope="session")
def app(database_url: str) -> Iterator[Flask]:
    instance = tempfile.mkdtemp(prefix="samleng-instance-")
    application = create_app(make_config(database_url, instance))
    with application.app_context():
        upgrade(revision="heads")
        from grievance.seed.reference import seed_reference
        from grievance.uow import checkpoint as commit

        seed_reference()
        commit()
    yield application
    with application.app_context():
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _transaction(request: pytest.FixtureRequest) -> Iterator[None]:
    """Each test runs inside a transaction that is rolled back; app commits become savepoints."""
    app: Flask = request.getfixturevalue("app")
    with app.app_context():
        connection = db.engine.connect()
        outer = connection.begin()
        # A plain Session: Flask-SQLAlchemy's own would pick the engine, not this connection.
        factory = sessionmaker(bind=connection, join_transaction_mode="create_savepoint")
        session = scoped_session(factory, scopefunc=_app_ctx_id)
        original = db.session
        db.session = session
        try:
            yield
        finally:
            session.remove()
            db.session = original
            outer.rollback()
            connection.close()


class IsolatedClient(FlaskClient):
    """Each request gets its own app context, as in production, even while a test holds one
    (otherwise `g`, the cached locale and the logged-in user leak between requests)."""

    def open(self, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        token = _cv_app.set(None)  # type: ignore[arg-type]
        try:
            return super().open(*args, **kwargs)
        finally:
            _cv_app.reset(token)


@pytest.fixture
def committed_sessions(tmp_path: Path) -> Iterator[Any]:
    """Sessions that really commit, one per thread, on a fresh migrated PostgreSQL database
    of the test's own (so committed rows never leak into other tests' counts)."""
    url = backends_mod.create_pg_database(BACKENDS.database_url)
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    sessions = scoped_session(sessionmaker(bind=engine))
    original, db.session = db.session, sessions
    own = create_app(make_config(url, str(tmp_path)))
    try:
        with own.app_context():
            upgrade(revision="heads")
            from grievance.seed.reference import seed_reference

            seed_reference()
            sessions.commit()
            sessions.remove()
            db.engine.dispose()
        yield sessions
    finally:
        db.session = original
        sessions.remove()
        engine.dispose()
        backends_mod.drop_pg_database(url)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    app.test_client_class = IsolatedClient
    limiter.reset()  # rate-limit counters outlive the session-wide app: start each test afresh
    return app.test_client()


CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_from(html: str) -> str:
    match = CSRF.search(html)
    assert match, "page has no CSRF token"
    return match.group(1)


class Auth:
    """Signs users in through the real forms, including the one-time code step."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def login(self, *roles: str, province: str | None = None, username: str | None = None) -> Any:
        user = make_user(*roles, province=province, username=username)
        seed = None
        if totp.required(user):
            seed = totp.new_seed()
            user.totp_secret = seal(seed, totp.PURPOSE)
            SEEDS[user.username] = seed
        db.session.flush()
        self.as_user(user.username, seed=seed)
        return user

    def as_user(
        self, username: str, password: str = "correct horse battery", seed: str | None = None
    ) -> None:
        page = self.client.get("/login").get_data(as_text=True)
        response = self.client.post(
            "/login",
            data={"username": username, "password": password, "csrf_token": csrf_from(page)},
        )
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        seed = seed or SEEDS.get(username)
        if response.headers["Location"].startswith("/login/enrol"):
            self.enrol(username)
        elif seed is not None:
            # A code is good once: forget the last one, so a test may sign the same person
            # in twice within one 30-second step.
            db.session.execute(
                update(User).where(User.username == username).values(totp_last_step=None)
            )
            db.session.flush()
            page = self.client.get("/login/code").get_data(as_text=True)
            response = self.client.post(
                "/login/code",
                data={"code": pyotp.TOTP(seed).now(), "csrf_token": csrf_from(page)},
            )
            assert response.status_code == 302, response.get_data(as_text=True)[:500]

    def enrol(self, username: str) -> str:
        """Set up the second step as a person does: read the key off the page, type a code
        the app makes from it."""
        page = self.client.get("/login/enrol").get_data(as_text=True)
        match = SEED.search(page)
        assert match, "the enrolment page shows no key"
        response = self.client.post(
            "/login/enrol",
            data={"code": pyotp.TOTP(match.group(1)).now(), "csrf_token": csrf_from(page)},
        )
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        SEEDS[username] = match.group(1)
        return match.group(1)


SEED = re.compile(r"<code>([A-Z2-7]{16,})</code>")
SEEDS: dict[str, str] = {}  # username -> the seed of its authenticator app, as enrolled


@pytest.fixture
def auth(client: FlaskClient) -> Auth:
    return Auth(client)


Released = list[tuple[str, tuple[object, ...]]]


@contextmanager
def job_runner(app: Flask, runner: Any) -> Iterator[Any]:
    """Released jobs go to `runner` (a callable `(name, ids)`) while the block runs."""
    previous = app.extensions[runtime.EXTENSION]
    app.extensions[runtime.EXTENSION] = runner
    try:
        yield runner
    finally:
        app.extensions[runtime.EXTENSION] = previous


@pytest.fixture
def recorded_jobs(app: Flask) -> Iterator[Released]:
    """Jobs released by commits are recorded (name, ids), not run or sent to Redis."""
    seen: Released = []
    with job_runner(app, lambda name, ids: seen.append((name, ids))):
        yield seen


@pytest.fixture
def jobs_in_process(app: Flask) -> Iterator[runtime.InProcessRunner]:
    """Jobs run in this process right after the commit that released them."""
    with job_runner(app, runtime.InProcessRunner()) as runner:
        yield runner


@pytest.fixture
def rq_jobs(app: Flask) -> Iterator[runtime.RQRunner]:
    """Jobs go to the RQ queues of the tests' Redis after the commit that released them
    (skipped without Redis); every queue is emptied before and after. `work_off` runs them."""
    if not BACKENDS.redis_url:
        pytest.skip("Redis not available (optional locally; CI requires it)")
    runner = runtime.RQRunner(BACKENDS.redis_url)
    empty_rq_queues(runner)
    try:
        with job_runner(app, runner):
            yield runner
    finally:
        empty_rq_queues(runner)


def empty_rq_queues(runner: runtime.RQRunner) -> None:
    for name in QUEUES:
        runner.queue(name).empty()


def work_off(runner: runtime.RQRunner, *queues: str) -> None:
    """A worker in burst mode, in this process: runs what waits in `queues`, then stops."""
    from rq import SimpleWorker

    SimpleWorker([runner.queue(q) for q in queues], connection=runner.connection).work(burst=True)


@dataclass
class Statements:
    """The SQL statements run while counting (the test transaction's savepoints left out)."""

    sql: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.sql)

    def listing(self) -> str:
        return "\n".join(f"{i}. {' '.join(s.split())[:160]}" for i, s in enumerate(self.sql, 1))


@pytest.fixture
def count_queries(app: Flask) -> Any:
    """`with count_queries() as seen:` records every SQL statement the app runs in the block."""

    @contextmanager
    def counting() -> Iterator[Statements]:
        seen = Statements()

        def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
            if not statement.lstrip().upper().startswith(_SAVEPOINTS):
                seen.sql.append(statement)

        with app.app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute", record)
        try:
            yield seen
        finally:
            event.remove(engine, "before_cursor_execute", record)

    return counting


_SAVEPOINTS = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")


@pytest.fixture
def instance_dir(app: Flask) -> Path:
    return Path(app.instance_path)
