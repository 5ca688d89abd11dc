"""Choices for the workspace filters, and turning the filter form into CaseFilters."""

from __future__ import annotations

from flask_babel import gettext as _

from grievance import reference
from grievance.cases.presenters import STAFF_STATES
from grievance.domain import PRIORITIES
from grievance.i18n import lang
from grievance.khmer import sorted_choices
from grievance.queues.forms import CaseFilterForm
from grievance.queues.workspace import CaseFilters
from workflows import WORKFLOWS


def state_choices() -> list[tuple[str, str]]:
    """Each state name once, labelled as in the first workflow that has it (grievance)."""
    seen: dict[str, str] = {}
    for name in ("grievance", *sorted(WORKFLOWS)):
        for state in WORKFLOWS[name].states:
            seen.setdefault(state.name, _(STAFF_STATES.get(state.name) or state.label))
    return list(seen.items())


def category_choices() -> list[tuple[str, str]]:
    """Every category, switched-off ones too (old cases still carry them), in the reader's
    alphabetical order."""
    rows = reference.current().categories.values()
    other = [str(c.id) for c in rows if c.code == "other"]
    return sorted_choices(((str(c.id), c.name(lang())) for c in rows), lang(), last=other)


def province_choices() -> list[tuple[str, str]]:
    rows = reference.current().provinces.values()
    return sorted_choices(((p.code, p.name(lang())) for p in rows), lang())


def with_choices(form: CaseFilterForm) -> CaseFilterForm:
    every = ("", _("Any"))
    form.state.choices = [("", _("Open cases")), *state_choices()]
    form.category.choices = [every, *category_choices()]
    form.province.choices = [every, *province_choices()]
    form.priority.choices = [every, *((k, _(v)) for k, v in PRIORITIES.items())]
    return form


def _known(value: str | None, choices: object) -> str:
    keys = {str(k) for k, _label in choices}  # type: ignore[attr-defined]
    return value if value and value in keys else ""


def filters_from(form: CaseFilterForm, *, searching: bool) -> CaseFilters:
    """Unknown values are ignored rather than refused: a stale bookmark still works."""
    form.validate()
    category = _known(form.category.data, form.category.choices)
    text = (form.q.data or "").strip()[:100] if searching else ""
    form.q.data = text
    return CaseFilters(
        scope="all" if form.scope.data == "all" else "mine",
        state=_known(form.state.data, form.state.choices),
        category_id=int(category) if category else None,
        province_code=_known(form.province.data, form.province.choices),
        priority=_known(form.priority.data, form.priority.choices),
        text=text,
        page=form.page.data if isinstance(form.page.data, int) and form.page.data > 0 else 1,
    )
