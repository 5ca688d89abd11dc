"""Reference data every installation needs: provinces, categories, SLA defaults, queues.

Idempotent: rows are matched by their natural key and only missing ones are added, so an
admin's later edits are kept.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import select

from grievance.cases.models import Category, Province
from grievance.extensions import db
from grievance.queues.models import Queue
from grievance.sla.models import SlaPolicy

DATA = Path(__file__).parent / "data"

# Working days (DESIGN.md): (acknowledge, resolve, [province, national, oversight] per level).
DEFAULT_SLA: dict[tuple[str, str], tuple[float, float, list[float]]] = {
    ("grievance", "urgent"): (1, 5, [2, 2, 2]),
    ("grievance", "high"): (2, 10, [5, 5, 5]),
    ("grievance", "normal"): (2, 20, [5, 5, 5]),
    ("grievance", "low"): (2, 30, [10, 10, 10]),
    ("information_request", "normal"): (2, 5, [2, 2, 2]),
    ("information_request", "high"): (1, 3, [2, 2, 2]),
    ("suggestion", "normal"): (5, 20, [10, 10, 10]),
}


def rows(name: str) -> Iterator[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle)


def seed_reference() -> dict[str, int]:
    added = {"provinces": 0, "categories": 0, "sla_policies": 0, "queues": 0}
    for row in rows("provinces.csv"):
        if db.session.get(Province, row["iso_code"]) is None:
            db.session.add(
                Province(code=row["iso_code"], name_en=row["name_en"], name_km=row["name_km"])
            )
            added["provinces"] += 1
    for row in rows("categories.csv"):
        if not db.session.scalar(select(Category.id).where(Category.code == row["code"])):
            db.session.add(
                Category(
                    code=row["code"],
                    name_en=row["name_en"],
                    name_km=row["name_km"],
                    kind=row["kind"],
                    default_priority=row["default_priority"],
                    notes=row.get("notes") or "",
                )
            )
            added["categories"] += 1
    for (kind, priority), (ack, resolve, ladder) in DEFAULT_SLA.items():
        exists = select(SlaPolicy.id).where(
            SlaPolicy.kind == kind, SlaPolicy.priority == priority, SlaPolicy.category_id.is_(None)
        )
        if not db.session.scalar(exists):
            db.session.add(
                SlaPolicy(
                    kind=kind,
                    priority=priority,
                    acknowledge=ack,
                    resolve=resolve,
                    escalation=ladder,
                )
            )
            added["sla_policies"] += 1
    db.session.flush()
    added["queues"] = _seed_queues()
    db.session.flush()
    return added


def _seed_queues() -> int:
    harassment = db.session.scalar(
        select(Category.id).where(Category.code == "harassment_retaliation")
    )
    wanted = [
        Queue(
            code="restricted",
            name_en="Restricted cases (sexual harassment, retaliation)",
            name_km="ករណីហាមឃាត់ (ការយាយីផ្លូវភេទ ការសងសឹក)",
            position=10,
            category_id=harassment,
            restricted=True,
        ),
        Queue(
            code="national",
            name_en="National grievance unit",
            name_km="អង្គភាពដោះស្រាយបណ្តឹងថ្នាក់ជាតិ",
            position=900,
            level=1,
        ),
        Queue(
            code="oversight",
            name_en="Oversight escalations",
            name_km="ការលើកឡើងទៅស្ថាប័នត្រួតពិនិត្យ",
            position=1000,
            level=2,
        ),
    ]
    for province in db.session.scalars(select(Province).order_by(Province.code)):
        wanted.append(
            Queue(
                code=f"office-{province.code.lower()}",
                name_en=f"{province.name_en} office",
                name_km=f"ការិយាល័យ{province.name_km}",
                position=50,
                province_code=province.code,
            )
        )
    existing = set(db.session.scalars(select(Queue.code)))
    new = [q for q in wanted if q.code not in existing]
    db.session.add_all(new)
    return len(new)
