"""Administration screens: the admin home, workflows, staff accounts and the admin log."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from grievance import uow
from grievance.admin import accounts, bulk, queries
from grievance.admin.accounts import AccountData, Saved
from grievance.admin.forms import AccountForm, ActionForm, NewAccountForm, StaffSheetForm
from grievance.auth.decorators import roles_required
from grievance.auth.models import User
from grievance.domain import ADMIN_ACTIONS, LANGUAGES, ROLES, SEXES
from grievance.errors import DomainError, NotFound
from grievance.i18n import lang
from grievance.intake import sheets
from grievance.integrations import public_url
from grievance.khmer import sorted_choices
from grievance.refusals import explain
from grievance.text import clean_text
from workflows.i18n import N_

bp = Blueprint("admin", __name__, url_prefix="/admin")
Page = str | Response | tuple[str, int]


@bp.get("/")
@roles_required("admin")
def index() -> str:
    health = queries.queue_health(accounts.managed_provinces(current_user))
    return render_template("admin/index.html", health=health)


@bp.get("/workflows")
@roles_required("admin", "supervisor")
def workflows() -> str:
    from markupsafe import Markup

    from workflows import WORKFLOWS
    from workflows.diagram import to_svg

    # The SVG is generated from our own definitions, never from user input.
    diagrams = {name: Markup(to_svg(wf)) for name, wf in WORKFLOWS.items()}  # noqa: S704
    return render_template("admin/workflows.html", workflows=WORKFLOWS, diagrams=diagrams)


# -- staff accounts ---------------------------------------------------------------------------


def _choices(form: AccountForm, actor: User) -> AccountForm:
    """Only what this administrator may grant: roles, provinces and queues in scope."""
    scope = accounts.managed_provinces(actor)
    reader = lang()
    grantable = [r for r in ROLES if scope is None or r not in accounts.NATIONWIDE_ONLY]
    form.roles.choices = [(r, _(ROLES[r])) for r in grantable]
    form.sex.choices = [(k, _(v)) for k, v in SEXES.items()]
    form.language.choices = list(LANGUAGES.items())
    names = queries.province_names(reader)
    provinces = sorted_choices(
        [(c, n) for c, n in names.items() if scope is None or c in scope], reader
    )
    form.province.choices = ([("", _("Nationwide"))] if scope is None else []) + provinces
    form.queues.choices = [(q.id, q.name(reader)) for q in accounts.queues_managed_by(actor)]
    return form


def _data(form: AccountForm, username: str = "") -> AccountData:
    return AccountData(
        name=clean_text(form.name.data),
        roles=list(form.roles.data or []),
        province=form.province.data or None,
        sex=form.sex.data or "not_stated",
        language=form.language.data or "km",
        queue_ids=list(form.queues.data or []),
        username=username,
        capacity=form.capacity.data,
    )


def _setup_link(token: str | None) -> str | None:
    return public_url(url_for("auth.setup_password", token=token)) if token else None


@bp.route("/users", methods=["GET", "POST"])
@roles_required("admin")
def users() -> Page:
    form = _choices(NewAccountForm(), current_user)
    if form.validate_on_submit():
        data = _data(form, form.username.data or "")
        if not data.queue_ids:
            data.queue_ids = None  # none ticked: the default (an officer's province queue)
        try:
            saved = accounts.create_account(current_user, data)
        except DomainError as error:
            form.username.errors = [explain(error, N_("This account cannot be created."))]
        else:
            return _done(saved, "create")
    people = queries.accounts_for(current_user, lang())
    status = 400 if form.errors else 200
    return render_template(
        "admin/users.html",
        form=form,
        people=people,
        roles=ROLES,
        provinces=queries.province_names(lang()),
        health=queries.queue_health(accounts.managed_provinces(current_user)),
    ), status


def _done(saved: Saved, action: str) -> str:
    """The page after a step that hands out a set-up link: the link is shown this once."""
    return render_template(
        "admin/done.html",
        user=saved.user,
        action=action,
        link=_setup_link(saved.setup_token),
        joined=saved.joined,
    )


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@roles_required("admin")
def edit_user(user_id: int) -> Page:
    user = _account(user_id)
    form = _choices(AccountForm(obj=user), current_user)
    if not form.is_submitted():
        form.roles.data = sorted({r.role for r in user.roles})
        provinces = {r.province_code for r in user.roles}
        form.province.data = next(iter(provinces)) or "" if len(provinces) == 1 else ""
        managed = {q for q, _label in form.queues.choices}
        form.queues.data = [q.id for q in accounts.queues_managed_by(current_user)
                            if user in q.members and q.id in managed]  # fmt: skip
    elif form.validate():
        try:
            saved = accounts.edit_account(current_user, user, _data(form))
        except DomainError as error:
            form.roles.errors = [explain(error, N_("This account cannot be changed."))]
        else:
            flash(_changed_message(saved), "info")
            return redirect(url_for("admin.users"))
    return render_template(
        "admin/user.html",
        form=form,
        user=user,
        roles=ROLES,
        history=queries.account_history(user),
        actions=ADMIN_ACTIONS,
        provinces=queries.province_names(lang()),
    ), (400 if form.errors else 200)


def _changed_message(saved: Saved) -> str:
    reader = lang()
    parts = [_("Account %(username)s saved.", username=saved.user.username)]
    if saved.joined:
        parts.append(
            _("Joined: %(queues)s.", queues=", ".join(q.name(reader) for q in saved.joined))
        )
    if saved.left:
        parts.append(_("Left: %(queues)s.", queues=", ".join(q.name(reader) for q in saved.left)))
    return " ".join(parts)


def _account(user_id: int) -> User:
    try:
        return accounts.get_account(current_user, user_id)
    except NotFound:
        abort(404)
    except DomainError:
        abort(403)


ACTION_DONE = {
    "deactivate": N_(
        "%(name)s can no longer sign in; every session of theirs has ended. "
        "Their cases stay assigned: reassign them from the workload page."
    ),
    "activate": N_("%(name)s can sign in again."),
    "reset_code": N_(
        "%(name)s's second step is reset; every session of theirs has ended. "
        "At their next sign-in they set up their authenticator app again."
    ),
}


@bp.route(
    "/users/<int:user_id>/<any(deactivate, activate, reset_code, reset_password):action>",
    methods=["GET", "POST"],
)
@roles_required("admin")
def user_action(user_id: int, action: str) -> Page:
    """A confirmation page that says what will happen and asks why; then the step."""
    user = _account(user_id)
    form = ActionForm()
    if form.validate_on_submit():
        try:
            saved = accounts.account_action(current_user, user, action, form.reason.data or "")
        except DomainError as error:
            form.reason.errors = [explain(error)]
        else:
            if action == "reset_password":
                return _done(saved, action)
            flash(_(ACTION_DONE[action], name=user.name), "info")
            return redirect(url_for("admin.users"))
    return render_template("admin/confirm.html", form=form, user=user, action=action), (
        400 if form.errors else 200
    )


@bp.route("/users/import", methods=["GET", "POST"])
@roles_required("admin")
def import_users() -> Page:
    """New accounts from a sheet, all or none; their set-up links are shown this once."""
    form = StaffSheetForm()
    if not form.validate_on_submit():
        return render_template("admin/import.html", form=form), (400 if form.errors else 200)
    data = form.sheet.data.stream.read(sheets.MAX_BYTES + 1)
    result = bulk.import_accounts(current_user, data)
    if result.errors:
        uow.discard()
        problems = [(e.line, _line_message(e)) for e in result.errors]
        return render_template("admin/import.html", form=form, problems=problems), 400
    links = [(s.user, _setup_link(s.setup_token), s.joined) for s in result.saved]
    return render_template("admin/import.html", form=None, links=links)


def _line_message(error: bulk.LineError) -> str:
    if error.code in sheets.MESSAGES:
        return _(sheets.MESSAGES[error.code])
    return explain(DomainError(error.code, error.detail), N_("This account cannot be created."))


@bp.get("/log")
@roles_required("admin")
def audit_log() -> str:
    return render_template(
        "admin/log.html",
        entries=queries.audit_entries(current_user),
        actions=ADMIN_ACTIONS,
    )
