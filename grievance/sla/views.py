"""SLA screens: calendar and closures, policies (admins); a case's priority (case page)."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from grievance import uow
from grievance.auth.decorators import roles_required
from grievance.cases import queries, transitions
from grievance.cases.models import Case, Category, Province
from grievance.domain import KINDS, PRIORITIES
from grievance.errors import DomainError
from grievance.extensions import db
from grievance.i18n import lang
from grievance.khmer import sorted_choices
from grievance.refusals import explain
from grievance.sla import admin, services, status
from grievance.sla.forms import ClosureForm, NewPolicyForm, PolicyForm, PriorityForm, RemoveForm
from grievance.sla.models import SlaPolicy
from grievance.types import utcnow

bp = Blueprint("sla", __name__, url_prefix="/sla")


def template_helpers() -> dict[str, Any]:
    return {
        "sla_status": status.for_template,
        "sla_text": status.describe,
        "sla_clock_labels": status.CLOCK_LABELS,
        "sla_levels": status.LEVELS,
        "expected_date": status.expected_date,
        "sla_priority_form": _priority_form_for,
    }


def _priority_form_for(case: Case) -> PriorityForm | None:
    """The case page's priority form, for those who may use it."""
    if not current_user.is_authenticated:
        return None
    if not services.can_change_priority(case, transitions.actor_for(current_user)):
        return None
    return priority_form(case)


def _today() -> date:
    return utcnow().astimezone(status.request_calendar().tz).date()


# -- calendar and closures ----------------------------------------------------------------


def _managed() -> set[str] | None:
    return admin.managed_provinces(current_user)


def _all_provinces() -> list[tuple[str, str]]:
    rows = db.session.scalars(select(Province))
    return sorted_choices(((p.code, p.name(lang())) for p in rows), lang())


def _province_choices() -> list[tuple[str, str]]:
    managed = _managed()
    return [(code, name) for code, name in _all_provinces() if managed is None or code in managed]


def _calendar_page(form: ClosureForm, code: int = 200) -> tuple[str, int]:
    today = _today()
    coming, past = admin.closures(today)
    page = render_template(
        "sla/calendar.html",
        form=form,
        remove=RemoveForm(),
        holidays=admin.upcoming_holidays(today),
        coming=coming,
        past=past[:20],
        provinces=dict(_all_provinces()),
        managed=_managed(),
    )
    return page, code


@bp.get("/calendar")
@roles_required("admin")
def calendar() -> tuple[str, int]:
    form = ClosureForm()
    form.provinces.choices = _province_choices()
    return _calendar_page(form)


@bp.post("/closures")
@roles_required("admin")
def add_closure() -> Response | tuple[str, int]:
    form = ClosureForm()
    form.provinces.choices = _province_choices()
    if not form.validate():
        return _calendar_page(form, 400)
    try:
        admin.add_closure(
            form.start.data,
            form.end.data,
            form.provinces.data or [],
            form.reason.data or "",
            actor_id=current_user.id,
            within=_managed(),
        )
    except DomainError as error:
        uow.discard()
        flash(explain(error), "error")
        return _calendar_page(form, 400)
    flash(_("Closure saved. Deadlines of open cases are being recalculated."), "info")
    return redirect(url_for(".calendar"))


@bp.post("/closures/<int:closure_id>/remove")
@roles_required("admin")
def remove_closure(closure_id: int) -> Response:
    if not RemoveForm().validate():
        abort(400)
    try:
        admin.remove_closure(closure_id, within=_managed())
    except DomainError:
        abort(404)
    flash(_("Closure removed. Deadlines of open cases are being recalculated."), "info")
    return redirect(url_for(".calendar"))


# -- policies -----------------------------------------------------------------------------


def _scope_choices() -> list[tuple[str, Any]]:
    kinds = [(f"kind:{k}", _l("All categories: %(kind)s", kind=_l(v))) for k, v in KINDS.items()]
    rows = db.session.scalars(select(Category).where(Category.active.is_(True)))
    pairs = ((f"category:{c.id}", c.name(lang())) for c in rows)
    return kinds + sorted_choices(pairs, lang())


