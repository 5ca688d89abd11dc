"""Benchmark: the redacted CSV export of a million cases, on PostgreSQL.

    python -m bench.export [--cases 1000000] [--db samleng_bench] [--keep]

Creates (or reuses, e.g. after `bench.dashboard --keep`) a database with N generated cases
(bench/datagen.py), builds the working-day index, then:

- runs the app's streaming export (`grievance.oversight.exports.csv_chunks`, the code
  behind /oversight/exports/cases.csv) in a subprocess writing to a file, and reports its
  wall time, rows and the subprocess's peak resident memory (getrusage RUSAGE_CHILDREN
  ru_maxrss; target < 200 MB), next to the same process's memory before exporting;
- runs `COPY (<the same SELECT>) TO STDOUT (FORMAT csv)` as the floor: what PostgreSQL
  alone needs to produce the rows.

The database is dropped at the end unless --keep.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.datagen import drop_database, prepare_database, server_url


def _vm(field: str) -> int:
    """A memory figure of this process from /proc, in kB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def child(url: str, out: str) -> None:
    """The exporting process: the app's streaming CSV written to a file."""
    from grievance.app import create_app
    from grievance.config import Config
    from grievance.oversight.exports import Filters, csv_chunks

    app = create_app(Config(DATABASE_URL=url, INSTANCE_PATH=tempfile.mkdtemp()))
    with app.app_context(), open(out, "w", encoding="utf-8", newline="") as f:
        print(f"child RSS before export: {_vm('VmRSS') / 1024:.0f} MB", flush=True)
        started = time.perf_counter()
        for chunk in csv_chunks(Filters()):
            f.write(chunk)
        print(f"child export time: {time.perf_counter() - started:.3f} s", flush=True)
        print(f"child VmHWM: {_vm('VmHWM') / 1024:.0f} MB", flush=True)


def copy_floor(url: str) -> tuple[float, int]:
    import psycopg
    from sqlalchemy.dialects import postgresql

    from grievance.app import create_app
    from grievance.config import Config
    from grievance.oversight.exports import Filters, _query

    app = create_app(Config(DATABASE_URL=url, INSTANCE_PATH=tempfile.mkdtemp()))
    with app.app_context():
        sql = str(_query(Filters()).compile(dialect=postgresql.dialect()))
    size = 0
    started = time.perf_counter()
    copy_sql = f"COPY ({sql}) TO STDOUT (FORMAT csv, HEADER)"
    with psycopg.connect(url) as conn, conn.cursor() as cur, cur.copy(copy_sql) as copy:
        for block in copy:
            size += len(block)
    return time.perf_counter() - started, size


def ensure_index(url: str) -> None:
    from grievance.app import create_app
    from grievance.config import Config
    from grievance.extensions import db
    from grievance.oversight import workdays
    from grievance.uow import checkpoint as commit

    app = create_app(Config(DATABASE_URL=url, INSTANCE_PATH=tempfile.mkdtemp()))
    with app.app_context():
        workdays.ensure()
        commit()
        db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--db", default="samleng_bench")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--child", nargs=2, metavar=("URL", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return

    server = server_url()
    url = prepare_database(server, args.db, args.cases)
    out = Path(tempfile.mkdtemp()) / "cases.csv"
    try:
        ensure_index(url)
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "bench.export", "--child", url, str(out)],
            check=True,
            env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)},
        )
        wall = time.perf_counter() - started
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        with out.open(encoding="utf-8") as f:
            rows = sum(1 for _ in f) - 1
        print(f"streamed CSV export: {rows} rows, {out.stat().st_size / 1e6:.0f} MB")
        print(f"  subprocess wall time (incl. app start): {wall:.1f} s")
        print(f"  subprocess peak RSS (ru_maxrss): {peak_mb:.0f} MB")
        floor, size = copy_floor(url)
        print(f"COPY (same SELECT) TO STDOUT: {floor:.1f} s, {size / 1e6:.0f} MB")
    finally:
        out.unlink(missing_ok=True)
        if not args.keep:
            drop_database(url)


if __name__ == "__main__":
    main()
