"""A fast generator of realistic cases for benchmarks (PostgreSQL only).

    from bench.datagen import generate, prepare_database
    url = prepare_database("postgresql://postgres@127.0.0.1/postgres", "samleng_bench", 10**6)

`generate(conn, n_cases)` inserts n complainants and n cases with two set-based
INSERT ... SELECT generate_series statements (no Python loop over rows), on a database that
is migrated and has the reference data (provinces, categories). The spread is meant to look
like a few years of NSSF complaints: filed over the last three years, mostly in office
hours; about 40 % in Phnom Penh; most complainants women; one in ten anonymous; states by
workflow (most cases closed, recent ones mostly open); acknowledgement and answers a few
working days after filing, some late; a third of closed cases rated; a few confidential
or restricted. Narratives, employers and names are recombined from a bank of Khmer (and
some English) phrases about NSSF problems (bench/khmer_text.py), and every case gets its
search terms (`case_search`) as the filing service would keep them.

Each case also gets its timeline (`case_events`: "filed", then the acknowledgement and the
step to its present state when it has moved on; a valid hash chain, computed in SQL the
way grievance.cases.events does) and the complainant's SMS notices (`notifications`:
"filed", then "acknowledged"; already sent), with three more set-based statements each.

`prepare_database(server_url, name, n)` creates (or reuses) a database `name` on the same
server, migrates it, seeds the reference data and tops it up to n cases, so several
benchmarks can share one generated database (`drop_database` removes it).
"""

from __future__ import annotations

import argparse
import os
import time
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection, make_url

# Weighted choices as SQL arrays: one random() picks an element.
PROVINCE_WEIGHTS = {"KH-12": 40, "KH-8": 8, "KH-3": 6, "KH-18": 6, "KH-17": 6, "KH-14": 4,
                    "KH-20": 4, "KH-2": 4, "KH-5": 3, "KH-4": 3, "KH-21": 3, "KH-1": 3,
                    "KH-6": 2, "KH-7": 2, "KH-15": 2, "KH-10": 1, "KH-13": 1, "KH-9": 1,
                    "KH-11": 1, "KH-16": 1, "KH-19": 1, "KH-22": 1, "KH-23": 1, "KH-24": 1,
                    "KH-25": 1}  # fmt: skip
CHANNEL_WEIGHTS = {"hotline": 35, "web": 20, "forum": 15, "sms": 12, "walk_in": 10, "api": 6,
                   "open311": 2}  # fmt: skip
SEX_WEIGHTS = {"female": 64, "male": 30, "other": 2, "not_stated": 4}


def _array(weights: dict[str, int]) -> str:
    items = [k for k, w in weights.items() for _ in range(w)]
    return "ARRAY[" + ",".join(f"'{i}'" for i in items) + "]"


def _pick(weights: dict[str, int], r: str) -> str:
    size = sum(weights.values())
    return f"({_array(weights)})[1 + floor({r} * {size})::int]"


PERSONS_SQL = """
INSERT INTO persons (id, name, phone, sex, age_band, nssf_number, worker_type, language,
                     consent_to_contact, created_at)
SELECT :base + g, (CAST(:names AS text[]))[1 + floor(random() * :nnames)::int],
       '+8551' || lpad((g % 10000000)::text, 7, '0'),
       {sex}, 'not_stated', 'B' || g, 'garment', 'km', true, now()
FROM generate_series(1, :n) AS g
"""

