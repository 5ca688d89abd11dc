"""Public follow-up of forums: the concerns raised at each forum and what became of them.

What is published: per forum, how many concerns are listed and resolved; per forum and
type of problem, how many were raised, resolved, are in progress, or were closed
otherwise (referred, not accepted, withdrawn, joined with another case). Every count goes
through the disclosure rules (suppression.py), with the dashboard's: a forum in a province,
or a type of problem, whose public count the dashboard hides has that count hidden here
too, and a forum's total hidden in the list is hidden on its page. No concern is shown on
its own (its date and outcome would single it out in a small group), nor anything typed by
the person who raised it (free text can carry names), nor the complainant's sex or
reference. What is published of the answers: the public outcome each officer wrote when
answering a concern (words fit to publish, asked for by the answer form), listed once per
different text and in alphabetical order, under its type of problem, and only where that
type of problem's counts of concerns raised and resolved are themselves shown (5 or more,
not hidden).
Confidential and restricted concerns are not counted; the page says that some are handled
in confidence, without their number. The forum's own record (title, place, dates,
organisers, participants) is public.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from grievance.cases.models import Case, Category
from grievance.errors import NotFound
from grievance.extensions import db
from grievance.intake.models import Forum
from grievance.oversight import figures, snapshots
from grievance.oversight.suppression import WITHHELD, Cell, is_suppressed, suppress
from workflows import WORKFLOWS
from workflows.i18n import N_

OUTCOMES = {
    "resolved": N_("Resolved"),
    "in_progress": N_("In progress"),
    "referred": N_("Referred to another office"),
    "rejected": N_("Not accepted"),
    "withdrawn": N_("Withdrawn"),
    "merged": N_("Joined with another case"),
}
PUBLIC_LEVELS = ("normal",)


def outcome(workflow: str, state: str) -> str:
    if not WORKFLOWS[workflow].is_final(state):
        return "in_progress"
    return {"closed": "resolved"}.get(state, state if state in OUTCOMES else "resolved")


COLUMNS = (
    ("raised", N_("Raised")),
    ("resolved", N_("Resolved")),
    ("in_progress", N_("In progress")),
    ("otherwise", N_("Closed otherwise (referred, not accepted, withdrawn or joined)")),
)
COUNTS = tuple(name for name, _label in COLUMNS)


@dataclass
class ForumSummary:
    forum: Forum
    cells: dict[str, Cell]  # listed, resolved: suppressed


@dataclass
class ConcernGroup:
    category_code: str
    cells: dict[str, Cell]  # COUNTS, suppressed
    outcomes: list[str] = field(default_factory=list)  # what was done, where shown


@dataclass
class Report:
    forum: Forum
    groups: list[ConcernGroup]
    total: dict[str, Cell]
    confidential: bool  # some concerns are not counted here


def _blocked() -> set[tuple[str, str]]:
    return figures.blocked_groups(snapshots.figures(snapshots.latest()))


def forums(blocked: set[tuple[str, str]] | None = None) -> list[ForumSummary]:
    """Every forum with its concerns listed and resolved, suppressed across forums (and
    hidden for a forum in a province whose count the dashboard hides, or whose own page
    has to withhold its total)."""
    blocked = _blocked() if blocked is None else blocked
    found = list(db.session.scalars(select(Forum).order_by(Forum.start_date.desc(), Forum.id)))
    rows, hide = [], []
    for i, forum in enumerate(found):
        codes, raw, _confidential = _raw(forum.id)
        rows.append(
            {"listed": sum(r["raised"] for r in raw), "resolved": sum(r["resolved"] for r in raw)}
        )
        _shown, page_total = _suppressed(codes, raw, blocked, hide_total=False)
        withheld = WITHHELD in (page_total["raised"], page_total["resolved"])
        if withheld or ("province", forum.province_code) in blocked:
            hide.append(i)
    total = {k: sum(r[k] for r in rows) for k in ("listed", "resolved")}
    shown, _total = suppress(rows, total, ("listed", "resolved"), (), hide_rows=hide)
    return [ForumSummary(f, cells) for f, cells in zip(found, shown, strict=True)]


def report(forum_id: int) -> Report:
    """What became of a forum's concerns, grouped by type of problem, every count
    suppressed; its total agrees with the forum list (hidden there, hidden here)."""
    found = db.session.get(Forum, forum_id)
    if found is None:
        raise NotFound("forum_not_found")
    blocked = _blocked()
    summary = next(s for s in forums(blocked) if s.forum.id == forum_id)
    listed = {"raised": "listed", "resolved": "resolved"}  # page column -> list column
    hide_total = [c for c, col in listed.items() if is_suppressed(summary.cells[col])]
    codes, raw, confidential = _raw(forum_id)
    shown, shown_total = _suppressed(codes, raw, blocked, hide_total)
    texts = _outcomes(forum_id)
    groups = [
        ConcernGroup(c, cells, texts.get(c, []) if _published(cells) else [])
        for c, cells in zip(codes, shown, strict=True)
    ]
    return Report(found, groups, shown_total, confidential)


def _published(cells: dict[str, Cell]) -> bool:
    # The texts bound how many were answered from below: shown only beside shown counts.
    return not (is_suppressed(cells["raised"]) or is_suppressed(cells["resolved"]))


def _outcomes(forum_id: int) -> dict[str, list[str]]:
    """Type of problem -> the different public outcomes of its concerns, sorted."""
    rows = db.session.execute(
        select(Category.code, Case.public_outcome)
        .join(Category, Category.id == Case.category_id)
        .where(
            Case.forum_id == forum_id,
            Case.confidentiality.in_(PUBLIC_LEVELS),
            Case.public_outcome.is_not(None),
        )
    ).all()
    found: dict[str, set[str]] = {}
    for code, text in rows:
        if text and text.strip():
            found.setdefault(code, set()).add(text.strip())
    return {code: sorted(texts) for code, texts in found.items()}


def _raw(forum_id: int) -> tuple[list[str], list[dict[str, int]], bool]:
    """(types of problem, their counts, whether some concerns are confidential)."""
    rows = db.session.execute(
        select(Category.code, Case.workflow, Case.state, Case.confidentiality)
        .join(Category, Category.id == Case.category_id)
        .where(Case.forum_id == forum_id)
    ).all()
    by_category: dict[str, dict[str, int]] = {}
    confidential = False
    for code, workflow, state, level in rows:
        if level not in PUBLIC_LEVELS:
            confidential = True
            continue
        cells = by_category.setdefault(code, dict.fromkeys(COUNTS, 0))
        cells["raised"] += 1
        result = outcome(workflow, state)
        cells[result if result in ("resolved", "in_progress") else "otherwise"] += 1
    codes = sorted(by_category)
    return codes, [by_category[c] for c in codes], confidential


def _suppressed(
    codes: list[str],
    raw: list[dict[str, int]],
    blocked: set[tuple[str, str]],
    hide_total: bool | list[str],
) -> tuple[list[dict[str, Cell]], dict[str, Cell]]:
    total = {k: sum(r[k] for r in raw) for k in COUNTS}
    hide = [i for i, c in enumerate(codes) if ("category", c) in blocked]
    return suppress(raw, total, COUNTS, (), hide_rows=hide, hide_total=hide_total)


def category_names(lang: str) -> dict[str, str]:
    return {c.code: c.name(lang) for c in db.session.scalars(select(Category))}
