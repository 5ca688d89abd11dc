"""The scenarios of the suite, each measured next to its floor in the same run.

HTTP scenarios alternate app and floor in short rounds (`Context.rounds` x
`Context.duration` seconds each) so that load from other processes falls on both alike;
the load comes from a separate process (bench.load). Each scenario returns a `Row`.
"""

from __future__ import annotations

import http.client
import re
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import psycopg

from bench import floors
from bench.load import USER_AGENT, Spec, Tally, drive
from bench.serve import REPLAY_FILE, ROOT, Server

TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
FORM = "application/x-www-form-urlencoded"
PASSWORD = "bench password only"
OFFICER = "bench-office-kh-12-0"
CLAIMERS = [f"bench-office-kh-12-{i}" for i in range(8)]
NARRATIVE = (
    "រោងចក្រកាត់ប្រាក់ ប.ស.ស ពីប្រាក់ខែរបស់ខ្ញុំរៀងរាល់ខែ ប៉ុន្តែ ប.ស.ស ថាមិនទាន់បានបង់។ "
    "The factory deducts NSSF contributions from our pay every month but the NSSF office "
    "says nothing has been paid since March. About forty of us on line 7 have the same problem."
)


@dataclass
class Row:
    scenario: str
    p50_ms: float | None
    p99_ms: float | None
    throughput: str
    floor: str
    ratio: float | None
    target: str
    met: bool | None
    notes: list[str] = field(default_factory=list)


@dataclass
class Context:
    url: str  # the scale database
    server_url: str  # any database on the same server (for scratch databases)
    scale: int
    rounds: int
    duration: float
    concurrency: int
    app: Server
    bare: Server
    local_app: Any  # an in-process app on the same database, for captures and set-up
    redis_url: str = ""  # RQ for jobs ('' : in-process)
    app_root: Path = ROOT  # the checkout the app (and the SLA scenario's worker) runs
    sla_open: int = 0  # SLA catch-up: open cases (0: a tenth of the scale)
    sla_breached: int = 0  # ... of which newly past their deadline (0: scale / 200)
    sla_time_box: float = 0.0  # stop the SLA worker after this many seconds (0: never)


# --- a minimal browser, to open sessions before handing them to the load generator -----


class Browser:
    def __init__(self, port: int) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookie = ""

    def send(self, method: str, path: str, fields: dict[str, str] | None = None) -> tuple[int, str]:
        headers = {"User-Agent": USER_AGENT}
        if self.cookie:
            headers["Cookie"] = self.cookie
        body = None
        if fields is not None:
            body = urlencode(fields).encode()
            headers["Content-Type"] = FORM
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        page = response.read().decode("utf-8", "replace")
        for header, value in response.getheaders():
            if header.lower() == "set-cookie" and value.startswith("session="):
                self.cookie = value.split(";", 1)[0]
        return response.status, page

    @property
    def identity(self) -> dict[str, str]:
        return {"Cookie": self.cookie}

    def token(self, path: str) -> str:
        status, page = self.send("GET", path)
        match = TOKEN.search(page)
        if status != 200 or not match:
            raise RuntimeError(f"GET {path} answered {status} without a CSRF token")
        return match.group(1)

    def sign_in(self, username: str) -> None:
        token = self.token("/login?lang=en")
        fields = {"csrf_token": token, "username": username, "password": PASSWORD}
        status, _page = self.send("POST", "/login?lang=en", fields)
        if status != 302:
            raise RuntimeError(f"sign-in of {username} answered {status}")


# --- running app and floor alternately --------------------------------------------------


def alternate(
    ctx: Context, app: Callable[[float], Tally], floor: Callable[[float], Tally],
    between: Callable[[], None] | None = None,
) -> tuple[Tally, Tally]:  # fmt: skip
    """Warm both up, then `rounds` rounds of app then floor; the tallies of the rounds."""
    app(1.0)
    floor(1.0)
    if between:
        between()
    totals = Tally(), Tally()
    for _round in range(ctx.rounds):
        totals[0].add(app(ctx.duration))
        totals[1].add(floor(ctx.duration))
        if between:
            between()
    return totals


