"""Read side of the officer's workspace: my cases and search (queues: overview.py).

Every query carries `policy.visible_clause`, so lists, counts and search results never
include a case the reader could not open (restricted cases above all).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from math import ceil
from typing import Any

from markupsafe import Markup
from sqlalchemy import ColumnElement, Select, and_, false, func, or_, select
from sqlalchemy import text as sql_text
from sqlalchemy.orm import selectinload

from grievance.auth.models import User
from grievance.cases import policy
from grievance.cases.models import Case, Person
from grievance.extensions import db
from grievance.phones import to_e164
from grievance.queues.assignment import OPEN_STATES
from grievance.search import highlight
from grievance.search import query as search_query
from grievance.search.models import CaseSearch
from grievance.security import normalize_reference
from workflows import WORKFLOWS

PAGE_SIZE = 50
# "All cases I may see" can be most of the database: it is counted up to here (shown as
# "1,000+") and paged no further, read in ix_cases_open_urgency's order, so that a page
# costs the same at 10,000 cases as at 1,000,000. Narrow it with the filters or a search.
COUNT_CAP = 1000
# States in which the resolve deadline is running (paused or stopped elsewhere).
RESOLVE_RUNNING = frozenset(
    s.name for wf in WORKFLOWS.values() for s in wf.states if "resolve" in s.clocks
)


@dataclass
class CaseFilters:
    scope: str = "mine"  # "mine": assigned to me; "all": every case I may see
    state: str = ""  # "": open cases (every state when searching)
    category_id: int | None = None
    province_code: str = ""
    priority: str = ""
    text: str = ""
    page: int = 1


@dataclass
class Page:
    cases: list[Case]
    total: int
    page: int
    pages: int = field(init=False)
    capped: bool = False  # the total is a minimum

    def __post_init__(self) -> None:
        self.pages = max(1, ceil(self.total / PAGE_SIZE))


def overdue_clause(now: datetime, cols: Any = Case) -> ColumnElement[bool]:
    """Overdue: flagged by the SLA sweep, or past its resolve deadline with the clock
    running. `cols`: the Case columns, or a subquery's with the same names."""
    running = and_(
        cols.paused_at.is_(None), cols.state.in_(RESOLVE_RUNNING), cols.resolve_due_at < now
    )
    return or_(cols.overdue.is_(True), running)


def is_overdue(case: Case, now: datetime) -> bool:
    if case.overdue:
        return True
    due = case.resolve_due_at
    return (
        case.paused_at is None and case.state in RESOLVE_RUNNING and due is not None and due < now
    )


def _by_urgency(query: Select[Any]) -> Select[Any]:
    """Overdue first, then the earliest deadline: the cases the SLA sweep flagged, then by
    deadline, which puts the past-due ones next (ix_cases_assignee_open has this order)."""
    return query.order_by(Case.overdue.desc(), Case.resolve_due_at.asc().nulls_last(), Case.id)


def identity_clause(user: User) -> ColumnElement[bool]:
    """Cases whose complainant the reader may see: names and phones are searched there."""
    return or_(Case.confidentiality == "normal", Case.assignee_id == user.id)


def search_clause(user: User, text: str) -> ColumnElement[bool] | None:
    """A reference or a phone number (in Khmer or Latin digits, any local form), or None
    for words: those go to the full-text index (grievance.search). Phones match only where
    the reader may see who filed (confidential cases: their assigned officer only)."""
    ref = normalize_reference(text)
    if ref:
        return Case.reference == ref
    phone = to_e164(text)
    if phone:
        people = select(Person.id).where(Person.phone == phone)
        return and_(identity_clause(user), Case.complainant_id.in_(people))
    return None


