"""Staff give a complainant who lost her codes a new secret, after checking it is her."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from grievance.auth import roles_required
from grievance.cases.queries import load_case
from grievance.errors import DomainError, Forbidden
from grievance.i18n import label
from grievance.phones import masked
from grievance.refusals import explain
from grievance.tracking import recovery
from grievance.tracking.forms import RecoveryChecksForm, RecoveryCodeForm

bp = Blueprint("recovery", __name__, url_prefix="/cases/<reference>/new-secret")


def _case(reference: str):  # type: ignore[no-untyped-def]
    case = load_case(reference, current_user)
    if not recovery.may_recover(current_user, case):
        raise Forbidden("not_allowed")
    return case


def _page(case, code_form=None, checks_form=None, status: int = 200):  # type: ignore[no-untyped-def]
    checks_form = checks_form or RecoveryChecksForm()
    checks_form.checks.choices = [(k, label(v)) for k, v in recovery.IDENTITY_CHECKS.items()]
    phone = recovery.phone_on_file(case)
    html = render_template(
        "tracking/recover.html",
        case=case,
        phone=masked(phone) if phone else None,
        code_form=code_form or RecoveryCodeForm(),
        checks_form=checks_form,
        min_checks=recovery.MIN_CHECKS,
        minutes=recovery.CODE_MINUTES,
    )
    return html, status


@bp.get("")
@roles_required(*recovery.RECOVERY_ROLES)
def show(reference: str):  # type: ignore[no-untyped-def]
    return _page(_case(reference))


@bp.post("/code")
@roles_required(*recovery.RECOVERY_ROLES)
def send_code(reference: str) -> Response:
    case = _case(reference)
    recovery.send_check(case, current_user)
    phone = masked(recovery.phone_on_file(case))
    flash(
        _(
            "A code was sent by SMS to the phone on file (%(phone)s). Ask the caller to read "
            "it out; it works for %(minutes)s minutes.",
            phone=phone,
            minutes=recovery.CODE_MINUTES,
        ),
        "info",
    )
    return redirect(url_for("recovery.show", reference=case.reference))


@bp.post("")
@roles_required(*recovery.RECOVERY_ROLES)
def reissue(reference: str):  # type: ignore[no-untyped-def]
    case = _case(reference)
    if recovery.phone_on_file(case) is not None:
        code_form = RecoveryCodeForm()
        if not code_form.validate():
            return _page(case, code_form=code_form, status=400)
        try:
            secret = recovery.reissue_with_code(case, current_user, code_form.code.data or "")
        except DomainError as error:
            # A wrong code is an attempt that counts: kept (200), not rolled back.
            code_form.code.errors = [explain(error)]
            return _page(
                case, code_form=code_form, status=200 if error.code == "wrong_code" else 400
            )
    else:
        checks_form = RecoveryChecksForm()
        checks_form.checks.choices = [(k, k) for k in recovery.IDENTITY_CHECKS]
        try:
            if not checks_form.validate():
                raise DomainError("not_enough_checks")
            secret = recovery.reissue_with_checks(
                case, current_user, checks_form.checks.data or [], checks_form.note.data or ""
            )
        except DomainError as error:
            checks_form.note.errors = [explain(error)]
            return _page(case, checks_form=checks_form, status=400)
    sent = recovery.phone_on_file(case) is not None
    return render_template("tracking/recovered.html", case=case, secret=secret, sent=sent)
