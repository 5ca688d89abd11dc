"""`flask search reindex`: (re)build the search terms of every case, in batches."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import or_, select

from grievance import uow
from grievance.cases.models import Case, Person
from grievance.extensions import db
from grievance.khmer import KEY_VERSION
from grievance.search.documents import store, terms_of
from grievance.search.models import CaseSearch

search_cli = AppGroup("search", help="The case search index.")
BATCH = 500


def stale_ids(after: int, everything: bool) -> list[int]:
    query = select(Case.id).where(Case.id > after).order_by(Case.id).limit(BATCH)
    if not everything:
        query = query.outerjoin(CaseSearch, CaseSearch.case_id == Case.id).where(
            or_(CaseSearch.case_id.is_(None), CaseSearch.key_version != KEY_VERSION)
        )
    return list(db.session.scalars(query))


def reindex_batch(ids: list[int]) -> None:
    rows = db.session.execute(
        select(Case.id, Case.description, Case.concerned_name, Person.name)
        .outerjoin(Person, Person.id == Case.complainant_id)
        .where(Case.id.in_(ids))
    )
    store({r[0]: terms_of(r[1], r[2], r[3]) for r in rows})


@search_cli.command("reindex")
@click.option("--all", "everything", is_flag=True, help="every case, not only missing or old")
def reindex_cmd(everything: bool) -> None:
    """Index the cases that have no search terms yet, or terms of an older key."""
    done, after = 0, 0
    while ids := stale_ids(after, everything):
        uow.run(reindex_batch, ids)
        done += len(ids)
        after = ids[-1]
    click.echo(f"{done} case(s) indexed")