CASES_SQL = """
WITH raw AS (
  SELECT g,
    now() - (random() * interval '1095 days') AS day0,
    random() AS r_state, random() AS r_ack, random() AS r_answer, random() AS r_close,
    random() AS r_rate, random() AS r_conf, random() AS r_anon,
    {province} AS province, {channel} AS channel,
    (:categories)[1 + floor(random() * :ncat)::int] AS category_id
  FROM generate_series(1, :n) AS g
), timed AS (
  -- Most complaints arrive in office hours (07:30-17:30 Phnom Penh = 00:30-10:30 UTC).
  SELECT raw.*, date_trunc('day', day0) + interval '30 minutes'
         + (CASE WHEN r_ack < 0.85 THEN random() * interval '10 hours'
                 ELSE random() * interval '24 hours' END) AS created,
         cat.kind AS kind
  FROM raw JOIN categories cat ON cat.id = raw.category_id
), staged AS (
  SELECT timed.*,
    -- recent cases are mostly still open
    CASE WHEN created > now() - interval '30 days' THEN r_state * 0.45 ELSE r_state END AS s
  FROM timed
), stated AS (
  SELECT staged.*,
    CASE kind
      WHEN 'grievance' THEN CASE
        WHEN s < 0.04 THEN 'submitted' WHEN s < 0.08 THEN 'acknowledged'
        WHEN s < 0.13 THEN 'assigned' WHEN s < 0.25 THEN 'in_progress'
        WHEN s < 0.28 THEN 'awaiting_complainant' WHEN s < 0.30 THEN 'escalated'
        WHEN s < 0.35 THEN 'resolution_proposed' WHEN s < 0.36 THEN 'appealed'
        WHEN s < 0.42 THEN 'referred' WHEN s < 0.45 THEN 'rejected'
        WHEN s < 0.47 THEN 'withdrawn' WHEN s < 0.49 THEN 'merged' ELSE 'closed' END
      WHEN 'information_request' THEN CASE
        WHEN s < 0.15 THEN 'submitted' WHEN s < 0.25 THEN 'answered'
        WHEN s < 0.28 THEN 'withdrawn' ELSE 'closed' END
      ELSE CASE
        WHEN s < 0.10 THEN 'received' WHEN s < 0.25 THEN 'acknowledged'
        WHEN s < 0.28 THEN 'withdrawn' ELSE 'closed' END
    END AS state
  FROM staged
), dated AS (
  SELECT stated.*,
    CASE WHEN state NOT IN ('submitted', 'received')
         THEN created + (0.05 + r_ack * r_ack * 4) * interval '1 day' END AS acked,
    CASE WHEN state IN ('closed', 'resolution_proposed', 'answered', 'appealed')
         THEN created + (1 + r_answer * r_answer * 45) * interval '1 day' END AS answered
  FROM stated
)
INSERT INTO cases (reference, secret_hash, kind, workflow, state, channel, category_id,
  province_code, concerned_type, concerned_name, description, priority, confidentiality,
  prefers_woman_officer, affected_count, language, complainant_id, deadline_version,
  escalation_level, overdue, ack_due_at, resolve_due_at, acknowledged_at,
  resolution_proposed_at, closed_at, satisfaction, event_count, version, created_at,
  updated_at)
SELECT
  'B' || lpad(to_hex(:offset + g), 7, '0'), 'bench', kind, kind, state, channel,
  category_id, province, 'employer', {employer}, {narrative}, 'normal',
  CASE WHEN r_conf < 0.03 THEN 'restricted' WHEN r_conf < 0.10 THEN 'confidential'
       ELSE 'normal' END,
  false, 1, 'km',
  CASE WHEN r_anon < 0.9 THEN :base + g END,
  1, 0,
  state IN ('submitted', 'acknowledged', 'assigned', 'in_progress', 'escalated', 'received')
    AND created + interval '28 days' < now(),
  created + interval '2 days', created + interval '28 days',
  CASE WHEN kind <> 'information_request' THEN acked END,
  answered,
  CASE WHEN state IN ('closed', 'referred', 'rejected', 'withdrawn', 'merged')
       THEN COALESCE(answered, created + r_close * interval '30 days')
            + r_close * interval '10 days' END,
  CASE WHEN state = 'closed' AND r_rate < 0.35 THEN 1 + floor(r_rate / 0.35 * 5)::int END,
  0, 1, created,
  COALESCE(answered, acked, created)
FROM dated
"""

