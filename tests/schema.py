"""Reading CHECK constraints back from a database and from the models, for the schema guard
in tests/test_seed_and_migrations.py."""

from __future__ import annotations

import re

from sqlalchemy import CheckConstraint, Engine, MetaData, inspect

Key = tuple[str, str]  # (table, constraint name)
_LITERAL = re.compile(r"'((?:[^']|'')*)'")
_LIST = re.compile(r"\bIN\s*\(|=\s*ANY\s*\(", re.IGNORECASE)


def normalised(sql: str) -> str:
    """One spelling for one constraint: single spaces, no enclosing parentheses."""
    text = " ".join(sql.split())
    while text.startswith("(") and text.endswith(")") and _balanced(text[1:-1]):
        text = text[1:-1].strip()
    return text


def _balanced(text: str) -> bool:
    depth = 0
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


def check_constraints(engine: Engine, normalise: bool = True) -> dict[Key, str]:
    """Every named CHECK constraint of every table in the database, with its SQL."""
    inspector = inspect(engine)
    found: dict[Key, str] = {}
    for table in inspector.get_table_names():
        for check in inspector.get_check_constraints(table):
            sql = str(check["sqltext"])
            found[(table, str(check["name"]))] = normalised(sql) if normalise else sql
    return found


def model_check_constraints(metadata: MetaData) -> dict[Key, str]:
    """Every CHECK constraint the models declare (names as the naming convention makes them)."""
    return {
        (table.name, str(constraint.name)): str(constraint.sqltext)
        for table in metadata.tables.values()
        for constraint in table.constraints
        if isinstance(constraint, CheckConstraint)
    }


def allowed_values(sql: str) -> frozenset[str]:
    """The string literals of a `column IN ('a', 'b')` constraint, however the server spells
    it back (PostgreSQL: `(col)::text = ANY (ARRAY['a'::character varying, ...])`); empty for
    constraints that are not value lists."""
    if not _LIST.search(sql):
        return frozenset()
    return frozenset(value.replace("''", "'") for value in _LITERAL.findall(sql))