def http_runner(spec: Spec) -> Callable[[float], Tally]:
    def run(seconds: float) -> Tally:
        spec.duration = seconds
        return drive(spec)

    return run


def pgbench_runner(url: str, sql: str, clients: int) -> Callable[[float], Tally]:
    return lambda seconds: floors.pgbench(url, sql, clients=clients, seconds=seconds)


def rate_row(
    name: str, app: Tally, floor: Tally, floor_name: str, target: str,
    met: Callable[[float, float], bool] | None,
) -> Row:  # fmt: skip
    ratio = app.rate / floor.rate if floor.rate else 0.0
    p50 = app.percentile_ms(50)
    return Row(
        scenario=name,
        p50_ms=p50,
        p99_ms=app.percentile_ms(99),
        throughput=f"{app.rate:.1f} req/s",
        floor=f"{floor_name}: {floor.rate:.1f}/s, p50 {floor.percentile_ms(50):.1f} ms",
        ratio=ratio,
        target=target,
        met=met(ratio, p50) if met else None,
        notes=[f"{name}: {app.good} good and {app.bad} bad answers; floor {floor.good} done"],
    )


def once_row(
    name: str, seconds: float, throughput: str, floor: str, floor_s: float, target: str,
    met: bool, note: str,
) -> Row:  # fmt: skip
    """A scenario timed once (no latency distribution): its time stands in the p50 column;
    the ratio is floor time / app time."""
    return Row(name, seconds * 1000, None, throughput, floor,
               floor_s / seconds if seconds else None, target, met, [note])  # fmt: skip


# --- 1. /track lookup --------------------------------------------------------------------


def track(ctx: Context) -> Row:
    with psycopg.connect(ctx.url) as conn:
        sample = conn.execute(
            "SELECT id, reference, secret FROM bench_track ORDER BY id"
        ).fetchall()
    if not sample:
        raise RuntimeError("bench_track is empty: no case whose secret the scenario knows")
    browser = Browser(ctx.app.port)
    token = browser.token("/track?lang=en")
    app = Spec(
        port=ctx.app.port, method="POST", path="/track", expect_status=303,
        expect_location="/track/case", headers={"Content-Type": FORM},
        identities=[browser.identity], connections=ctx.concurrency,
        bodies=[urlencode({"csrf_token": token, "reference": r, "secret": s})
                for _i, r, s in sample],
    )  # fmt: skip
    floor = Spec(
        port=ctx.bare.port, method="POST", path="/pk", expect_status=200,
        headers={"Content-Type": FORM}, connections=ctx.concurrency,
        bodies=[f"id={i}" for i, _r, _s in sample],
    )  # fmt: skip
    a, f = alternate(ctx, http_runner(app), http_runner(floor))
    return rate_row("1. /track lookup (POST, 303)", a, f, "bare PK SELECT", ">= 0.7 of floor",
                    lambda ratio, _p50: ratio >= 0.7)  # fmt: skip


# --- 1b. the status page after a lookup ----------------------------------------------------

STATUS_CASES_SQL = """
SELECT DISTINCT ON (c.state = 'closed') t.id, t.reference, t.secret
FROM bench_track t JOIN cases c ON c.id = t.id
ORDER BY c.state = 'closed', c.resolution_proposed_at IS NULL, t.id
"""


def _opened(ctx: Context, cases: list[tuple[int, str, str]]) -> list[dict[str, str]]:
    """A browser session for each case, opened by a real lookup: its identity headers."""
    identities = []
    for _id, reference, secret in cases:
        browser = Browser(ctx.app.port)
        token = browser.token("/track?lang=en")
        fields = {"csrf_token": token, "reference": reference, "secret": secret}
        if browser.send("POST", "/track", fields)[0] != 303:
            raise RuntimeError(f"the lookup of {reference} failed")
        identities.append(browser.identity)
    return identities


