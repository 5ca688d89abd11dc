"""Administration screens: the admin home, workflows, staff accounts."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from grievance.admin.forms import UserForm
from grievance.auth import roles_required
from grievance.auth.models import User
from grievance.auth.services import account_action, create_user
from grievance.cases.models import Province
from grievance.domain import LANGUAGES, ROLES
from grievance.errors import DomainError
from grievance.extensions import db
from grievance.refusals import explain
from grievance.text import clean_text
from workflows.i18n import N_

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/")
@roles_required("admin")
def index() -> str:
    return render_template("admin/index.html")


@bp.get("/workflows")
@roles_required("admin", "supervisor")
def workflows() -> str:
    from markupsafe import Markup

    from workflows import WORKFLOWS
    from workflows.diagram import to_svg

    # The SVG is generated from our own definitions, never from user input.
    diagrams = {name: Markup(to_svg(wf)) for name, wf in WORKFLOWS.items()}  # noqa: S704
    return render_template("admin/workflows.html", workflows=WORKFLOWS, diagrams=diagrams)


def _user_form() -> UserForm:
    form = UserForm()
    form.roles.choices = [(k, _(v)) for k, v in ROLES.items()]
    form.language.choices = list(LANGUAGES.items())
    provinces = db.session.scalars(select(Province).order_by(Province.code))
    form.province.choices = [("", _("Nationwide"))] + [(p.code, p.name_en) for p in provinces]
    return form


@bp.route("/users", methods=["GET", "POST"])
@roles_required("admin")
def users() -> str | Response | tuple[str, int]:
    form = _user_form()
    if form.validate_on_submit():
        province = form.province.data or None
        try:
            user = create_user(
                form.username.data or "",
                form.password.data or "",
                clean_text(form.name.data),
                [(role, province) for role in form.roles.data or []],
                language=form.language.data or "km",
            )
        except DomainError as error:
            form.username.errors = [explain(error, N_("This account cannot be created."))]
        else:
            flash(_("Account %(username)s created.", username=user.username), "info")
            return redirect(url_for("admin.users"))
    people = db.session.scalars(select(User).order_by(User.active.desc(), User.name))
    status = 400 if form.errors else 200
    return render_template("admin/users.html", form=form, people=people, roles=ROLES), status


@bp.post("/users/<int:user_id>/<any(deactivate, activate, reset_code):action>")
@roles_required("admin")
def user_action(user_id: int, action: str) -> Response:
    user = db.session.get(User, user_id)
    if user is None:
        return redirect(url_for("admin.users"))
    try:
        account_action(current_user, user, action)
    except DomainError as error:
        flash(explain(error), "error")
        return redirect(url_for("admin.users"))
    flash(_("Saved."), "info")
    return redirect(url_for("admin.users"))
