"""Staff accounts: list, create, deactivate and reactivate, reset the second step."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms import PasswordField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from grievance import nav
from grievance.admin.views import bp
from grievance.auth import roles_required
from grievance.auth.models import User
from grievance.auth.services import create_user, set_active
from grievance.cases.models import Province
from grievance.domain import LANGUAGES, ROLES
from grievance.errors import DomainError
from grievance.extensions import db
from grievance.jobs import commit
from grievance.text import clean_text

nav.add("admin.users", "Staff accounts", "admin", order=85)


class UserForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=80)])
    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)])
    roles = SelectMultipleField(
        _l("Roles"),
        choices=[],
        validators=[DataRequired()],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    province = SelectField(_l("Province (empty: nationwide)"), choices=[])
    language = SelectField(_l("Language"), choices=[])
    password = PasswordField(
        _l("First password (at least 10 characters)"), validators=[DataRequired()]
    )


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
            form.username.errors = [_account_message(error.code)]
        else:
            commit()
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
    if user.id == current_user.id and action == "deactivate":
        flash(_("You cannot deactivate your own account."), "error")
        return redirect(url_for("admin.users"))
    if action == "reset_code":
        user.totp_secret = None
        user.session_version += 1
    else:
        set_active(user, action == "activate")
    commit()
    flash(_("Saved."), "info")
    return redirect(url_for("admin.users"))


def _account_message(code: str) -> str:
    return {
        "username_taken": _("This username is already used."),
        "password_too_short": _("Use at least 10 characters."),
    }.get(code, _("This account cannot be created."))
