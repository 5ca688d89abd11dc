"""The intake feature's pages, one module per audience under the `intake` blueprint:
`public` (the complaint form, /file), `desk` (hotline and representatives), `forums`
(/forums), `sms` (the SMS webhook, /sms), `telegram`
(the Telegram webhook, /telegram) and `api` (the partner JSON API, /api)."""

from __future__ import annotations

from typing import Any

from flask import current_app, request, url_for

from grievance.domain import SEXES
from grievance.i18n import lang
from grievance.intake import rep_page, representation, services
from grievance.intake.views import api, desk, forums, public, sms, telegram

bp = public.bp
for child in (desk.bp, forums.bp, sms.bp, telegram.bp, api.bp):
    bp.register_blueprint(child)

# Werkzeug keeps at most 500 kB of form text in memory by default; a 10 MB narrative must
# reach the form so the complainant gets a message beside the field, not an error page.
FORM_TEXT_LIMIT = 12 * 1024 * 1024
LONG_TEXT_ENDPOINTS = {
    "intake.file_complaint",
    "intake.desk.file_for_member",
    "intake.desk.hotline",
}


def raise_form_limit() -> None:
    if request.endpoint in LONG_TEXT_ENDPOINTS:
        request.max_form_memory_size = FORM_TEXT_LIMIT


@bp.context_processor
def _helpers() -> dict[str, Any]:
    return {
        "state_label": services.state_label,
        "rep_state_label": rep_page.state_for_representative,
        "province_name": lambda code: services.province_name(code, lang()),
        "track_url": _track_url,
        "sexes": SEXES,
        "agreement_methods": representation.AGREEMENT_METHODS,
    }


def _track_url() -> str:
    """The public status page when that feature is installed, else the landing page."""
    if "tracking.lookup" in current_app.view_functions:
        return url_for("tracking.lookup")
    return url_for("web.landing")