def _filtered(
    query: Select[tuple[int]], user: User, f: CaseFilters
) -> tuple[Select[tuple[int]], ColumnElement[Any] | None]:
    """The filters applied, and the search rank when words were searched."""
    if f.state:
        query = query.where(Case.state == f.state)
    elif not f.text:
        query = query.where(Case.state.in_(OPEN_STATES))
    if (f.state in OPEN_STATES) or not (f.state or f.text):
        # Open means not closed: saying so lets the partial indexes on open cases serve.
        query = query.where(Case.closed_at.is_(None))
    if f.category_id:
        query = query.where(Case.category_id == f.category_id)
    if f.province_code:
        query = query.where(Case.province_code == f.province_code)
    if f.priority:
        query = query.where(Case.priority == f.priority)
    if not f.text:
        return query, None
    exact = search_clause(user, f.text)
    if exact is not None:
        return query.where(exact), None
    parsed = search_query.parse(f.text)
    if not parsed:
        return query.where(false()), None
    dialect = db.session.get_bind().dialect.name
    newest = None
    if dialect == "postgresql":
        newest = db.session.scalar(select(func.max(CaseSearch.case_id)))
        # The best plan depends on how common the words are. psycopg prepares a statement
        # run five times, and PostgreSQL may then keep one generic plan for every word,
        # which walks the whole table for a common one (seconds at 1M cases).
        db.session.execute(sql_text("SET LOCAL plan_cache_mode = force_custom_plan"))
    return search_query.narrow(query, parsed, identity_clause(user), dialect, newest)


def snippets(page: Page, text: str) -> dict[int, Markup]:
    """For a word search: each found case's narrative (or employer) around the match, the
    matching words marked. Names are never shown here."""
    if not text or normalize_reference(text) or to_e164(text):
        return {}
    parsed = search_query.parse(text)
    found = {}
    for case in page.cases:
        shown = highlight.snippet(case.description, parsed)
        shown = shown or highlight.snippet(case.concerned_name, parsed)
        if shown:
            found[case.id] = shown
    return found


def _ordered(
    ids: Select[tuple[Any, ...]], urgency: bool, rank: ColumnElement[Any] | None = None
) -> Select[Any]:
    if rank is not None:  # a search: the best match first, then the newest
        return ids.order_by(rank.desc(), ids.selected_columns[0].desc())
    if urgency:
        return _by_urgency(ids)
    return ids.order_by(Case.resolve_due_at.asc().nulls_last(), Case.id)


def page_of(
    ids: Select[tuple[int]],
    page: int,
    *,
    urgency: bool = True,
    total: int | None = None,
    with_officer: bool = False,
    rank: ColumnElement[Any] | None = None,
) -> Page:
    """One page of the cases whose ids `ids` selects. The ids are sorted and cut first
    (from the narrow partial indexes), then only the page's rows are loaded; the total
    comes with the ids (a window count) unless the caller knows it."""
    page = max(1, page)
    offset = (page - 1) * PAGE_SIZE
    if total is None:
        counted = _ordered(ids.add_columns(func.count().over()), urgency, rank)
        rows = db.session.execute(counted.limit(PAGE_SIZE).offset(offset)).all()
        if rows or page == 1:
            total = int(rows[0][1]) if rows else 0
            return _load([int(r[0]) for r in rows], total, page, with_officer)
        total = db.session.scalar(select(func.count()).select_from(ids.subquery())) or 0
    page = min(page, max(1, ceil(total / PAGE_SIZE)))
    cut = _ordered(ids, urgency, rank).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
    return _load(list(db.session.scalars(cut)), total, page, with_officer)


def _load(wanted: list[int], total: int, page: int, with_officer: bool) -> Page:
    query = select(Case).where(Case.id.in_(wanted))  # category and province: joined
    if with_officer:
        query = query.options(selectinload(Case.assignee))
    loaded = db.session.scalars(query)
    by_id = {c.id: c for c in loaded}
    return Page([by_id[i] for i in wanted if i in by_id], total, page)


def case_list(user: User, filters: CaseFilters) -> Page:
    """My cases (or all I may see), overdue first, then by earliest deadline."""
    query = select(Case.id)
    everyone = filters.scope == "all"
    if everyone:
        query = query.where(policy.visible_clause(user))
    else:
        query = query.where(Case.assignee_id == user.id)
    query, rank = _filtered(query, user, filters)
    counted = capped_count(query) if everyone and rank is None else None
    total = None if counted is None else min(counted, COUNT_CAP)
    page = page_of(query, filters.page, with_officer=everyone, rank=rank, total=total)
    page.capped = (rank is not None and page.total >= search_query.CANDIDATES) or (
        counted is not None and counted > COUNT_CAP
    )
    return page


def capped_count(ids: Select[tuple[int]]) -> int:
    """How many cases `ids` selects, counting no further than COUNT_CAP + 1."""
    first = ids.limit(COUNT_CAP + 1).subquery()
    return int(db.session.scalar(select(func.count()).select_from(first)) or 0)
