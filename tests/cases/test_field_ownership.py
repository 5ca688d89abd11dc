"""Who owns which case field: the workflow engine owns state and assignee, the deadline
clock owns deadlines, overdue and priority, routing owns the queue. Each field is set
only in its owner's modules (checked in the source), and every change after filing writes
a timeline event that says so (checked by running the changes)."""

from __future__ import annotations

import ast
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from grievance.cases.models import Case
from grievance.extensions import db
from grievance.queues.models import Queue
from grievance.sla.sweep import sweep
from tests.factories import make_case

ROOT = Path(__file__).resolve().parents[2]
OWNERS = {
    "state": {"grievance/cases/transitions.py"},
    "assignee_id": {"grievance/cases/transitions.py"},
    "queue_id": {"grievance/queues/routing.py", "grievance/cases/services.py"},
    "priority": {"grievance/sla/services.py"},
    "overdue": {"grievance/sla/clocks.py", "grievance/sla/services.py", "grievance/sla/sweep.py"},
    "ack_due_at": {"grievance/sla/clocks.py", "grievance/sla/services.py"},
    "resolve_due_at": {"grievance/sla/clocks.py", "grievance/sla/services.py"},
    "escalation_level": {"grievance/cases/transitions.py"},
}
CASE_NAMES = {"case", "c", "target", "fresh"}


def _assignments(tree: ast.AST) -> list[tuple[str, int]]:
    found = []
    for node in ast.walk(tree):
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        for target in targets:
            for element in target.elts if isinstance(target, ast.Tuple) else [target]:
                if (
                    isinstance(element, ast.Attribute)
                    and isinstance(element.value, ast.Name)
                    and element.value.id in CASE_NAMES
                    and element.attr in OWNERS
                ):
                    found.append((element.attr, node.lineno))
    return found


def test_each_case_field_is_set_only_by_its_owner() -> None:
    strays = []
    for package in ("grievance", "notifications"):
        for path in sorted((ROOT / package).rglob("*.py")):
            rel = str(path.relative_to(ROOT))
            for field, line in _assignments(ast.parse(path.read_text(encoding="utf-8"))):
                if rel not in OWNERS[field]:
                    strays.append(f"{rel}:{line} sets case.{field}")
    assert strays == []


def test_an_escalation_says_which_queue_the_case_moved_to() -> None:
    case = make_case().case
    national = db.session.scalar(select(Queue).where(Queue.code == "national"))
    assert national is not None and case.queue_id != national.id
    sweep(case.resolve_due_at + timedelta(minutes=1))  # level 1: its province office
    db.session.expire_all()
    case = db.session.get(Case, case.id)
    assert case.escalation_level == 1 and not [e for e in case.events if e.kind == "queue"]
    sweep(case.resolve_due_at + timedelta(minutes=1))  # level 2: the national unit
    db.session.expire_all()
    case = db.session.get(Case, case.id)
    assert case.escalation_level == 2 and case.queue_id == national.id
    moves = [e for e in case.events if e.kind == "queue"]
    assert len(moves) == 1
    assert moves[0].data["to"] == "national" and moves[0].data["reason"] == "escalation"
    filed = case.events[0]
    assert filed.kind == "filed" and filed.data["queue"] == moves[0].data["from"]