def _policies_page(form: NewPolicyForm, code: int = 200) -> tuple[str, int]:
    categories = {c.id: c for c in db.session.scalars(select(Category))}
    page = render_template(
        "sla/policies.html",
        policies=admin.active_policies(),
        categories=categories,
        form=form,
        kinds=KINDS,
        priorities=PRIORITIES,
        nationwide=_managed() is None,
    )
    return page, code


@bp.get("/policies")
@roles_required("admin")
def policies() -> tuple[str, int]:
    form = NewPolicyForm()
    form.scope.choices = _scope_choices()
    return _policies_page(form)


@bp.post("/policies")
@roles_required("admin")
def new_policy() -> Response | tuple[str, int]:
    admin.check_policy_editor(current_user)
    form = NewPolicyForm()
    form.scope.choices = _scope_choices()
    if not form.validate():
        return _policies_page(form, 400)
    what, _sep, value = str(form.scope.data).partition(":")
    category_id = int(value) if what == "category" else None
    kind = value if what == "kind" else "grievance"
    try:
        admin.create_policy(
            category_id, kind, str(form.priority.data), form.data_for_service(), current_user
        )
    except DomainError as error:
        uow.discard()
        flash(explain(error), "error")
        return _policies_page(form, 400 if error.status == 400 else 409)
    flash(_("Policy saved. It applies to cases filed from now on."), "info")
    return redirect(url_for(".policies"))


@bp.route("/policies/<int:policy_id>", methods=["GET", "POST"])
@roles_required("admin")
def edit_policy(policy_id: int) -> Response | tuple[str, int]:
    admin.check_policy_editor(current_user)
    policy = db.session.get(SlaPolicy, policy_id)
    if policy is None or not policy.active:
        abort(404)
    form = PolicyForm(obj=_current_values(policy))  # a POST's own values take precedence
    if form.validate_on_submit():
        try:
            admin.revise_policy(policy.id, form.data_for_service(), current_user)
        except DomainError as error:
            uow.discard()
            flash(explain(error), "error")
        else:
            flash(_("New version saved. Open cases keep the version they started with."), "info")
            return redirect(url_for(".policies"))
    category = db.session.get(Category, policy.category_id) if policy.category_id else None
    page = render_template(
        "sla/policy_edit.html", form=form, policy=policy, category=category, kinds=KINDS
    )
    return page, 400 if form.is_submitted() else 200


def _current_values(policy: SlaPolicy) -> SimpleNamespace:
    targets = [policy.level_target(level) or policy.resolve for level in (1, 2, 3)]
    return SimpleNamespace(
        unit=policy.unit,
        acknowledge=policy.acknowledge,
        resolve=policy.resolve,
        level1=targets[0],
        level2=targets[1],
        level3=targets[2],
    )


# -- a case's priority --------------------------------------------------------------------


@bp.post("/cases/<reference>/priority")
@roles_required("officer", "supervisor", "admin")
def change_priority(reference: str) -> Response:
    case = queries.load_case(reference, current_user)
    form = priority_form(case)
    target = url_for("cases.show", reference=case.reference) + "#sla"
    if not form.validate():
        flash(_("Choose a priority and give a reason."), "error")
        return redirect(target)
    try:
        services.change_priority(
            case,
            str(form.priority.data),
            transitions.actor_for(current_user),
            form.reason.data or "",
        )
    except DomainError as error:
        uow.discard()
        flash(explain(error), "error")
        return redirect(target)
    flash(_("Priority changed; the deadlines were recalculated."), "info")
    return redirect(target)


def priority_form(case: Case) -> PriorityForm:
    form = PriorityForm()
    form.priority.choices = [(k, _l(v)) for k, v in PRIORITIES.items() if k != case.priority]
    return form
