"""Scenario 8 of the suite: the partner API's list, `GET /api/v1/cases?per_page=25`.

Two partner systems share the database: a big one linked to one case in ten (100,000 at
1M cases, spread over the whole id range as a busy union's system would be) and a small
one linked to 100 cases. The big partner's first page is measured against the small
partner's, app and "floor" alternating: the list is flat when the two cost the same. A
page deep in the big partner's list (by `next_cursor`, past half its cases) is measured
too, and the plan of the page's statements is printed in the notes.
Set-up is idempotent (the partners and their links are kept in the scale database).
"""

from __future__ import annotations

import psycopg

from bench.load import Spec, Tally
from bench.scenarios import Context, Row, alternate, http_runner, rate_row

BIG_SHARE = 10  # the big partner holds one case in BIG_SHARE
BIG_MOST = 100_000
SMALL = 100
PER_PAGE = 25
TOKENS = {
    "bench partner big": "spt_bench-partner-big-token-only-for-scratch-databases",
    "bench partner small": "spt_bench-partner-small-token-only-for-scratch-databases",
}


def prepare(ctx: Context) -> dict[str, int]:
    """The two partners (id by name) and their cases; returns how many each holds."""
    from grievance.intake.partners import token_hash

    held = {}
    with psycopg.connect(ctx.url) as conn:
        for name, token in TOKENS.items():
            conn.execute(
                "INSERT INTO partner_clients (name, token_hash, active, created_at) "
                "VALUES (%s, %s, true, now()) ON CONFLICT (name) DO NOTHING",
                (name, token_hash(token)),
            )
        rows = conn.execute(
            "SELECT name, id FROM partner_clients WHERE name = ANY(%s)", (list(TOKENS),)
        ).fetchall()
        ids: dict[str, int] = {str(name): int(i) for name, i in rows}
        big, small = ids["bench partner big"], ids["bench partner small"]
        linked = "NOT EXISTS (SELECT 1 FROM partner_cases p WHERE p.case_id = c.id)"
        if not conn.execute("SELECT 1 FROM partner_cases WHERE partner_id = %s", (big,)).fetchone():
            conn.execute(
                "INSERT INTO partner_cases (case_id, partner_id, external_id) "
                f"SELECT c.id, %s, 'BIG-' || c.id FROM cases c WHERE c.id %% {BIG_SHARE} = 0 "
                f"AND {linked} ORDER BY c.id DESC LIMIT {BIG_MOST}",
                (big,),
            )
            conn.execute(
                "INSERT INTO partner_cases (case_id, partner_id, external_id) "
                f"SELECT c.id, %s, 'SMALL-' || c.id FROM cases c WHERE c.id %% {BIG_SHARE} = 1 "
                f"AND {linked} ORDER BY c.id DESC LIMIT {SMALL}",
                (small,),
            )
            conn.execute("ANALYZE partner_cases")
        for partner_id, name in ((big, "big"), (small, "small")):
            row = conn.execute(
                "SELECT count(*) FROM partner_cases WHERE partner_id = %s", (partner_id,)
            ).fetchone()
            held[name] = int(row[0]) if row else 0
        held["big_id"], held["small_id"] = big, small
    return held


def deep_cursor(ctx: Context, partner_id: int, held: int) -> str:
    """A cursor past half the partner's cases, as a client walking the list gets it."""
    from grievance.intake.partners import cursor_for

    with psycopg.connect(ctx.url) as conn:
        row = conn.execute(
            "SELECT case_id FROM partner_cases WHERE partner_id = %s ORDER BY case_id DESC "
            "OFFSET %s LIMIT 1",
            (partner_id, held // 2),
        ).fetchone()
    with ctx.local_app.app_context():
        return cursor_for(partner_id, int(row[0])) if row else ""


def plan(ctx: Context, partner_id: int) -> str:
    """How PostgreSQL runs the page's count and rows for the big partner (EXPLAIN ANALYZE)."""
    count = (
        "SELECT count(*) FROM (SELECT pc.case_id FROM cases c JOIN partner_cases pc "
        "ON pc.case_id = c.id WHERE pc.partner_id = %s LIMIT 1001) s"
    )
    page = (
        "SELECT c.*, pc.external_id FROM cases c JOIN partner_cases pc ON pc.case_id = c.id "
        f"WHERE pc.partner_id = %s ORDER BY pc.case_id DESC LIMIT {PER_PAGE + 1}"
    )
    found = []
    with psycopg.connect(ctx.url) as conn:
        for label, sql in (("count", count), ("page", page)):
            lines = [r[0] for r in conn.execute("EXPLAIN ANALYZE " + sql, (partner_id,))]
            nodes = [ln.strip().split("  (")[0].lstrip("-> ") for ln in lines if "->" in ln]
            took = next((ln for ln in lines if ln.startswith("Execution Time")), "")
            found.append(f"{label}: {' / '.join(nodes[:4])}; {took}")
    return "; ".join(found)


def spec(ctx: Context, token: str, path: str) -> Spec:
    return Spec(
        port=ctx.app.port, method="GET", path=path, expect_status=200,
        expect_body='"items"', headers={"Authorization": f"Bearer {token}"},
        connections=ctx.concurrency,
    )  # fmt: skip


def scenario(ctx: Context) -> Row:
    held = prepare(ctx)
    first = f"/api/v1/cases?per_page={PER_PAGE}"
    big = spec(ctx, TOKENS["bench partner big"], first)
    small = spec(ctx, TOKENS["bench partner small"], first)
    a, f = alternate(ctx, http_runner(big), http_runner(small))
    row = rate_row("8. partner API list (25 a page)", a, f,
                   f"a partner with {held['small']} cases", "p50 < 50 ms at 1M",
                   lambda _ratio, p50: p50 < 50)  # fmt: skip
    cursor = deep_cursor(ctx, held["big_id"], held["big"])
    deep: Tally = Tally()
    if cursor:
        deep_spec = spec(ctx, TOKENS["bench partner big"], f"{first}&cursor={cursor}")
        for _round in range(ctx.rounds):
            deep.add(http_runner(deep_spec)(ctx.duration))
    row.notes += [
        f"8. the big partner holds {held['big']:,} cases (one in {BIG_SHARE}, over the whole "
        f"id range), the small one {held['small']}; first page p50 {a.percentile_ms(50):.1f} "
        f"ms against {f.percentile_ms(50):.1f} ms (ratio = the big partner's throughput / the "
        f"small one's); a page past half the big partner's cases (cursor): p50 "
        f"{deep.percentile_ms(50):.1f} ms, p99 {deep.percentile_ms(99):.1f} ms, "
        f"{deep.rate:.1f} req/s",
        f"8. plan for the big partner: {plan(ctx, held['big_id'])}",
    ]
    return row
