"""The SMS webhook (Twilio's format): the SMS channel adapter on the generic inbound route."""

from __future__ import annotations

from flask import Blueprint
from flask_limiter import RateLimitExceeded
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from grievance.extensions import csrf
from grievance.intake.channels.sms import SMS
from grievance.intake.views.inbound import receive
from grievance.ratelimit import limiter, setting, wait_seconds

bp = Blueprint("sms", __name__, url_prefix="/sms")
csrf.exempt(bp)  # the provider signs its requests instead


def http_error(exc: HTTPException) -> Response:
    """Every HTTP error under /sms/ (an unknown path, a GET): plain text, never a page."""
    return SMS.error(exc.code or 500, exc.name.lower())


@bp.errorhandler(RateLimitExceeded)
def too_many_requests(error: RateLimitExceeded) -> Response:
    # The provider reads status codes, not pages: a bare 429 makes it retry later.
    response = SMS.error(429, "too many requests")
    response.headers["Retry-After"] = str(wait_seconds())
    return response


@bp.post("/inbound")
@limiter.limit(setting("SMS_LIMIT_PER_CLIENT"))
def inbound() -> Response:
    return receive(SMS)
