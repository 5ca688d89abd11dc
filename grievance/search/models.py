"""The search index: one row per case with the terms it is found under.

PostgreSQL keeps them in `case_search.doc`, a tsvector built here (positions and weights:
the complainant's name A, the employer or facility B, the narrative D) with a GIN index.
SQLite keeps them in the FTS5 table `case_search_fts` (columns description, concerned,
names; rowid = case id), which the models cannot describe: the migration creates it and
`schema.include_name` keeps it out of model/migration comparisons. On SQLite `doc` is NULL.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ForeignKey, Index, SmallInteger, Text, text
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from grievance.extensions import db
from grievance.khmer import KEY_VERSION

BUCKET = 10_000  # case ids per bucket lexeme
MAX_TERMS = 4000  # per case; a narrative of 10,000 characters has fewer
WEIGHTS = {"description": "", "concerned": "B", "names": "A"}  # "" is D, the default


@dataclass
class Terms:
    """The terms of one case, field by field (see grievance.khmer.terms)."""

    description: list[str] = field(default_factory=list)
    concerned: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)

    def tsvector(self, case_id: int | None = None) -> str:
        """PostgreSQL's tsvector input syntax, built here so that no text search parser
        (whose idea of a letter depends on the server's locale) cuts Khmer words. With the
        case id, the lexeme of its id bucket is added (see `bucket_lexeme`)."""
        positions: dict[str, list[str]] = {}
        position = 0
        for name, weight in WEIGHTS.items():
            for term in getattr(self, name):
                position += 1
                if position > MAX_TERMS or len(term.encode()) > 2000:
                    continue
                positions.setdefault(term, []).append(f"{min(position, 16383)}{weight}")
        lexemes = [
            "'" + term.replace("\\", "\\\\").replace("'", "''") + "':" + ",".join(at)
            for term, at in positions.items()
        ]
        if case_id is not None:
            lexemes.append(f"'{bucket_lexeme(case_id // BUCKET)}'")
        return " ".join(lexemes)


def bucket_lexeme(bucket: int) -> str:
    """A lexeme no word can be ("~" is neither a letter nor a digit) naming a range of
    BUCKET case ids: the search asks for the newest ranges first from the GIN index alone
    (grievance.search.query)."""
    return f"~{bucket}"


class SearchDocument(TypeDecorator[Any]):
    """tsvector on PostgreSQL, from `Terms` (or a tsvector literal); nothing on SQLite,
    where FTS5 holds the terms."""

    impl = Text
    cache_ok = True

    def load_dialect_impl(self, dialect: Any) -> Any:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(TSVECTOR())
        return dialect.type_descriptor(Text())

    def process_bind_param(self, value: Terms | str | None, dialect: Any) -> str | None:
        if value is None or dialect.name != "postgresql":
            return None
        return value.tsvector() if isinstance(value, Terms) else value


class CaseSearch(db.Model):  # type: ignore[name-defined]
    __tablename__ = "case_search"
    __table_args__ = (
        Index(
            "ix_case_search_doc",
            "doc",
            postgresql_using="gin",
            sqlite_where=text("0"),  # same index names on both backends; FTS5 serves SQLite
        ),
    )

    case_id: Mapped[int] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True
    )
    doc: Mapped[Any] = mapped_column(SearchDocument(), nullable=True)
    # The khmer_key version the terms were made with: `flask search reindex` renews older.
    key_version: Mapped[int] = mapped_column(SmallInteger, default=KEY_VERSION)
