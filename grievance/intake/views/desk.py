"""Staff-side intake: the hotline desk and workers' representatives."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from grievance import uow
from grievance.auth.decorators import roles_required
from grievance.errors import DomainError
from grievance.i18n import lang
from grievance.intake import lookup, pipeline, services
from grievance.intake.forms import (
    CallerLookupForm,
    HotlineForm,
    InformationForm,
    RepresentativeForm,
)
from grievance.intake.responses import no_store
from grievance.intake.uploads import UploadFailed
from grievance.phones import masked

bp = Blueprint("desk", __name__)


@bp.route("/hotline", methods=["GET", "POST"])
@roles_required("intake", "supervisor", "admin")
def hotline() -> Response:
    form = HotlineForm(lang(), current_user)
    if not form.validate_on_submit():
        status = 400 if form.is_submitted() else 200
        return no_store(
            render_template("intake/hotline.html", form=form, lookup=CallerLookupForm()), status
        )
    try:
        filed = pipeline.file(form.submission(), form.filer())
        reference = filed.case.reference
    except pipeline.Invalid as exc:
        uow.discard()
        form.show(exc.problems)
        html = render_template("intake/hotline.html", form=form, lookup=CallerLookupForm())
        return no_store(html, 400)
    html = render_template(
        "intake/hotline_done.html",
        reference=reference,
        secret=filed.secret,
        phone=masked(filed.case.complainant.phone) if filed.case.complainant else None,
    )
    return no_store(html)


@bp.post("/hotline/lookup")
@roles_required("intake", "supervisor", "admin")
def caller_lookup() -> Response:
    """The caller's earlier cases, found by phone (in the POST body: never in a URL)."""
    lookup_form = CallerLookupForm()
    form = HotlineForm(lang(), current_user, formdata=None)
    found = None
    if lookup_form.validate_on_submit():
        try:
            found = lookup.callers_cases(current_user, lookup_form.caller.data or "")
        except DomainError:
            lookup_form.caller.errors = [_("That is not a phone number we can use.")]
        form.phone.data = lookup_form.caller.data
    status = 200 if found is not None else 400
    html = render_template("intake/hotline.html", form=form, lookup=lookup_form, found=found)
    return no_store(html, status)


@bp.route("/representative/file", methods=["GET", "POST"])
@roles_required("representative")
def file_for_member() -> Response:
    form = RepresentativeForm(lang(), current_user)
    if not form.validate_on_submit():
        status = 400 if form.is_submitted() else 200
        return no_store(render_template("intake/rep_file.html", form=form), status)
    try:
        filed = pipeline.file(form.submission(), form.filer())
        reference = filed.case.reference
    except UploadFailed:
        uow.discard()
        form.evidence.errors = [_("We could not save your files. Please try again.")]
        return no_store(render_template("intake/rep_file.html", form=form), 503)
    except pipeline.Invalid as exc:
        uow.discard()
        form.show(exc.problems)
        return no_store(render_template("intake/rep_file.html", form=form), 400)
    html = render_template("intake/rep_filed.html", reference=reference, secret=filed.secret)
    return no_store(html)


@bp.get("/representative/cases")
@roles_required("representative")
def rep_cases() -> str:
    cases = services.cases_filed_by(current_user)
    return render_template("intake/rep_cases.html", cases=cases)


@bp.route("/representative/cases/<reference>", methods=["GET", "POST"])
@roles_required("representative")
def rep_case(reference: str) -> Response | str | tuple[str, int]:
    form = InformationForm()
    try:
        case = services.case_for_representative(current_user, reference)
    except DomainError:
        abort(404)  # the same answer whether the case exists or is someone else's
    if form.validate_on_submit():
        services.add_information(current_user, case, (form.text.data or "").strip())
        flash(_("Your information has been added to the case."), "info")
        return redirect(url_for(".rep_case", reference=case.reference))
    page = render_template(
        "intake/rep_case.html", case=case, events=services.public_timeline(case), form=form
    )
    return (page, 400) if form.is_submitted() else page