# The timeline, one statement per position in it. The hash covers the same canonical JSON
# as grievance.cases.events.canonical (sorted keys, no spaces, UTC microseconds).
_INITIAL = (
    "CASE c.kind WHEN 'grievance' THEN 'submitted' WHEN 'information_request' "
    "THEN 'submitted' ELSE 'received' END"
)
_EVENT_INSERT = """
INSERT INTO case_events (case_id, seq, kind, actor_id, actor_role, from_state, to_state,
                         public, data, created_at, prev_hash, hash)
SELECT case_id, seq, kind, NULL, role, from_state, to_state, true, data::jsonb, at, prev,
  encode(sha256(convert_to(prev || '{{"actor_id"\\:null,"actor_role":"' || role
    || '","case_id":' || case_id || ',"created_at":"'
    || to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24\\:MI\\:SS.US"Z"') || '","data":' || data
    || ',"from_state":' || COALESCE('"' || from_state || '"', 'null') || ',"kind":"' || kind
    || '","public"\\:true,"seq":' || seq || ',"to_state":' || COALESCE('"' || to_state || '"',
    'null') || '}}', 'UTF8')), 'hex')
FROM ({rows}) AS e (case_id, seq, kind, role, from_state, to_state, data, at, prev)
"""
EVENTS_SQL = [
    _EVENT_INSERT.format(
        rows=f"""
      SELECT c.id AS case_id, 1 AS seq, 'filed' AS kind, 'complainant' AS role,
        NULL AS from_state, {_INITIAL} AS to_state,
        '{{"channel":"' || c.channel || '"}}' AS data, c.created_at AS at,
        :genesis AS prev
      FROM cases c WHERE c.id > :first"""
    ),
    _EVENT_INSERT.format(
        rows=f"""
      SELECT c.id, 2, 'transition', 'officer', {_INITIAL}, 'acknowledged', '{{}}',
        c.acknowledged_at, p.hash
      FROM cases c JOIN case_events p ON p.case_id = c.id AND p.seq = 1
      WHERE c.id > :first AND c.acknowledged_at IS NOT NULL"""
    ),
    _EVENT_INSERT.format(
        rows=f"""
      SELECT c.id, p.seq + 1, 'transition', 'officer', p.to_state, c.state, '{{}}',
        GREATEST(c.updated_at, COALESCE(c.closed_at, c.updated_at), p.created_at
                 + interval '1 second'), p.hash
      FROM cases c JOIN case_events p ON p.case_id = c.id
        AND p.seq = CASE WHEN c.acknowledged_at IS NOT NULL THEN 2 ELSE 1 END
      WHERE c.id > :first AND c.state NOT IN ({_INITIAL}, 'acknowledged')"""
    ),
]
EVENT_COUNT_SQL = """
UPDATE cases c SET event_count = n.count
FROM (SELECT case_id, count(*) AS count FROM case_events WHERE case_id > :first
      GROUP BY case_id) AS n
WHERE n.case_id = c.id
"""
# The complainant's SMS notices (sent): "filed" for every case with a complainant,
# "acknowledged" when it was acknowledged.
NOTIFICATIONS_SQL = """
INSERT INTO notifications (idempotency_key, case_id, channel, template, language, person_id,
  address, context, status, attempts, created_at, sent_at, delivered_at)
SELECT 'bench:' || c.id || ':' || t.template, c.id, 'sms', t.template, 'km', p.id, p.phone,
  '{}'::jsonb, 'delivered', 1, t.at, t.at + interval '5 seconds', t.at + interval '20 seconds'
FROM cases c JOIN persons p ON p.id = c.complainant_id
CROSS JOIN LATERAL (VALUES ('filed', c.created_at), ('acknowledged', c.acknowledged_at))
  AS t(template, at)
WHERE c.id > :first AND t.at IS NOT NULL
"""


def _any(name: str) -> str:
    """One element of the array parameter :name (its length is :n_name), at random."""
    return f"(CAST(:{name} AS text[]))[1 + floor(random() * :n_{name})::int]"


