"""Web views of the intake feature: the public complaint form.

The staff desk (hotline, representatives), forums, the SMS webhook and the partner API
are child blueprints, registered at the end of this module.
"""

from __future__ import annotations

import secrets
from typing import Any

import click
from flask import Blueprint, current_app, render_template, request, session, url_for
from flask.blueprints import BlueprintSetupState
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from grievance.errors import DomainError
from grievance.extensions import csrf
from grievance.i18n import lang
from grievance.intake import services
from grievance.intake.forms import PublicForm, mark_refused
from grievance.intake.responses import no_store
from grievance.intake.uploads import UploadFailed
from grievance.jobs import commit, rollback
from grievance.phones import masked
from grievance.ratelimit import limiter, setting

bp = Blueprint("intake", __name__)

# Werkzeug keeps at most 500 kB of form text in memory by default; a 10 MB narrative must
# reach the form so the complainant gets a message beside the field, not an error page.
FORM_TEXT_LIMIT = 12 * 1024 * 1024
LONG_TEXT_ENDPOINTS = {
    "intake.file_complaint",
    "intake.desk.file_for_member",
    "intake.desk.hotline",
}
REMEMBERED = 5  # nonces of recent filings kept in the session against double submission


@bp.record_once
def _before_csrf(state: BlueprintSetupState) -> None:
    # First in line: the CSRF check reads the form, and must read it with the higher limit.
    state.app.before_request_funcs.setdefault(None, []).insert(0, _raise_form_limit)


def _raise_form_limit() -> None:
    if request.endpoint in LONG_TEXT_ENDPOINTS:
        request.max_form_memory_size = FORM_TEXT_LIMIT


@bp.context_processor
def _helpers() -> dict[str, Any]:
    return {
        "state_label": services.state_label,
        "event_label": services.event_label,
        "province_name": lambda code: services.province_name(code, lang()),
        "track_url": _track_url,
    }


def _track_url() -> str:
    """The public status page when that feature is installed, else the landing page."""
    if "tracking.lookup" in current_app.view_functions:
        return url_for("tracking.lookup")
    return url_for("web.landing")


@bp.cli.command("create-partner")
@click.argument("name")
def create_partner_cmd(name: str) -> None:
    """Register a partner system for the JSON API and print its token (shown once)."""
    from grievance.intake.partners import create_partner

    partner, token = create_partner(name)
    commit()
    click.echo(f"partner {partner.id} {name}: token {token}")
    click.echo("Keep the token now: only its hash is stored.")


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
    sub = form.submission("web")
    try:
        filed = services.file_public(sub)
        reference = filed.case.reference  # read before the commit expires the object
        commit()
    except UploadFailed:
        rollback()
        form.evidence.errors = [_("We could not save your files. Please try again.")]
        return no_store(render_template("intake/file.html", form=form), 503)
    except DomainError as exc:  # a category switched off since the form was checked
        rollback()
        mark_refused(form, exc.code)
        return no_store(render_template("intake/file.html", form=form), 400)
    _remember(form.nonce.data, reference)
    html = render_template(
        "intake/filed.html",
        reference=reference,
        secret=filed.secret,
        phone=masked(sub.phone) if sub.phone else None,
        files=len(sub.evidence),
    )
    return no_store(html)


def _register_children() -> None:
    from grievance.intake import api, desk, forum_views, sms_views

    for child in (desk.bp, forum_views.bp, sms_views.bp, api.bp):
        bp.register_blueprint(child)


_register_children()
