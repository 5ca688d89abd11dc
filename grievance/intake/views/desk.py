"""Staff-side intake: the hotline desk and workers' representatives."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from grievance import uow
from grievance.auth.decorators import roles_required
from grievance.cases.transitions import StaleCase
from grievance.errors import DomainError, NotFound
from grievance.i18n import lang
from grievance.intake import lookup, pipeline, rep_page, representation
from grievance.intake.forms import CallerLookupForm, HotlineForm
from grievance.intake.rep_forms import (
    STEP_FORMS,
    RepFiltersForm,
    RepresentativeForm,
    RepStepForm,
)
from grievance.intake.responses import no_store
from grievance.intake.uploads import UploadFailed
from grievance.phones import masked
from grievance.types import utcnow
from workflows import WorkflowError
from workflows.i18n import N_

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
        slips = representation.file_for_members(
            form.submission(), form.filer(), form.other_members(), separately=form.separate()
        )
    except UploadFailed:
        uow.discard()
        form.evidence.errors = [_("We could not save your files. Please try again.")]
        return no_store(render_template("intake/rep_file.html", form=form), 503)
    except pipeline.Invalid as exc:
        uow.discard()
        form.show(exc.problems)
        return no_store(render_template("intake/rep_file.html", form=form), 400)
    return no_store(render_template("intake/rep_filed.html", slips=slips))


@bp.get("/representative/cases")
@roles_required("representative")
def rep_cases() -> str:
    form = RepFiltersForm(lang(), request.args)
    rows = representation.organisation_cases(current_user, form.filters())
    return render_template("intake/rep_cases.html", rows=rows, form=form)


def _rep_case_page(
    reference: str, forms: dict[str, RepStepForm] | None = None, status: int = 200
) -> Response:
    try:
        case = representation.case_for(current_user, reference)
    except DomainError:
        abort(404)  # the same answer whether the case exists or is another organisation's
    page = rep_page.rep_case(current_user, case, utcnow())
    shown = {
        name: STEP_FORMS[name](formdata=None, prefix=name, version=case.version)
        for name in page.steps
    }
    shown.update(forms or {})
    return no_store(render_template("intake/rep_case.html", page=page, forms=shown), status)


@bp.get("/representative/cases/<reference>")
@roles_required("representative")
def rep_case(reference: str) -> Response:
    return _rep_case_page(reference)


@bp.post("/representative/cases/<reference>/<step>")
@roles_required("representative")
def rep_act(reference: str, step: str) -> Response:
    form_class = STEP_FORMS.get(step) or abort(404)
    form = form_class(prefix=step)
    if not form.validate_on_submit():
        return _rep_case_page(reference, {step: form}, 400)
    try:
        if step == rep_page.ADD_INFORMATION:
            representation.add_information(current_user, reference, str(form.text.data or ""))
        else:
            representation.act(
                current_user,
                reference,
                step,
                form.inputs(),
                agreed_how=form.agreed_how(),
                expected_version=form.version_number(),
            )
    except StaleCase:
        uow.discard()
        flash(_("The case changed while you were looking at it. Here is the latest."), "error")
        return _rep_case_page(reference, status=409)
    except NotFound:
        abort(404)
    except (WorkflowError, DomainError):
        uow.discard()
        flash(_("This action is not possible."), "error")
        return _rep_case_page(reference, status=409)
    flash(_(DONE[step]), "info")
    return redirect(url_for(".rep_case", reference=reference), 303)


DONE = {
    "provide_information": N_("The answer was sent for the member. The officer has been told."),
    "accept_resolution": N_("The answer was accepted for the member. The case is closed."),
    "accept_answer": N_("The answer was accepted for the member. The case is closed."),
    "appeal": N_("The appeal was sent for the member. A different officer will review the case."),
    "add_information": N_("Your information has been added to the case."),
}
