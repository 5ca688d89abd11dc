"""Matching a typed employer name against a registry of 50,000 employers: p50/p99.

    python -m bench.registry_match [--entries 50000] [--queries 500] [--db URL]

Builds the registry in a fresh database (SQLite in a temporary directory unless --db names
one): every employer with a Latin name, a Khmer name and an alias, stored with their
matching keys as the import does. Then times `grievance.systemic.matching.candidates`, the
call the filing path and the case page make, for names as people type them: Latin names
with a typo or the company suffix dropped, Khmer names typed in another cluster order, and
names that are in no registry. The first call (which reads the keys once per process) is
timed apart.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time

SYLLABLES = [
    "angkor",
    "mekong",
    "star",
    "golden",
    "royal",
    "sun",
    "lotus",
    "phnom",
    "asia",
    "pacific",
    "grand",
    "new",
    "best",
    "union",
    "first",
    "great",
    "dragon",
    "tiger",
    "city",
    "river",
]
KINDS = ["garment", "footwear", "textile", "knitting", "apparel", "bags", "shoes", "fashion"]
KHMER = ["អង្គរ", "មេគង្គ", "ផ្កាយ", "មាស", "រាជ", "ព្រះអាទិត្យ", "ឈូក", "ភ្នំ", "ស្រ្តី", "ថ្មី"]


def latin_name(rng: random.Random, n: int) -> str:
    words = rng.sample(SYLLABLES, 2)
    return f"{words[0].title()} {words[1].title()} {rng.choice(KINDS).title()} {n} Co., Ltd."


def khmer_name(rng: random.Random, n: int) -> str:
    return f"រោងចក្រ {' '.join(rng.sample(KHMER, 2))} {n}"


def typo(rng: random.Random, name: str) -> str:
    core = name.replace(" Co., Ltd.", "")
    i = rng.randrange(1, len(core) - 1)
    return core[:i] + core[i + 1 :]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=50_000)
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--db", default="")
    args = parser.parse_args()

    from flask_migrate import upgrade
    from sqlalchemy import insert

    from grievance.app import create_app
    from grievance.config import Config
    from grievance.extensions import db
    from grievance.seed.reference import seed_reference
    from grievance.systemic import matching
    from grievance.systemic.models import RegistryEntry, RegistryName
    from grievance.uow import checkpoint

    instance = tempfile.mkdtemp(prefix="samleng-bench-registry-")
    url = args.db or f"sqlite:///{instance}/bench.sqlite3"
    config = Config(
        ENV="testing", SECRET_KEY="bench", DATABASE_URL=url, REDIS_URL="", INSTANCE_PATH=instance
    )
    app = create_app(config)
    rng = random.Random(50_000)
    with app.app_context():
        upgrade(revision="heads")
        seed_reference()
        checkpoint()
        names: list[tuple[str, str]] = []
        for start in range(0, args.entries, 5000):
            entries, keys = [], []
            for n in range(start, min(start + 5000, args.entries)):
                latin, khmer = latin_name(rng, n), khmer_name(rng, n)
                names.append((latin, khmer))
                entries.append(
                    {
                        "id": n + 1,
                        "kind": "employer",
                        "code": f"E-{n:06d}",
                        "name_latin": latin,
                        "name_km": khmer,
                        "aliases": [],
                        "active": True,
                        "version": 1,
                    }
                )
                for name in (latin, khmer):
                    keys.append(
                        {"entry_id": n + 1, "kind": "employer", "key": matching.name_key(name)}
                    )
            db.session.execute(insert(RegistryEntry), entries)
            db.session.execute(insert(RegistryName), keys)
        checkpoint()

        queries = []
        for _ in range(args.queries):
            latin, khmer = rng.choice(names)
            queries.append(
                rng.choice(
                    [
                        typo(rng, latin),
                        latin.upper(),
                        khmer.replace("ស្រ្តី", "ស្ត្រី"),
                        "Unknown Bakery Shop",
                    ]
                )
            )
        started = time.perf_counter()
        matching.candidates(queries[0], "employer")
        first = (time.perf_counter() - started) * 1000
        spent = []
        found = 0
        for query in queries:
            started = time.perf_counter()
            result = matching.candidates(query, "employer")
            spent.append((time.perf_counter() - started) * 1000)
            found += bool(result)
        # The same names again, each answer forgotten first: a name seen for the first time
        # (a quarter of the names above are one unknown name, answered from memory after
        # its first time).
        fresh = []
        for query in queries:
            matching._cache["employer"].answers.clear()
            started = time.perf_counter()
            matching.candidates(query, "employer")
            fresh.append((time.perf_counter() - started) * 1000)
        print(f"registry: {args.entries} employers ({db.engine.url.get_backend_name()})")
        print(f"first call (reads the keys): {first:.0f} ms")
        for label, times in (("candidates()", spent), ("names seen for the first time", fresh)):
            print(
                f"{label}: p50 {statistics.median(times):.1f} ms, "
                f"p99 {percentile(times, 0.99):.1f} ms, max {max(times):.1f} ms "
                f"over {len(times)} names"
            )
        print(f"{found} names with a candidate")


if __name__ == "__main__":
    main()
