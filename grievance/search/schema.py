"""Database objects of the search index that SQLAlchemy models cannot describe."""

from __future__ import annotations

FTS_TABLE = "case_search_fts"


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """For Alembic's comparisons: the FTS5 table and its shadow tables are the migration's."""
    return not (type_ == "table" and name is not None and name.startswith(FTS_TABLE))
