"""The Telegram webhook: the Telegram channel adapter on the generic inbound route."""

from __future__ import annotations

from flask import Blueprint, request
from flask_limiter import RateLimitExceeded
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from grievance.extensions import csrf
from grievance.intake.channels.telegram import TELEGRAM, chat_of
from grievance.intake.views.inbound import receive
from grievance.integrations import telegram
from grievance.ratelimit import client_key, limiter, setting, wait_seconds

bp = Blueprint("telegram", __name__, url_prefix="/telegram")
csrf.exempt(bp)  # Telegram proves itself with the webhook's secret token instead


def http_error(exc: HTTPException) -> Response:
    """Every HTTP error under /telegram/: the Bot API's JSON error shape, never a page."""
    return TELEGRAM.error(exc.code or 500, exc.name.lower())


@bp.errorhandler(RateLimitExceeded)
def too_many_requests(error: RateLimitExceeded) -> Response:
    # Telegram delivers the update again later; its update_id keeps it to one action.
    response = TELEGRAM.error(429, "too many requests")
    response.headers["Retry-After"] = str(wait_seconds())
    return response


def _chat_key() -> str:
    """Counted per chat once the secret is right (one chat cannot use up the bot's share),
    else per client address (a forger cannot use up a chat's)."""
    chat = chat_of(request.get_json(silent=True))
    if chat is not None and telegram.secret_valid(request.headers.get(telegram.SECRET_HEADER)):
        return f"telegram-chat:{chat}"
    return f"telegram-client:{client_key()}"


@bp.post("/webhook")
@limiter.limit(setting("TELEGRAM_LIMIT_PER_CHAT"), key_func=_chat_key)
def webhook() -> Response:
    return receive(TELEGRAM)