# A narrative: one in eight in English (two sentences), the others in Khmer: an opening,
# one or two problems, a detail and a request (bench/khmer_text.py), phrases joined by a
# space after their full stop.
NARRATIVE_SQL = (
    f"CASE WHEN random() < 0.125 THEN {_any('english')} || ' ' || {_any('english')} "
    f"ELSE {_any('opening')} || ' ' || {_any('problem')} "
    f"|| CASE WHEN random() < 0.3 THEN ' ' || {_any('problem')} ELSE '' END "
    f"|| ' ' || {_any('detail')} || ' ' || {_any('request')} END"
)
PHRASES_SQL = """
CREATE TEMP TABLE bench_phrase (grp text, body text, lit_d text, lit_b text, lit_a text)
ON COMMIT DROP
"""
# The search terms of every new case, from the terms of its phrases (the app computes
# them once per phrase): a narrative's terms are the union of its phrases' (each ends the
# run of Khmer letters with "។"), the employer's weigh B and the complainant's name A, as
# grievance.search.models.Terms writes them (positions may differ: no search reads them),
# with the lexeme of the case's id bucket.
SEARCH_SQL = """
INSERT INTO case_search (case_id, doc, key_version)
SELECT c.id,
  (COALESCE((SELECT string_agg(p.lit_d, ' ')
             FROM regexp_split_to_table(c.description, '(?<=[។.]) ') AS s(body)
             JOIN bench_phrase p ON p.body = s.body), '')
   || ' ' || COALESCE(e.lit_b, '') || ' ' || COALESCE(n.lit_a, '')
   || ' ~' || (c.id / :bucket))::tsvector,
  :version
FROM cases c
LEFT JOIN bench_phrase e ON e.grp = 'employer' AND e.body = c.concerned_name
LEFT JOIN persons pe ON pe.id = c.complainant_id
LEFT JOIN bench_phrase n ON n.grp = 'name' AND n.body = pe.name
WHERE c.id > :first
ORDER BY c.id
"""


def _literal(terms: list[str], weight: str, start: int) -> str:
    """Terms as a tsvector literal at positions from `start`: the employer's and the name's
    start far after the narrative's, so that no position holds two weights (one would be
    lost when the literals are joined)."""
    escaped = (t.replace("\\", "\\\\").replace("'", "''") for t in terms)
    return " ".join(f"'{t}':{start + i}{weight}" for i, t in enumerate(escaped))


def load_phrases(conn: Connection) -> dict[str, Any]:
    """The phrase bank in a temporary table with each phrase's terms as tsvector literals
    (one per weight); returns the array parameters the generating statements take."""
    from bench.khmer_text import phrase_groups
    from grievance.khmer import terms

    groups = phrase_groups()
    conn.execute(text(PHRASES_SQL))
    rows = []
    for group, phrases in groups.items():
        for body in phrases:
            found = terms(body)
            rows.append(
                {
                    "grp": group,
                    "body": body,
                    "d": _literal(found, "", 1),
                    "b": _literal(found, "B", 12_000),
                    "a": _literal(found, "A", 14_000),
                }
            )
    conn.execute(text("INSERT INTO bench_phrase VALUES (:grp, :body, :d, :b, :a)"), rows)
    params: dict[str, Any] = {}
    for group, phrases in groups.items():
        key = {"employer": "employers", "name": "names"}.get(group, group)
        params[key], params[f"n_{key}"] = phrases, len(phrases)
    params["nnames"] = params["n_names"]
    return params


def _secondary_indexes(conn: Connection, table: str) -> list[tuple[str, str]]:
    rows = conn.execute(
        text(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = :t "
            "AND indexname NOT IN (SELECT conname FROM pg_constraint)"
        ),
        {"t": table},
    )
    return [(r[0], r[1]) for r in rows]


