"""The public complaint form."""

from __future__ import annotations

import secrets

from flask import Blueprint, flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from grievance import uow
from grievance.cases.models import Case
from grievance.extensions import csrf, db
from grievance.i18n import lang
from grievance.intake import pipeline, receipt, services
from grievance.intake.forms import CodesBySmsForm, PublicForm
from grievance.intake.responses import no_store
from grievance.intake.uploads import UploadFailed
from grievance.phones import masked
from grievance.ratelimit import limiter, setting
from grievance.systemic.links import did_you_mean
from grievance.tracking import session as tracking_session

bp = Blueprint("intake", __name__)  # the parent of the other intake blueprints
REMEMBERED = 5  # nonces of recent filings kept in the session against double submission


def _already_filed(nonce: str | None) -> str | None:
    for seen, reference in session.get("filed", []):
        if nonce and seen == nonce:
            return str(reference)
    return None


def _remember(nonce: str | None, reference: str) -> None:
    if nonce:
        session["filed"] = [*session.get("filed", [])[-(REMEMBERED - 1) :], [nonce, reference]]


@bp.route("/file", methods=["GET", "POST"])
@limiter.limit(setting("FILE_LIMIT_PER_CLIENT"), methods=["POST"])
@csrf.exempt  # the form checks its own token, so an expired session keeps the typed text
def file_complaint() -> Response:
    form = PublicForm(lang())
    if not form.is_submitted():
        form.nonce.data = secrets.token_urlsafe(16)
        return no_store(render_template("intake/file.html", form=form))
    reference = _already_filed(form.nonce.data)
    if reference:
        kept = receipt.current()
        if kept is not None and kept.reference == reference:
            return redirect(url_for("intake.filed"), 303)  # sent twice: the same codes
        return no_store(render_template("intake/already_filed.html", reference=reference))
    if not form.validate():
        return no_store(render_template("intake/file.html", form=form), 400)
    sub = form.submission()
    try:
        filed = pipeline.file(sub, form.filer())
        reference = filed.case.reference
    except UploadFailed:
        uow.discard()
        form.evidence.errors = [_("We could not save your files. Please try again.")]
        return no_store(render_template("intake/file.html", form=form), 503)
    except pipeline.Invalid as exc:  # a category switched off since the form was checked
        uow.discard()
        form.show(exc.problems)
        return no_store(render_template("intake/file.html", form=form), 400)
    _remember(form.nonce.data, reference)
    person = filed.case.complainant
    sms = bool(person and person.phone and person.consent_to_contact)
    receipt.keep(filed.case.id, reference, filed.secret, sms=sms, files=len(sub.evidence))
    return redirect(url_for("intake.filed"), 303)


@bp.get("/file/done")
def filed() -> Response:
    """The codes, again and again for a while: reload, back and the language switch all
    land here (see receipt.py)."""
    kept = receipt.current()
    if kept is None:
        return no_store(render_template("intake/receipt_gone.html"))
    case = db.session.get(Case, kept.case_id)
    phone = case.complainant.phone if case is not None and case.complainant else None
    html = render_template(
        "intake/filed.html",
        receipt=kept,
        phone=masked(phone) if phone and kept.sms else None,
        sms_form=CodesBySmsForm(),
        minutes=receipt.RECEIPT_SECONDS // 60,
        did_you_mean=did_you_mean(case, lang()) if case is not None else None,
        case_concerned=case.concerned_name if case is not None else None,
    )
    return no_store(html)


@bp.get("/file/done/codes.txt")
def codes_file() -> Response:
    """The codes as a small file to keep on the phone."""
    kept = receipt.current()
    if kept is None:
        return redirect(url_for("intake.filed"), 303)
    text = render_template("intake/codes.txt", receipt=kept)
    response = Response(text, mimetype="text/plain")
    response.headers["Cache-Control"] = "no-store"
    name = f"samleng-{kept.reference}.txt"
    response.headers["Content-Disposition"] = f"attachment; filename={name}"
    return response


@bp.post("/file/done/sms")
@limiter.limit(setting("FILE_LIMIT_PER_CLIENT"))
def codes_by_sms() -> Response:
    kept = receipt.current()
    case = db.session.get(Case, kept.case_id) if kept is not None else None
    if kept is None or case is None:
        return redirect(url_for("intake.filed"), 303)
    form = CodesBySmsForm()
    if not form.validate():
        html = render_template(
            "intake/filed.html",
            receipt=kept,
            phone=None,
            sms_form=form,
            minutes=receipt.RECEIPT_SECONDS // 60,
        )
        return no_store(html, 400)
    services.send_codes(case, form.e164(), kept.secret)
    receipt.mark_sent()
    flash(_("Your codes are on their way by SMS to %(phone)s.", phone=masked(form.e164())))
    return redirect(url_for("intake.filed"), 303)


@bp.post("/file/done/track")
def track_filed() -> Response:
    """'Check my case' after filing: the status page opens without typing the codes."""
    kept = receipt.current()
    if kept is None:
        return redirect(url_for("tracking.lookup"), 303)
    tracking_session.remember(kept.case_id)
    return redirect(url_for("tracking.status"), 303)