def _status_row(ctx: Context, name: str, cases: list[Any], rotate: bool) -> Row:
    if not cases:
        raise RuntimeError("bench_track is empty: no case whose secret the scenario knows")
    app = Spec(
        port=ctx.app.port, method="GET", path="/track/case", expect_status=200,
        expect_body="timeline-h", identities=_opened(ctx, cases), rotate=rotate,
        connections=ctx.concurrency,
    )  # fmt: skip
    floor = Spec(
        port=ctx.bare.port, method="POST", path="/pk", expect_status=200,
        headers={"Content-Type": FORM}, connections=ctx.concurrency,
        bodies=[f"id={i}" for i, _r, _s in cases],
    )  # fmt: skip
    a, f = alternate(ctx, http_runner(app), http_runner(floor))
    return rate_row(name, a, f, "bare PK SELECT", ">= 0.5 of floor",
                    lambda ratio, _p50: ratio >= 0.5)  # fmt: skip


def status(ctx: Context) -> Row:
    """`GET /track/case` of two tracked cases (one closed, one not; answered ones first),
    one per connection, each session opened by a real lookup."""
    with psycopg.connect(ctx.url) as conn:
        sample = conn.execute(STATUS_CASES_SQL).fetchall()
    cases = [sample[i % len(sample)] for i in range(ctx.concurrency)] if sample else []
    return _status_row(ctx, "1b. status page (GET /track/case)", cases, rotate=False)


CROWD = 60  # complainants whose pages the crowd scenario reads in turn


def status_crowd(ctx: Context) -> Row:
    """`GET /track/case` of CROWD tracked cases in every state, one after another on the
    same connections (after a forum, many complainants each look once): nothing one page
    works out serves the next, as it does when the same two cases are reloaded."""
    with psycopg.connect(ctx.url) as conn:
        cases = conn.execute(
            "SELECT id, reference, secret FROM bench_track ORDER BY id LIMIT %s", (CROWD,)
        ).fetchall()
    return _status_row(ctx, "1c. status pages of a crowd (GET /track/case)", cases, True)


# --- 2. public form POST ----------------------------------------------------------------


def multipart(fields: dict[str, str]) -> tuple[str, str]:
    boundary = "----samlengbench7f3a"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        for name, value in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="evidence"; filename=""\r\n'
        "Content-Type: application/octet-stream\r\n\r\n\r\n"
    )
    parts.append(f"--{boundary}--\r\n")
    return "".join(parts), f"multipart/form-data; boundary={boundary}"


def form_fields(
    token: str, category: str = "contributions", province: str = "KH-12"
) -> dict[str, str]:
    """A complaint as a complainant's phone sends it: with a phone number and consent, so
    that filing also writes the SMS notice and queues its job."""
    return {
        "csrf_token": token, "nonce": "{nonce}", "description": NARRATIVE,
        "category": category, "province": province, "phone": "012 345 678",
        "sex": "female", "language": "km", "consent_to_contact": "y",
    }  # fmt: skip


def form_sender(client: Any) -> Callable[[int], Any]:
    """Files complaint number i through an in-process test client (for captures and
    profiles); raises unless the answer sends the complainant to her codes."""
    token = TOKEN.search(client.get("/file?lang=en").get_data(as_text=True))
    if token is None:
        raise RuntimeError("GET /file showed no CSRF token")
    fields = form_fields(token.group(1))

    def send(i: int) -> Any:
        data = {**fields, "nonce": f"bench{i:010d}"}
        response = client.post("/file?lang=en", data=data, content_type="multipart/form-data")
        if response.status_code != 303 or "/file/done" not in response.location:
            raise RuntimeError(f"POST /file answered {response.status_code}")
        return response

    return send


