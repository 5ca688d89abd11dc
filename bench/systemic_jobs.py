"""The cluster sweep and the weekly spike job on a large database (PostgreSQL).

    python -m bench.systemic_jobs --cases 1000000 [--db samleng_systemic_bench] [--keep]

Generates the cases with bench.datagen, a registry of 5,000 employers, and links 40 % of the
cases to one of them (as matching at filing would), a few employers far more often than
the rest. Then times, each in its own transaction rolled back at the end: the cluster
sweep (first run: proposals and links written; second run: nothing to do) and the spike
job for the last complete week (first run and a re-run).
"""

from __future__ import annotations

import time
from datetime import timedelta

from sqlalchemy import text

from bench.datagen import drop_database, prepare_database, server_url, standalone_parser

EMPLOYERS = 5000


def main() -> None:
    parser = standalone_parser(__doc__, runs=1, db="samleng_systemic_bench")
    args = parser.parse_args()
    url = prepare_database(server_url(), args.db, args.cases)
    from grievance.app import create_app
    from grievance.config import Config
    from grievance.extensions import db
    from grievance.systemic import clusters, spikes
    from grievance.types import utcnow

    app = create_app(Config(DATABASE_URL=url, INSTANCE_PATH="/tmp/samleng-bench-instance"))
    with app.app_context():
        have = db.session.scalar(text("SELECT COUNT(*) FROM registry_entries")) or 0
        if have == 0:
            started = time.monotonic()
            db.session.execute(
                text(
                    "INSERT INTO registry_entries (kind, code, name_latin, aliases, province_code,"
                    " active, version, updated_at) SELECT 'employer', 'E-' || g,"
                    " 'Employer ' || g, '[]', 'KH-12', true, 1, now()"
                    " FROM generate_series(1, :n) g"
                ),
                {"n": EMPLOYERS},
            )
            # 40 % of cases name an employer; the square makes a few employers common.
            db.session.execute(
                text(
                    "INSERT INTO case_entities (case_id, entry_id, score, confirmed, updated_at)"
                    " SELECT c.id, 1 + floor(power(random(), 2) * :n)::int, 100, false, now()"
                    " FROM cases c WHERE random() < 0.4"
                ),
                {"n": EMPLOYERS},
            )
            db.session.commit()
            print(f"registry and links written in {time.monotonic() - started:.1f} s")
        linked = db.session.scalar(text("SELECT COUNT(*) FROM case_entities"))
        cases = db.session.scalar(text("SELECT COUNT(*) FROM cases"))
        print(f"{cases} cases, {linked} linked to {EMPLOYERS} employers")
        now = utcnow()
        for label, call in (
            ("cluster sweep, first run", lambda: len(clusters.sweep(now))),
            ("cluster sweep, second run", lambda: len(clusters.sweep(now))),
            ("spike job, first run", lambda: len(spikes.run(now))),
            ("spike job, re-run", lambda: len(spikes.run(now + timedelta(minutes=1)))),
        ):
            started = time.monotonic()
            result = call()
            db.session.flush()
            print(f"{label}: {time.monotonic() - started:.1f} s ({result} new)")
        db.session.rollback()
        db.engine.dispose()
    if not args.keep:
        drop_database(url)


if __name__ == "__main__":
    main()
