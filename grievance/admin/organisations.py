"""Administration of organisations: create one, add and remove its representatives, see
what it filed."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length

from grievance.admin.accounts import managed_provinces
from grievance.auth import organisations
from grievance.auth.decorators import roles_required
from grievance.auth.models import Organisation
from grievance.cases.models import Province
from grievance.domain import ORGANISATION_KINDS
from grievance.errors import DomainError, NotFound
from grievance.extensions import db
from grievance.i18n import label, lang
from grievance.refusals import explain

bp = Blueprint("admin_orgs", __name__, url_prefix="/admin/organisations")


class OrganisationForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    name_km = StringField(_l("Name in Khmer"), validators=[Length(max=200)])
    kind = SelectField(_l("Kind"), choices=[])
    province = SelectField(_l("Province (empty: nationwide)"), choices=[])

    def __init__(self, scope: set[str] | None) -> None:
        """`scope`: the provinces the administrator manages (None: nationwide)."""
        super().__init__()
        self.kind.choices = [(k, label(v)) for k, v in ORGANISATION_KINDS.items()]
        provinces = db.session.scalars(select(Province).order_by(Province.code))
        nationwide = [("", _("Nationwide"))] if scope is None else []
        self.province.choices = nationwide + [
            (p.code, p.name(lang())) for p in provinces if scope is None or p.code in scope
        ]


class RepresentativeForm(FlaskForm):
    username = StringField(
        _l("Username of a representative's account"),
        validators=[DataRequired(), Length(max=80)],
    )


@bp.route("", methods=["GET", "POST"])
@roles_required("admin")
def index() -> ResponseReturnValue:
    form = OrganisationForm(managed_provinces(current_user))
    if form.validate_on_submit():
        try:
            org = organisations.create(
                current_user,
                form.name.data or "",
                form.name_km.data or "",
                form.kind.data,
                form.province.data,
            )
        except DomainError as error:
            form.name.errors = [explain(error)]
        else:
            flash(_("Organisation %(name)s created.", name=org.name), "info")
            return redirect(url_for(".show", org_id=org.id), 303)
    page = render_template(
        "admin/organisations.html", form=form, summaries=organisations.summaries(current_user)
    )
    return page, 400 if form.errors else 200


def _org(org_id: int) -> Organisation:
    try:
        return organisations.get(current_user, org_id)
    except NotFound:
        abort(404)


@bp.route("/<int:org_id>", methods=["GET", "POST"])
@roles_required("admin")
def show(org_id: int) -> ResponseReturnValue:
    org = _org(org_id)
    form = RepresentativeForm()
    if form.validate_on_submit():
        try:
            user = organisations.add_representative(current_user, org, form.username.data or "")
        except DomainError as error:
            form.username.errors = [explain(error)]
        else:
            flash(_("%(name)s now represents %(org)s.", name=user.name, org=org.name), "info")
            return redirect(url_for(".show", org_id=org.id), 303)
    page = render_template(
        "admin/organisation.html",
        org=org,
        form=form,
        representatives=organisations.representatives(current_user, org),
        cases=organisations.filed_by(org),
        kinds=ORGANISATION_KINDS,
    )
    return page, 400 if form.errors else 200


@bp.post("/<int:org_id>/representatives/<int:user_id>/remove")
@roles_required("admin")
def remove(org_id: int, user_id: int) -> Response:
    org = _org(org_id)
    try:
        user = organisations.remove_representative(current_user, org, user_id)
    except NotFound:
        abort(404)
    flash(
        _(
            "%(name)s no longer represents %(org)s and no longer sees its cases.",
            name=user.name,
            org=org.name,
        ),
        "info",
    )
    return redirect(url_for(".show", org_id=org.id), 303)