def form(ctx: Context) -> Row:
    browser = Browser(ctx.app.port)
    token = browser.token("/file?lang=en")
    bodies, ctype = [], ""
    for category, province in (("contributions", "KH-12"), ("maternity", "KH-17"),
                               ("registration", "KH-3"), ("pension", "KH-8")):  # fmt: skip
        body, ctype = multipart(form_fields(token, category, province))
        bodies.append(body)
    app = Spec(
        port=ctx.app.port, method="POST", path="/file?lang=en", expect_status=303,
        expect_location="/file/done", headers={"Content-Type": ctype},
        identities=[browser.identity], connections=ctx.concurrency, bodies=bodies,
    )  # fmt: skip
    floor = Spec(
        port=ctx.bare.port, method="POST", path="/insert", expect_status=200,
        headers={"Content-Type": FORM}, connections=ctx.concurrency, bodies=["note={nonce}"],
    )  # fmt: skip
    # The ceilings, between the rounds: the rows one filing writes, by pgbench alone, and
    # through the bare stack after parsing the same body (POST /replay, the same SQL).
    send = form_sender(ctx.local_app.test_client())
    sql = floors.replayable_writes(ctx.local_app, lambda: send(0))
    (Path(ctx.local_app.instance_path) / REPLAY_FILE).write_text(sql)
    replay = replace(app, port=ctx.bare.port, path="/replay", expect_status=200,
                     expect_location="", expect_body="ok", identities=[])  # fmt: skip
    ceiling, stack = Tally(), Tally()

    def between() -> None:
        ceiling.add(floors.pgbench(ctx.url, sql, clients=ctx.concurrency, seconds=ctx.duration))
        stack.add(http_runner(replay)(ctx.duration))

    a, f = alternate(ctx, http_runner(app), http_runner(floor), between=between)
    row = rate_row("2. public form POST (/file, 303)", a, f, "bare INSERT", ">= 0.35 of floor",
                   lambda ratio, _p50: ratio >= 0.35)  # fmt: skip
    statements = sql.count(";\n") - 3  # BEGIN, ROLLBACK and the committed ping
    row.notes.append(
        f"2. ceiling: the {statements} statements one filing sends, replayed by pgbench with "
        f"{ctx.concurrency} clients between the rounds (rolled back, then one committed "
        f"row for the flush to disk): {ceiling.rate:.1f}/s, p50 "
        f"{ceiling.percentile_ms(50):.1f} ms, {ceiling.rate / f.rate:.2f} of the bare INSERT: "
        "what writing these rows costs with no code at all"
    )
    row.notes.append(
        f"2. ceiling through the stack: the same statements sent by the bare Flask app "
        f"(gunicorn, SQLAlchemy, psycopg) after parsing the same multipart body, between the "
        f"rounds: {stack.rate:.1f}/s, p50 {stack.percentile_ms(50):.1f} ms, "
        f"{stack.rate / f.rate:.2f} of the bare INSERT ({stack.bad} bad answers): the most "
        "any filing written on this stack could do, with no form, checks, hashing, job or "
        "session"
    )
    return row


# --- 3. the officer's "my cases" page ------------------------------------------------------


def signed_in_client(ctx: Context, username: str) -> Any:
    client = ctx.local_app.test_client()
    client.environ_base["HTTP_USER_AGENT"] = USER_AGENT
    token = TOKEN.search(client.get("/login?lang=en").get_data(as_text=True))
    assert token, "no CSRF token on /login"
    fields = {"csrf_token": token.group(1), "username": username, "password": PASSWORD}
    response = client.post("/login?lang=en", data=fields)
    assert response.status_code == 302, response.status_code
    return client


def captured_page(ctx: Context, client: Any, path: str) -> str:
    def call() -> None:
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)

    call()  # warm: first-request work is not the page's
    return floors.capture(ctx.local_app, call)


