"""`grievance` never imports `notifications` (only the wiring in create_app names it)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "grievance"
WIRING = {ROOT / "app.py"}  # create_app lists `notifications` among the features it wires


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


def test_grievance_never_imports_notifications() -> None:
    offenders = {
        str(path.relative_to(ROOT.parent))
        for path in ROOT.rglob("*.py")
        if path not in WIRING
        and any(n == "notifications" or n.startswith("notifications.") for n in _imports(path))
    }
    assert offenders == set()
