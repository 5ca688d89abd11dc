"""Benchmark: the public accountability dashboard over a million cases, on PostgreSQL.

    python -m bench.dashboard [--cases 1000000] [--runs 40] [--db samleng_bench] [--keep]

Creates (or reuses) a PostgreSQL database beside DATABASE_URL (default: the local
development server), migrates it, seeds reference data and generates N cases with
bench/datagen.py. Then, in this process:

- times the statistics refresh (`snapshots.refresh`: working-day index + set-based SQL),
  the work `flask stats refresh` and the refresh job do;
- requests /accountability, /accountability/data.json and /oversight (signed in as an
  oversight user) through the Flask test client, after warm-up, and reports the server
  time p50/p99 of each (target: dashboard p50 < 300 ms).

The database is dropped at the end unless --keep (so bench.export can reuse it). The
suite (`python -m bench`) measures /accountability over HTTP; this adds the staff page.
"""

from __future__ import annotations

import os
import tempfile
import time
from typing import Any

from bench.datagen import drop_database, prepare_database, server_url, standalone_parser
from bench.queues import get, measure


def _oversight_client(app: Any) -> Any:
    """A test client whose session is that of an oversight user (no login form: the
    benchmark measures the page, not the sign-in)."""
    from grievance.auth.models import User, UserRole
    from grievance.extensions import db
    from grievance.uow import checkpoint as commit

    with app.app_context():
        user = User(username=f"bench-oversight-{os.getpid()}", name="Bench", password_hash="-")
        user.roles = [UserRole(role="oversight")]
        db.session.add(user)
        commit()
        ident = user.get_id()
        db.session.remove()
    from flask_login.utils import _create_identifier

    client = app.test_client()
    with app.test_request_context(environ_base=client.environ_base):
        browser = _create_identifier()  # the "strong" session protection's fingerprint
    with client.session_transaction() as session:
        session["_user_id"] = ident
        session["_id"] = browser
        session["_fresh"] = True
        session["auth_at"] = session["seen_at"] = int(time.time())
    return client


def main() -> None:
    args = standalone_parser(__doc__, 40, "samleng_bench").parse_args()

    from grievance.app import create_app
    from grievance.config import Config
    from grievance.extensions import db
    from grievance.oversight import snapshots
    from grievance.uow import checkpoint as commit

    server = server_url()
    url = prepare_database(server, args.db, args.cases)
    try:
        app = create_app(Config(DATABASE_URL=url, INSTANCE_PATH=tempfile.mkdtemp()))
        with app.app_context():
            started = time.perf_counter()
            row = snapshots.refresh()
            commit()
            refresh_s = time.perf_counter() - started
            received = row.data["dims"]["all"]["all"]["received"]
            db.session.remove()
        print(f"cases: {received}")
        print(f"stats refresh (index + aggregates): {refresh_s:.1f} s")
        public = app.test_client()
        for url_path in ("/accountability", "/accountability/data.json"):
            print(f"GET {url_path}: {measure(get(public, url_path), args.runs)}")
        staff = _oversight_client(app)
        print(f"GET /oversight: {measure(get(staff, '/oversight'), args.runs)}")
        with app.app_context():
            db.engine.dispose()
    finally:
        if not args.keep:
            drop_database(url)


if __name__ == "__main__":
    main()
