"""Raw-SQL floors: the SQL a page runs, captured once and replayed with pgbench.

`capture(app, call)` records the statements the app sends while `call()` runs (with their
parameters inlined by psycopg, as psql would receive them). `replayable_writes(app, call)`
records a transaction that inserts rows, in a form that can run again and again (see
there). `pgbench(url, sql, ...)` runs a script file (`pgbench -n -f`) for a number of
seconds or transactions with per-transaction logging, and returns a `Tally` (latency
histogram, transactions, seconds) like the HTTP load.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url

from bench.load import Tally


def capture(app: Any, call: Callable[[], None], selects_only: bool = True) -> str:
    """The statements the app runs during `call()`, one per line, parameters inlined."""
    import psycopg

    from grievance.extensions import db

    seen: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        sql = psycopg.ClientCursor(cursor.connection).mogrify(statement, parameters)
        if not selects_only or sql.lstrip().upper().startswith(("SELECT", "WITH")):
            seen.append(sql.strip().rstrip(";") + ";")

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        call()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    if not seen:
        raise RuntimeError("captured no SQL")
    return "\n".join(seen) + "\n"


# In a replayed transaction: the ids of the rows it has just inserted, and fresh values
# for the columns that must be unique. Keyed by SQLAlchemy's parameter names.
FRESH = {
    "complainant_id": "currval('persons_id_seq')",
    "person_id": "currval('persons_id_seq')",
    "case_id": "currval('cases_id_seq')",
    "reference": "upper(substr(md5(random()::text), 1, 9))",
    "idempotency_key": "md5(random()::text)",
}


def replayable_writes(app: Any, call: Callable[[], None]) -> str:
    """The statements of the first transaction `call()` commits, as one pgbench
    transaction that can be replayed again and again: the new rows' foreign keys point at
    the rows the replay itself has just inserted (`currval`), unique values are drawn
    afresh (`FRESH`), every other value is inlined as the app sent it. It is rolled back,
    so that the data stays as generated, and followed by the floor's own one-row INSERT,
    committed, which stands in for the commit's flush to disk (the WAL of the rolled-back
    rows is not flushed, so the replay costs a little less than the real thing)."""
    import psycopg

    from grievance.extensions import db

    seen: list[str] = []
    done = [False]

    def record(conn: Any, cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if done[0] or not isinstance(parameters, dict):
            return
        for name, expression in FRESH.items():
            if name in parameters:
                statement = statement.replace(f"%({name})s", f"({expression})")
        kept = {k: v for k, v in parameters.items() if k not in FRESH}
        sql = psycopg.ClientCursor(cursor.connection).mogrify(statement, kept)
        seen.append(" ".join(sql.split()) + ";")

    def committed(_conn: Any) -> None:
        done[0] = True

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    event.listen(engine, "commit", committed)
    try:
        call()
    finally:
        event.remove(engine, "before_cursor_execute", record)
        event.remove(engine, "commit", committed)
    if not seen:
        raise RuntimeError("captured no SQL")
    flush = "INSERT INTO bench_pings (note, created_at) VALUES ('replay', now());"
    return "BEGIN;\n" + "\n".join(seen) + "\nROLLBACK;\n" + flush + "\n"


def pgbench(
    url: str, sql: str, clients: int = 2, seconds: float = 0.0, transactions: int = 0
) -> Tally:
    """Run `sql` as one pgbench transaction, for `seconds` (or `transactions` per client)."""
    if not shutil.which("pgbench"):
        raise RuntimeError("pgbench is not installed (Debian: postgresql-client)")
    parsed = make_url(url)
    work = Path(tempfile.mkdtemp(prefix="samleng-bench-pgbench-"))
    script = work / "floor.sql"
    script.write_text(sql)
    command = [
        "pgbench", "-n", "-f", str(script), "-c", str(clients), "-j", "1", "-l",
        "--log-prefix", str(work / "log"),
        "-h", parsed.host or "127.0.0.1", "-p", str(parsed.port or 5432),
        "-U", parsed.username or "postgres",
    ]  # fmt: skip
    command += ["-T", str(max(1, round(seconds)))] if seconds else ["-t", str(transactions)]
    env = {"PGPASSWORD": parsed.password or ""} if parsed.password else {}
    done = subprocess.run(
        [*command, str(parsed.database)],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
    )
    if done.returncode != 0 or "aborted" in done.stdout:
        raise RuntimeError(f"pgbench failed:\n{done.stdout}\n{done.stderr}")
    tally = Tally()
    first = last = 0.0
    for log in work.glob("log.*"):
        for line in log.read_text().splitlines():
            fields = line.split()
            us, epoch = int(fields[2]), int(fields[4]) + int(fields[5]) / 1e6
            tally.hist[us] = tally.hist.get(us, 0) + 1
            tally.good += 1
            first = min(first or epoch - us / 1e6, epoch - us / 1e6)
            last = max(last, epoch)
    tally.seconds = last - first
    shutil.rmtree(work, ignore_errors=True)
    return tally
