"""The production topology, for real: the Procfile's processes (2 gunicorn web servers with
2 workers each, 2 RQ workers, the scheduler) on a fresh PostgreSQL database and Redis.
Concurrent clients file 500 complaints (300 through the public form, 200 through the
partner API, plus replays of API requests) and officers acknowledge 200 of them through
the case page (plus racing double clicks). After the queues drain, every case, timeline
event and notification exists exactly once, every SMS was delivered exactly once, and the
audit hash chains verify."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from redis import Redis
from sqlalchemy import func, select

from grievance.cases.models import Case, CaseEvent
from grievance.intake.partners import create_partner
from grievance.jobs import QUEUES
from grievance.uow import checkpoint as commit
from notifications.channels.files import _UNSAFE
from notifications.models import Notification
from tests.conftest import BACKENDS
from tests.factories import PASSWORD, make_user
from tests.live import descendants, live_app_on, needs_redis

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(os.sys.executable).parent
FORM_INTAKES, API_INTAKES, ACKNOWLEDGED, OFFICERS = 300, 200, 200, 4
REPLAYS, RACES = 20, 20
REFERENCE = re.compile(r"\b[0-9A-Z]{4}-[0-9A-Z]{4}\b")
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
NONCE = re.compile(r'name="nonce"[^>]*value="([^"]+)"')


def procfile() -> dict[str, str]:
    lines = (ROOT / "Procfile").read_text(encoding="utf-8").splitlines()
    entries = [line.split(":", 1) for line in lines if line and not line.startswith("#")]
    return {name.strip(): command.strip() for name, command in entries}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Topology:
    env: dict[str, str]
    logs: Path
    ports: list[int] = field(default_factory=list)
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def start(self, name: str, kind: str, **extra: str) -> None:
        log = (self.logs / f"{name}.log").open("wb")
        self.processes[name] = subprocess.Popen(
            ["/bin/sh", "-c", "exec " + procfile()[kind]],
            cwd=ROOT,
            env={**self.env, **extra},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: killed with its children
        )

    def stop(self) -> None:
        # RQ's work horses run in sessions of their own: found first, killed last.
        horses = [c for p in self.processes.values() for c in descendants(p.pid)]
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        for process in self.processes.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        for pid in horses:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)

    def tail(self) -> str:
        out = []
        for path in sorted(self.logs.glob("*.log")):
            out.append(f"--- {path.name}\n" + path.read_text(errors="replace")[-1500:])
        return "\n".join(out)

    def flask(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(VENV_BIN / "flask"), "--app", "wsgi:app", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )


@pytest.fixture
def topology(fresh_database: str, tmp_path: Path) -> Iterator[tuple[Topology, str, list[str]]]:
    needs_redis()
    redis = Redis.from_url(BACKENDS.redis_url)
    redis.flushdb()
    instance = tmp_path / "instance"
    # Migrated and seeded, with a partner and officers, before any process starts.
    with live_app_on(fresh_database, instance, BACKENDS.redis_url) as app, app.app_context():
        _partner, token = create_partner("topology")
        officers = [make_user("officer", province="KH-12").username for _ in range(OFFICERS)]
        commit()
    env = {
        **os.environ,
        "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "PYTHONPATH": str(ROOT),
        "ENV": "development",
        "SECRET_KEY": "topology-test-secret-key-long-enough-0123456789",
        # The officers here sign in with the password alone: this is about the topology,
        # the second step has its own tests (tests/test_sign_in.py).
        "SECOND_STEP_RELAXED": "1",
        "DATABASE_URL": fresh_database,
        "REDIS_URL": BACKENDS.redis_url,
        "INSTANCE_PATH": str(instance),
        "SLA_SWEEP_SECONDS": "2",
        "BIND_HOST": "127.0.0.1",
        "WEB_CONCURRENCY": "2",
        "FILE_LIMIT_PER_CLIENT": "100000/hour",  # every client here shares one address
        "API_LIMIT_PER_PARTNER": "100000/minute",
        "LOGIN_LIMIT_PER_CLIENT": "1000/minute",
    }
    logs = tmp_path / "logs"
    logs.mkdir()
    top = Topology(env, logs)
    try:
        for n in (1, 2):
            port = free_port()
            top.ports.append(port)
            top.start(f"web{n}", "web", PORT=str(port))
            top.start(f"worker{n}", "worker")
        top.start("scheduler", "scheduler")
        for port in top.ports:
            wait_ready(top, port)
        yield top, token, officers
    finally:
        top.stop()
        redis.flushdb()


def wait_ready(top: Topology, port: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        for name, process in top.processes.items():
            assert process.poll() is None, f"{name} exited\n{top.tail()}"
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"web on {port} never became ready\n{top.tail()}")


class Clients:
    """One httpx client (cookie jar) per thread and server: a browser per worker."""

    def __init__(self, ports: list[int]) -> None:
        self.ports = ports
        self.local = threading.local()

    def get(self, n: int) -> httpx.Client:
        port = self.ports[n % len(self.ports)]
        clients = self.local.__dict__.setdefault("clients", {})
        if port not in clients:
            clients[port] = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60)
        return clients[port]


def file_by_form(clients: Clients, n: int) -> str:
    client = clients.get(n)
    page = client.get("/file?lang=en").text
    data = {
        "csrf_token": CSRF.search(page).group(1),  # type: ignore[union-attr]
        "nonce": NONCE.search(page).group(1),  # type: ignore[union-attr]
        "description": f"Form complaint {n}: my employer has not paid NSSF contributions.",
        "category": "contributions",
        "province": "KH-12",
        "sex": "female",
        "language": "km",
        "phone": f"+8551{n % 7 + 2}{300000 + n:06d}",
        "consent_to_contact": "y",
    }
    response = client.post("/file", data=data, follow_redirects=True)  # to the codes page
    assert response.status_code == 200, response.text[:500]
    found = REFERENCE.findall(response.text)
    assert found, response.text[:500]
    return found[0]


def file_by_api(clients: Clients, token: str, n: int) -> tuple[str, str]:
    body = {
        "description": f"API complaint {n}: contributions unpaid for three months.",
        "category": "contributions",
        "province": "KH-12",
        "external_id": f"ext-{n}",
        "complainant": {"phone": f"+8551{n % 7 + 2}{700000 + n:06d}", "consent_to_contact": True},
    }
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": f"topology-{n}"}
    response = clients.get(n).post("/api/v1/cases", json=body, headers=headers)
    assert response.status_code == 201, response.text[:500]
    return f"topology-{n}", response.json()["reference"]


class Officer:
    def __init__(self, username: str, port: int) -> None:
        self.client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60)
        page = self.client.get("/login").text
        response = self.client.post(
            "/login",
            data={
                "username": username,
                "password": PASSWORD,
                "csrf_token": CSRF.search(page).group(1),
            },  # type: ignore[union-attr]
        )
        assert response.status_code == 302, response.text[:500]
        self.lock = threading.Lock()  # one browser tab at a time

    def acknowledge(self, reference: str) -> int:
        with self.lock:
            page = self.client.get(f"/cases/{reference}")
            assert page.status_code == 200, page.text[:500]
            form = re.search(r'action="[^"]*/act/acknowledge"(.*?)</form>', page.text, re.S)
            if form is None:
                return 409  # already acknowledged by someone else: no button
            fields = dict(
                re.findall(r'name="(csrf_token|version|seen)"[^>]*value="([^"]*)"', form.group(1))
            )
            response = self.client.post(f"/cases/{reference}/act/acknowledge", data=fields)
            return response.status_code


def wait_drained(top: Topology, app_url: str) -> None:
    """Until no queue holds a job and no outbox row waits to be sent."""
    from sqlalchemy import create_engine

    engine = create_engine(app_url.replace("postgresql://", "postgresql+psycopg://"))
    redis = Redis.from_url(BACKENDS.redis_url)
    waiting = (
        select(func.count())
        .select_from(Notification)
        .where(Notification.status.in_(("queued", "pending")))
    )
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline:
            queued = sum(redis.llen(f"rq:queue:{name}") for name in QUEUES)
            with engine.connect() as conn:
                rows = conn.execute(waiting).scalar_one()
            if queued == 0 and rows == 0:
                return
            time.sleep(0.5)
        raise AssertionError(f"not drained: {queued} jobs, {rows} rows\n{top.tail()}")
    finally:
        engine.dispose()


def test_production_topology_loses_and_duplicates_nothing(
    topology: tuple[Topology, str, list[str]], fresh_database: str, tmp_path: Path
) -> None:
    top, token, usernames = topology
    clients = Clients(top.ports)
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=8) as pool:
        api = list(pool.map(lambda n: file_by_api(clients, token, n), range(API_INTAKES)))
        # Replays of API requests (a partner retrying after a timeout): the same case back.
        replayed = list(pool.map(lambda n: file_by_api(clients, token, n), range(REPLAYS)))
        assert replayed == api[:REPLAYS]
        # The public form, while officers acknowledge the API's cases on both servers.
        officers = [Officer(u, top.ports[i % 2]) for i, u in enumerate(usernames)]
        api_refs = [ref for _key, ref in api]
        forms = pool.map(lambda n: file_by_form(clients, n), range(FORM_INTAKES))
        acks = list(
            pool.map(lambda i: officers[i % OFFICERS].acknowledge(api_refs[i]), range(ACKNOWLEDGED))
        )
        form_refs = list(forms)
        # Double clicks on two servers at once: exactly one acknowledgement each.
        races = list(
            pool.map(
                lambda i: officers[i % OFFICERS].acknowledge(form_refs[i // 2]), range(2 * RACES)
            )
        )
    assert acks == [302] * ACKNOWLEDGED
    race_outcome = Counter(races)
    assert race_outcome[302] == RACES and set(race_outcome) <= {302, 409}, race_outcome
    wait_drained(top, fresh_database)
    elapsed = time.monotonic() - started

    from sqlalchemy import create_engine

    engine = create_engine(fresh_database.replace("postgresql://", "postgresql+psycopg://"))
    try:
        with engine.connect() as conn:
            references = list(conn.execute(select(Case.reference)).scalars())
            events = conn.execute(
                select(Case.reference, CaseEvent.kind, CaseEvent.to_state, func.count())
                .join(Case, Case.id == CaseEvent.case_id)
                .group_by(Case.reference, CaseEvent.kind, CaseEvent.to_state)
            ).all()
            timelines = conn.execute(
                select(Case.reference, Case.event_count, CaseEvent.seq, CaseEvent.kind)
                .join(Case, Case.id == CaseEvent.case_id)
                .order_by(Case.reference, CaseEvent.seq)
            ).all()
            notes = conn.execute(
                select(
                    Case.reference,
                    Notification.template,
                    Notification.channel,
                    Notification.status,
                    Notification.idempotency_key,
                ).join(Case, Case.id == Notification.case_id)
            ).all()
    finally:
        engine.dispose()

    # Cases: every one filed exists once, nothing else.
    all_refs = set(api_refs) | set(form_refs)
    assert len(all_refs) == FORM_INTAKES + API_INTAKES
    assert Counter(references) == Counter({ref: 1 for ref in all_refs})
    # Timeline: one filing per case; one acknowledgement per acknowledged case.
    acknowledged = set(api_refs[:ACKNOWLEDGED]) | set(form_refs[:RACES])
    filed = Counter(
        ref for ref, kind, to_state, n in events if to_state == "submitted" for _ in range(n)
    )
    acked = Counter(
        ref for ref, kind, to_state, n in events if to_state == "acknowledged" for _ in range(n)
    )
    assert filed == Counter({ref: 1 for ref in all_refs})
    # Each timeline is gapless (seq 1..n, n = the case's event count) and the same for every
    # case with the same history: no event doubled or lost anywhere.
    shapes: dict[str, list[tuple[int, int, str]]] = {}
    for ref, count, seq, kind in timelines:
        shapes.setdefault(ref, []).append((count, seq, kind))
    assert set(shapes) == all_refs
    for ref, rows in shapes.items():
        assert [seq for _c, seq, _k in rows] == list(range(1, rows[0][0] + 1)), ref
    by_history: dict[tuple[bool, bool], set[tuple[str, ...]]] = {}
    for ref, rows in shapes.items():
        history = (ref in acknowledged, ref in set(api_refs))  # what happened, and how filed
        by_history.setdefault(history, set()).add(tuple(k for _c, _s, k in rows))
    assert all(len(v) == 1 for v in by_history.values()), by_history
    assert acked == Counter({ref: 1 for ref in acknowledged})
    # Notifications: one "filed" SMS per case, one "acknowledged" SMS per acknowledgement,
    # all sent, and each delivered exactly once (one file per message in the outbox).
    kinds = Counter((ref, template) for ref, template, channel, status, key in notes)
    expected = {(ref, "filed"): 1 for ref in all_refs} | {
        (ref, "acknowledged"): 1 for ref in acknowledged
    }
    assert kinds == Counter(expected)
    assert {status for *_rest, status, _key in notes} == {"sent"}
    outbox = Path(top.env["INSTANCE_PATH"]) / "outbox"
    files = Counter(p.name.rsplit("-", 1)[0] for p in outbox.glob("*.txt"))
    assert files == Counter({_UNSAFE.sub("_", key): 1 for *_rest, key in notes})
    # The audit hash chains verify (the operator's command).
    verified = top.flask("audit", "verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    for name, process in top.processes.items():
        assert process.poll() is None, f"{name} died\n{top.tail()}"
    print(f"topology: {len(all_refs)} cases, {len(notes)} notifications in {elapsed:.1f}s")
