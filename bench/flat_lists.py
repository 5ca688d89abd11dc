"""`python -m bench.flat_lists [--db samleng_bench_1m] [--runs 15]`: two lists' SQL, before
and after they were made flat, on a scale database of the suite.

- A representative's list (`grievance.intake.representation.organisation_cases`): a union
  following one case in ten (100,000 at 1M) against one following 100. Before: every case
  of the organisation sorted (waiting for the member first, then the newest) to keep 200.
  After: the waiting ones, then the others, each read newest first down a partial index
  and stopped at the page.
- The partner API list's capped count (`grievance.intake.partners.list_cases`) for the
  suite's big partner (scenario 8 makes it): before, the first 1,001 links joined to
  their cases; after, the links alone.

Each statement runs `--runs` times under EXPLAIN ANALYZE; the median execution time is
reported, with the top of its plan. Set-up is idempotent and kept in the database (two
organisations named "bench union ...", linked to existing cases).
"""

from __future__ import annotations

import argparse
import statistics

import psycopg

from bench.datagen import server_url

WAITING = "('awaiting_complainant', 'resolution_proposed', 'answered')"
ORGS = {"bench union big": (10, 3, 100_000), "bench union small": (10, 4, 100)}


def prepare(conn: psycopg.Connection) -> dict[str, int]:
    ids = {}
    for name, (share, rest, most) in ORGS.items():
        row = conn.execute("SELECT id FROM organisations WHERE name = %s", (name,)).fetchone()
        if row is None:
            row = conn.execute(
                "INSERT INTO organisations (name, name_km, kind, province_code, created_at) "
                "VALUES (%s, '', 'union', 'KH-12', now()) RETURNING id",
                (name,),
            ).fetchone()
            assert row is not None
            conn.execute(
                "UPDATE cases SET organisation_id = %s WHERE id IN (SELECT id FROM cases "
                f"WHERE id %% {share} = {rest} AND organisation_id IS NULL "
                f"ORDER BY id DESC LIMIT {most})",
                (row[0],),
            )
        ids[name] = int(row[0])
    conn.execute("ANALYZE cases")
    return ids


def statements(org: int, partner: int | None) -> dict[str, str]:
    mine = f"organisation_id = {org}"
    newest = "ORDER BY created_at DESC, id DESC LIMIT 200"
    found = {
        "representative list, before (one sort of all)": (
            f"SELECT * FROM cases WHERE {mine} ORDER BY CASE WHEN state IN {WAITING} "
            "THEN 0 ELSE 1 END, created_at DESC LIMIT 200"
        ),
        "representative list, after: waiting": (
            f"SELECT * FROM cases WHERE {mine} AND state IN {WAITING} {newest}"
        ),
        "representative list, after: the others": (
            f"SELECT * FROM cases WHERE {mine} AND state NOT IN {WAITING} {newest}"
        ),
    }
    if partner is not None:
        found["partner count, before (links joined to cases)"] = (
            "SELECT count(*) FROM (SELECT p.case_id FROM cases c JOIN partner_cases p "
            f"ON p.case_id = c.id WHERE p.partner_id = {partner} LIMIT 1001) AS counted"
        )
        found["partner count, after (links alone)"] = (
            "SELECT count(*) FROM (SELECT p.case_id FROM partner_cases p "
            f"WHERE p.partner_id = {partner} LIMIT 1001) AS counted"
        )
    return found


# The indexes the change added: "before" runs in a transaction that drops them (and rolls
# back), so it is planned as it was before the migration.
NEW_INDEXES = (
    "ix_cases_organisation_newest",
    "ix_cases_organisation_waiting",
    "ix_cases_filed_by_newest",
)


def measure(conn: psycopg.Connection, sql: str, runs: int, before: bool) -> tuple[float, str]:
    times, plan = [], ""
    for _ in range(runs):
        with conn.transaction(force_rollback=True):
            for index in NEW_INDEXES if before else ():
                conn.execute(f"DROP INDEX IF EXISTS {index}")
            lines = [r[0] for r in conn.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql).fetchall()]
        times.append(float(lines[-1].split(":")[1].split()[0]))
        plan = lines[0].strip()
    return statistics.median(times), plan


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.flat_lists")
    parser.add_argument("--db", default="samleng_bench_1m")
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    url = server_url().rsplit("/", 1)[0] + "/" + args.db
    with psycopg.connect(url, autocommit=True) as conn:
        orgs = prepare(conn)
        cases = conn.execute("SELECT count(*) FROM cases").fetchone()[0]  # type: ignore[index]
        row = conn.execute(
            "SELECT id FROM partner_clients WHERE name = 'bench partner big'"
        ).fetchone()
        partner = int(row[0]) if row else None
        print(f"{cases:,} cases; median of {args.runs} runs, EXPLAIN ANALYZE execution time\n")
        print("| statement | organisation | median (ms) | plan |\n|---|---|---:|---|")
        for name, org in orgs.items():
            followed = conn.execute(
                "SELECT count(*) FROM cases WHERE organisation_id = %s", (org,)
            ).fetchone()[0]  # type: ignore[index]
            for label, sql in statements(org, partner if name.endswith("big") else None).items():
                ms, plan = measure(conn, sql, args.runs, before="list, before" in label)
                print(f"| {label} | {followed:,} cases | {ms:.2f} | `{plan[:90]}` |")


if __name__ == "__main__":
    main()