def my_cases(ctx: Context) -> Row:
    browser = Browser(ctx.app.port)
    browser.sign_in(OFFICER)
    path = "/workspace/?lang=en"
    sql = captured_page(ctx, signed_in_client(ctx, OFFICER), path)
    app = Spec(
        port=ctx.app.port, method="GET", path=path, expect_status=200,
        identities=[browser.identity], connections=ctx.concurrency,
    )  # fmt: skip
    a, f = alternate(ctx, http_runner(app), pgbench_runner(ctx.url, sql, ctx.concurrency))
    row = rate_row("3. officer \"my cases\" (GET /workspace/)", a, f,
                   f"its {sql.count(';')} SELECTs in pgbench", "p50 < 50 ms (at 1M)",
                   lambda _ratio, p50: p50 < 50)  # fmt: skip
    return row


# --- 4. claim-next with 8 concurrent clients ------------------------------------------------

SNAPSHOT_SQL = """
DROP TABLE IF EXISTS bench_claimable;
CREATE TABLE bench_claimable AS
SELECT c.id, c.state, c.event_count, c.version, c.updated_at, now() AS taken_at
FROM cases c JOIN queues q ON q.id = c.queue_id
WHERE q.code = 'office-kh-12' AND c.assignee_id IS NULL AND c.state = 'acknowledged';
"""
RESTORE_SQL = [
    # The timeline is append-only (a trigger); the bench takes its own lines back out.
    "SET session_replication_role = replica",
    "DELETE FROM case_events e USING bench_claimable s "
    "WHERE e.case_id = s.id AND e.seq > s.event_count",
    "DELETE FROM notifications n USING bench_claimable s "
    "WHERE n.case_id = s.id AND n.created_at >= s.taken_at",
    "UPDATE cases c SET state = s.state, assignee_id = NULL, event_count = s.event_count, "
    "version = s.version, updated_at = s.updated_at FROM bench_claimable s "
    "WHERE c.id = s.id AND (c.assignee_id IS NOT NULL OR c.event_count <> s.event_count)",
]


def restore_claims(url: str) -> None:
    """Put every case claimed since the snapshot back in the queue, unclaimed."""
    with psycopg.connect(url) as conn:
        for statement in RESTORE_SQL:
            conn.execute(statement)


def claim_floor_sql(ctx: Context) -> str:
    """One claim in SQL: pick the most urgent claimable case (the app's own query,
    SKIP LOCKED), assign it and append its timeline line, in one transaction."""
    from sqlalchemy import select
    from sqlalchemy.dialects import postgresql

    from grievance.auth.models import User
    from grievance.cases.models import Case
    from grievance.extensions import db
    from grievance.queues.assignment import waiting_for
    from grievance.queues.models import Queue

    with ctx.local_app.app_context():
        officer = db.session.scalar(select(User).where(User.username == CLAIMERS[0]))
        queue = db.session.scalar(select(Queue.id).where(Queue.code == "office-kh-12"))
        assert officer is not None and queue is not None, "staff not laid out"
        query = waiting_for(officer, [queue]).limit(1).with_for_update(skip_locked=True, of=Case)
        pick = str(query.compile(dialect=postgresql.dialect(),
                                 compile_kwargs={"literal_binds": True}))  # fmt: skip
        officer_id = officer.id
        db.session.remove()
    return f"""BEGIN;
WITH picked AS ({pick}),
moved AS (UPDATE cases SET assignee_id = {officer_id}, state = 'assigned',
  event_count = cases.event_count + 1, version = cases.version + 1, updated_at = now()
  FROM picked WHERE cases.id = picked.id RETURNING cases.id, cases.event_count)
INSERT INTO case_events (case_id, seq, kind, actor_id, actor_role, from_state, to_state,
  public, data, created_at, prev_hash, hash)
SELECT id, event_count, 'transition', {officer_id}, 'officer', 'acknowledged', 'assigned',
  true, '{{}}', now(), 'floor', 'floor' FROM moved;
COMMIT;
""".replace("\n", " ").replace("; ", ";\n")