def generate(conn: Connection, n_cases: int) -> None:
    """Insert n complainants and n cases (9 in 10 with a complainant) in two statements.

    Loading speed: foreign-key triggers are skipped (session_replication_role = replica,
    the keys are generated consistent) and, for large loads, secondary indexes are dropped
    and rebuilt afterwards (one bulk build is much faster than a million index inserts).
    Needs a superuser connection, as the benchmark's local server gives.
    """
    base = conn.execute(text("SELECT COALESCE(MAX(id), 0) FROM persons")).scalar_one()
    offset = conn.execute(text("SELECT COUNT(*) FROM cases")).scalar_one()
    query = text("SELECT id FROM categories WHERE active ORDER BY id")
    categories = list(conn.execute(query).scalars())
    if not categories:
        raise RuntimeError("no categories: seed the reference data first")
    conn.execute(text("SET LOCAL session_replication_role = replica"))
    conn.execute(text("SET LOCAL maintenance_work_mem = '256MB'"))
    indexes = []
    if n_cases >= 100_000:
        indexes = [
            index
            for table in ("cases", "persons", "case_events", "notifications", "case_search")
            for index in _secondary_indexes(conn, table)
        ]
        for name, _definition in indexes:
            conn.execute(text(f'DROP INDEX "{name}"'))
    started = time.monotonic()
    phrases = load_phrases(conn)
    sex = _pick(SEX_WEIGHTS, "random()")
    conn.execute(
        text(PERSONS_SQL.format(sex=sex)),
        {"base": base, "n": n_cases, "names": phrases["names"], "nnames": phrases["nnames"]},
    )
    conn.execute(text(f"SELECT setval('persons_id_seq', {base + n_cases})"))
    sql = CASES_SQL.format(
        province=_pick(PROVINCE_WEIGHTS, "random()"),
        channel=_pick(CHANNEL_WEIGHTS, "random()"),
        employer=_any("employers"),
        narrative=NARRATIVE_SQL,
    )
    params: dict[str, Any] = {
        **{k: v for k, v in phrases.items() if k not in ("names", "n_names", "nnames")},
        "n": n_cases,
        "base": base,
        "offset": offset,
        "categories": categories,
        "ncat": len(categories),
    }
    first_case = conn.execute(text("SELECT COALESCE(MAX(id), 0) FROM cases")).scalar_one()
    conn.execute(text(sql), params)
    for statement in EVENTS_SQL:
        conn.execute(text(statement), {"first": first_case, "genesis": "0" * 64})
    conn.execute(text(EVENT_COUNT_SQL), {"first": first_case})
    conn.execute(text(NOTIFICATIONS_SQL), {"first": first_case})
    from grievance.khmer import KEY_VERSION

    indexed = time.monotonic()
    from grievance.search.models import BUCKET

    conn.execute(text(SEARCH_SQL), {"first": first_case, "version": KEY_VERSION, "bucket": BUCKET})
    print(f"  search terms of the new cases in {time.monotonic() - indexed:.1f} s")
    print(f"  rows inserted in {time.monotonic() - started:.1f} s")
    started = time.monotonic()
    for _name, definition in indexes:
        conn.execute(text(definition))
    if indexes:
        print(f"  {len(indexes)} indexes rebuilt in {time.monotonic() - started:.1f} s")
    for table in ("cases", "persons", "case_events", "notifications", "case_search"):
        conn.execute(text(f"ANALYZE {table}"))


def standalone_parser(doc: str | None, runs: int, db: str) -> argparse.ArgumentParser:
    """The options the single-page benchmarks share (bench.queues, bench.dashboard)."""
    parser = argparse.ArgumentParser(description=(doc or "").splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=runs)
    parser.add_argument("--db", default=db)
    parser.add_argument("--keep", action="store_true", help="keep the database for reuse")
    return parser


def server_url() -> str:
    """The PostgreSQL server to put benchmark databases on: DATABASE_URL's when it names
    one, else the local server."""
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith("postgres") else "postgresql://postgres@127.0.0.1/postgres"


def _admin(url: str) -> str:
    return make_url(url).set(database="postgres").render_as_string(hide_password=False)


def database_url(server_url: str, name: str) -> str:
    plain = server_url.replace("postgresql+psycopg://", "postgresql://")
    return make_url(plain).set(database=name).render_as_string(hide_password=False)


def prepare_database(server_url: str, name: str, n_cases: int) -> str:
    """A migrated database `name` with reference data and at least n cases; its URL."""
    import psycopg
    from flask_migrate import upgrade

    from grievance.app import create_app
    from grievance.config import Config
    from grievance.extensions import db
    from grievance.seed.reference import seed_reference
    from grievance.uow import checkpoint as commit

    url = database_url(server_url, name)
    with psycopg.connect(_admin(url), autocommit=True) as c:
        if not c.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            c.execute(f'CREATE DATABASE "{name}"')
    app = create_app(Config(DATABASE_URL=url, INSTANCE_PATH="/tmp/samleng-bench-instance"))
    with app.app_context():
        upgrade(revision="heads")
        seed_reference()
        commit()
        have = db.session.scalar(text("SELECT COUNT(*) FROM cases")) or 0
        db.session.remove()  # end its transaction: the load below drops indexes
        if have < n_cases:
            started = time.monotonic()
            with db.engine.begin() as conn:
                generate(conn, n_cases - have)
            print(f"generated {n_cases - have} cases in {time.monotonic() - started:.1f} s")
        db.engine.dispose()
    return url


def drop_database(url: str) -> None:
    import psycopg

    name = make_url(url).database
    with psycopg.connect(_admin(url), autocommit=True) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
