"""Officers' notification list, the admin's failed-message list, and delivery receipts."""

from __future__ import annotations

import logging

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from markupsafe import Markup
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from grievance import uow
from grievance.auth.decorators import roles_required
from grievance.errors import DomainError
from grievance.extensions import csrf
from grievance.i18n import lang
from grievance.intake.channels.sms import SMS
from grievance.phones import masked
from notifications import messages, services
from notifications.channels.twilio import STATUS_PATH
from notifications.models import Notification
from workflows.i18n import N_

log = logging.getLogger(__name__)
bp = Blueprint("notifications", __name__)


class ButtonForm(FlaskForm):
    """A form that is only a button: the CSRF token is its one field."""


def text_of(row: Notification) -> str:
    """An in-app notification in the reader's current language."""
    values = {"reference": "", **row.context}
    try:
        return messages.text(row.template, "title", lang(), **values)
    except (messages.MissingMessage, KeyError):
        return row.template


def detail_of(row: Notification) -> str:
    """The longer text, shown for messages not about one case (the weekly digest)."""
    if row.case_id is not None:
        return ""
    try:
        return messages.text(row.template, "text", lang(), **row.context)
    except (messages.MissingMessage, KeyError):
        return ""


def nav_badge(url: str) -> Markup:
    """The unread count next to the menu entry; empty for every other entry."""
    if not current_user.is_authenticated or url != url_for("notifications.index"):
        return Markup("")
    count = services.unread_count(current_user.id)
    if not count:
        return Markup("")
    badge = Markup(' <span class="badge">{}<span class="sr-only"> {}</span></span>')
    return badge.format(count, _("unread"))


@bp.get("/notifications")
@login_required
def index() -> str:
    group = request.args.get("group", "")
    group = group if group in services.GROUPS or group == "other" else ""
    unread = request.args.get("unread") == "1"
    if group == "other":
        known = {t for templates in services.GROUPS.values() for t in templates}
        rows = [
            r for r in services.inbox(current_user.id, unread=unread) if r.template not in known
        ]
    else:
        rows = services.inbox(current_user.id, group=group, unread=unread)
    return render_template(
        "notifications/index.html",
        rows=rows,
        group=group,
        unread=unread,
        counts=services.counts_by_group(current_user.id),
        group_labels=GROUP_LABELS,
        digested=services.DIGESTED,
        text_of=text_of,
        detail_of=detail_of,
        form=ButtonForm(),
    )


GROUP_LABELS = {
    "work": N_("Cases given to me"),
    "complainants": N_("Answers from complainants"),
    "decisions": N_("Decisions waiting"),
    "deadlines": N_("Deadlines"),
    "security": N_("Restricted cases and security"),
    "reports": N_("Reports"),
    "other": N_("Other"),
}


@bp.post("/notifications/read")
@bp.post("/notifications/<int:notification_id>/read")
@login_required
def mark_read(notification_id: int | None = None) -> Response:
    if not ButtonForm().validate_on_submit():
        abort(400)
    group = request.args.get("group") or None
    services.mark_read(current_user.id, notification_id, group)
    return redirect(
        url_for("notifications.index", group=group) if group else url_for("notifications.index")
    )


@bp.get("/admin/notifications/failed")
@roles_required("admin")
def failed() -> str:
    return render_template(
        "notifications/failed.html", rows=services.failed(), form=ButtonForm(), masked=masked
    )


@bp.post("/admin/notifications/<int:notification_id>/retry")
@roles_required("admin")
def retry(notification_id: int) -> Response:
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        services.retry(notification_id)
    except DomainError as error:
        uow.discard()
        if error.status == 404:
            abort(404)
        flash(_("This message is no longer waiting for a retry."), "error")
        return redirect(url_for("notifications.failed"))
    flash(_("The message will be sent again."), "success")
    return redirect(url_for("notifications.failed"))


def webhook_error(exc: HTTPException) -> Response:
    """The provider's callback reads status codes: plain text, never a page."""
    return SMS.error(exc.code or 500, exc.name.lower())


@bp.post(STATUS_PATH)
@csrf.exempt
def twilio_status() -> tuple[str, int]:
    """Delivery receipts (Twilio status callbacks), signed with the account's auth token."""
    if not SMS.verify(request):
        log.warning("status callback with a bad signature refused")
        abort(403)
    receipt = SMS.delivery_status(request)
    if receipt is None:
        abort(400)
    if not services.record_receipt(receipt.provider_id, receipt.status, receipt.error_code):
        log.info("status callback for a message id we do not know")
    return "", 204
