"""The SMS webhook, in Twilio's format. Signed requests only; the reply is TwiML."""

from __future__ import annotations

import logging
from xml.sax.saxutils import escape

from flask import Blueprint, request
from flask_limiter import RateLimitExceeded
from werkzeug.wrappers import Response

from grievance.extensions import csrf
from grievance.intake import sms
from grievance.integrations import twilio
from grievance.ratelimit import limiter, setting, wait_seconds

bp = Blueprint("sms", __name__, url_prefix="/sms")
csrf.exempt(bp)  # the provider signs its requests instead
log = logging.getLogger(__name__)


def twiml(text: str | None) -> Response:
    inner = f"<Message>{escape(text)}</Message>" if text else ""
    xml = f'<?xml version="1.0" encoding="UTF-8"?><Response>{inner}</Response>'
    return Response(xml, mimetype="application/xml")


@bp.errorhandler(RateLimitExceeded)
def too_many_requests(error: RateLimitExceeded) -> Response:
    # The provider reads status codes, not pages: a bare 429 makes it retry later.
    response = Response("too many requests", status=429, mimetype="text/plain")
    response.headers["Retry-After"] = str(wait_seconds())
    return response


@bp.post("/inbound")
@limiter.limit(setting("SMS_LIMIT_PER_CLIENT"))
def inbound() -> Response:
    if not twilio.request_is_signed():
        log.warning("inbound SMS refused: missing or wrong signature")
        return Response("forbidden", status=403, mimetype="text/plain")
    sid = request.form.get("MessageSid", "").strip()
    if not sid or len(sid) > 64:
        return Response("MessageSid missing", status=400, mimetype="text/plain")
    reply = sms.handle(
        sms.Inbound(sid=sid, sender=request.form.get("From", ""), body=request.form.get("Body", ""))
    )
    return twiml(reply)