def claim(ctx: Context) -> Row:
    from grievance.queues.models import Queue

    with psycopg.connect(ctx.url) as conn:
        conn.execute(SNAPSHOT_SQL)
        waiting = conn.execute("SELECT count(*) FROM bench_claimable").fetchone()
    with ctx.local_app.app_context():
        from grievance.extensions import db

        queue_id = db.session.scalar(db.select(Queue.id).where(Queue.code == "office-kh-12"))
        db.session.remove()
    identities = []
    for username in CLAIMERS:
        browser = Browser(ctx.app.port)
        browser.sign_in(username)
        token = browser.token("/workspace/queues/office-kh-12?lang=en")
        identities.append({**browser.identity, "X-CSRFToken": token})
    # One connection per officer: each carries its own session cookie and CSRF header.
    app = Spec(
        port=ctx.app.port, method="POST", path="/workspace/claim", expect_status=302,
        expect_location="/cases/", headers={"Content-Type": FORM},
        identities=identities,
        bodies=[f"queue={queue_id}"], connections=len(CLAIMERS),
    )  # fmt: skip
    sql = claim_floor_sql(ctx)
    # SQL claims run at hundreds a second: a timed run would empty the queue and then time
    # nothing. A fixed count instead (half the waiting cases), put back after each round.
    per_client = max(1, int(waiting[0] if waiting else 0) // (2 * len(CLAIMERS)))

    def floor(_seconds: float) -> Tally:
        return floors.pgbench(ctx.url, sql, clients=len(CLAIMERS), transactions=per_client)

    def between() -> None:
        restore_claims(ctx.url)

    try:
        a, f = alternate(ctx, http_runner(app), floor, between=between)
    finally:
        restore_claims(ctx.url)
    row = rate_row("4. claim-next, 8 concurrent officers", a, f,
                   "claim in SQL (SKIP LOCKED + UPDATE + event), pgbench -c 8", "(measured)",
                   None)  # fmt: skip
    row.throughput = f"{a.rate:.1f} claims/s"
    row.notes.append(f"claim-next: {waiting[0] if waiting else 0} cases waiting in the Phnom "
                     "Penh queue; claimed cases are put back after every round")  # fmt: skip
    return row


# --- 5. SLA catch-up ----------------------------------------------------------------------

CATCH_UP_TARGET = (23_000, 60.0)  # due cases, seconds: escalated, recorded and notified


def sla(ctx: Context) -> Row:
    """A backlog of due cases worked off end to end by one worker: the sweep's claim, the
    handling (transitions, events, queue moves, outbox rows) and the e-mails sent through
    the file backend; next to the floor of its claim SQL alone in pgbench."""
    from sqlalchemy.dialects import postgresql
    from sqlalchemy.engine import make_url

    from bench import sla_sweep

    open_ = ctx.sla_open or max(1000, ctx.scale // 10)
    breached = ctx.sla_breached or max(50, ctx.scale // 200)
    total = max(ctx.scale, open_)
    name = f"{make_url(ctx.url).database}_sla"
    admin, url = sla_sweep._urls(ctx.server_url, name)
    sla_sweep._recreate(admin, name)
    try:
        app = sla_sweep._app(url)
        ids = sla_sweep._prepare(app)
        sla_sweep._generate(url, ids, total, open_, breached)
        statements = []
        now = datetime.now(UTC)
        with app.app_context():
            from grievance.sla.sweep import claim_statement

            for clock in ("acknowledge", "resolve"):
                for kind in ("at_risk", "breach"):
                    compiled = claim_statement(clock, kind, now).compile(
                        dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}
                    )
                    statements.append(" ".join(str(compiled).split()) + ";")
            app.extensions["sqlalchemy"].engines[None].dispose()
        sql = "BEGIN;\n" + "\n".join(statements) + "\nROLLBACK;\n"
        floor = floors.pgbench(url, sql, clients=1, transactions=3)
    finally:
        sla_sweep._drop(admin, name)
    figures = sla_sweep.catch_up(
        ctx.server_url, total, open_, breached, redis_url=ctx.redis_url,
        app_root=ctx.app_root, time_box=ctx.sla_time_box, db_name=name,
    )  # fmt: skip
    seconds, done = figures["seconds"], figures["done"]
    rate = sla_sweep.catch_up_rate(figures)
    floor_s = floor.percentile_ms(50) / 1000
    due, limit = CATCH_UP_TARGET
    finished = figures["finished"] and done["breach marks waiting"] == 0
    finished = finished and done["e-mails waiting"] == 0
    sound = done["breaches recorded twice"] == 0 and figures["broken_chains"] == 0
    note = (
        f"SLA catch-up: {total:,} cases, {open_:,} open, {breached:,} newly past their "
        f"resolve deadline (a scratch database generated by bench/sla_sweep.py); "
        f"{figures['runner']} running {figures['app_root']}; "
        + ("finished" if finished else f"stopped after {seconds:.0f} s (time box)")
        + ": "
        + ", ".join(f"{k} {v:,}" for k, v in done.items())
        + f", timelines not verifying {figures['broken_chains']:,}; worker CPU "
        + f"{figures['worker_cpu_s']:.1f} s"
    )
    return once_row(
        "5. SLA catch-up (escalated, recorded, notified)", seconds,
        f"{rate:,.1f} escalations/s; {done['e-mails sent']:,} e-mails",
        f"its claim SQL in pgbench (rolled back): {floor_s * 1000:.0f} ms", floor_s,
        f"{due:,} in < {limit:.0f} s, one worker", finished and sound and rate >= due / limit,
        note,
    )  # fmt: skip


# --- 6. public dashboard -----------------------------------------------------------------


def dashboard(ctx: Context) -> Row:
    path = "/accountability?lang=en"
    sql = captured_page(ctx, ctx.local_app.test_client(), path)
    app = Spec(port=ctx.app.port, method="GET", path=path, expect_status=200,
               connections=ctx.concurrency)  # fmt: skip
    a, f = alternate(ctx, http_runner(app), pgbench_runner(ctx.url, sql, ctx.concurrency))
    return rate_row("6. public dashboard (GET /accountability)", a, f,
                    f"its {sql.count(';')} SELECTs in pgbench", "p50 < 300 ms (at 1M)",
                    lambda _ratio, p50: p50 < 300)  # fmt: skip


# --- 7. CSV export of everything -----------------------------------------------------------


def export(ctx: Context) -> Row:
    from bench.export import copy_floor

    out = Path(tempfile.mkdtemp(prefix="samleng-bench-export-")) / "cases.csv"
    try:
        done = subprocess.run(
            [sys.executable, "-m", "bench.export", "--child", ctx.url, str(out)],
            check=True, capture_output=True, text=True, cwd=ROOT,
        )  # fmt: skip
        found = dict(re.findall(r"child (export time|VmHWM): ([\d.]+)", done.stdout))
        seconds, peak = float(found["export time"]), float(found["VmHWM"])
        with out.open(encoding="utf-8") as f:
            rows = sum(1 for _ in f) - 1
        size = out.stat().st_size
    finally:
        out.unlink(missing_ok=True)
    floor_s, floor_size = copy_floor(ctx.url)
    note = (
        f"export: {rows:,} rows, {size / 1e6:.1f} MB of CSV (COPY: {floor_size / 1e6:.1f} "
        "MB); time is the app's streaming export alone, app start excluded"
    )
    return once_row(
        "7. CSV export of every case", seconds,
        f"{rows / seconds:,.0f} rows/s; peak RSS {peak:.0f} MB",
        f"COPY (same SELECT) TO STDOUT: {floor_s:.2f} s", floor_s, "peak RSS < 200 MB",
        peak < 200, note,
    )  # fmt: skip


# --- 8. the partner API's list (bench/partner_list.py) ---------------------------------------


def partner(ctx: Context) -> Row:
    from bench.partner_list import scenario

    return scenario(ctx)


SCENARIOS: dict[str, Callable[[Context], Row]] = {
    "track": track,
    "status": status,
    "crowd": status_crowd,
    "form": form,
    "workspace": my_cases,
    "claim": claim,
    "sla": sla,
    "dashboard": dashboard,
    "export": export,
    "partner": partner,
}
