"""Keeping a case's search terms: written by the filing service in the same transaction."""

from __future__ import annotations

from sqlalchemy import delete, insert, text

from grievance.extensions import db
from grievance.khmer import KEY_VERSION, terms
from grievance.search.models import CaseSearch, Terms
from grievance.search.schema import FTS_TABLE


def terms_of(description: str | None, concerned: str | None, name: str | None) -> Terms:
    return Terms(
        description=terms(description or ""),
        concerned=terms(concerned or ""),
        names=terms(name or ""),
    )


def store(rows: dict[int, Terms], *, new: bool = False) -> None:
    """Index (or index again) cases: {case id: its terms}. `new`: cases just filed, which
    have no row to replace (the filing path saves the two DELETEs). Flushes, never commits."""
    if not rows:
        return
    session = db.session
    ids = list(rows)
    sqlite = session.get_bind().dialect.name == "sqlite"
    if not new:
        session.execute(delete(CaseSearch).where(CaseSearch.case_id.in_(ids)))
        if sqlite:
            marks = ",".join(str(int(i)) for i in ids)
            session.execute(text(f"DELETE FROM {FTS_TABLE} WHERE rowid IN ({marks})"))  # noqa: S608
    session.execute(
        insert(CaseSearch.__table__),  # the plain table: no ORM bulk-insert machinery
        [
            {"case_id": i, "doc": t.tsvector(case_id=i), "key_version": KEY_VERSION}
            for i, t in rows.items()
        ],
    )
    if sqlite:
        session.execute(
            text(
                f"INSERT INTO {FTS_TABLE} (rowid, description, concerned, names) "  # noqa: S608
                "VALUES (:id, :description, :concerned, :names)"
            ),
            [
                {
                    "id": i,
                    "description": " ".join(t.description),
                    "concerned": " ".join(t.concerned),
                    "names": " ".join(t.names),
                }
                for i, t in rows.items()
            ],
        )


def index_case(case_id: int, description: str, concerned: str | None, name: str | None) -> None:
    """The terms of a case just filed."""
    store({case_id: terms_of(description, concerned, name)}, new=True)
