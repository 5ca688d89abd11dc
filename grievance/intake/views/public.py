"""The public complaint form."""

from __future__ import annotations

import secrets

from flask import Blueprint, render_template, session
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from grievance import uow
from grievance.extensions import csrf
from grievance.i18n import lang
from grievance.intake import pipeline
from grievance.intake.forms import PublicForm
from grievance.intake.responses import no_store
from grievance.intake.uploads import UploadFailed
from grievance.phones import masked
from grievance.ratelimit import limiter, setting

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
    html = render_template(
        "intake/filed.html",
        reference=reference,
        secret=filed.secret,
        phone=masked(filed.case.complainant.phone) if filed.case.complainant else None,
        files=len(sub.evidence),
    )
    return no_store(html)
