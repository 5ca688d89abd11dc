"""Partner JSON API: file a case, read one, list them. Bearer token per partner."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Blueprint, g, jsonify, request
from flask_limiter import RateLimitExceeded
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from grievance.errors import DomainError
from grievance.extensions import csrf
from grievance.intake import partners
from grievance.intake.openapi import spec
from grievance.ratelimit import limiter, setting, wait_seconds

bp = Blueprint("api", __name__, url_prefix="/api")
csrf.exempt(bp)  # no cookies here: every call carries its own token


def answer(a: partners.Answer) -> Response:
    response = jsonify(a.body)
    response.status_code = a.status
    response.headers.update(a.headers)
    return response


def _partner_key() -> str:
    # Counted per token (as its hash, as stored): one partner cannot use up another's share.
    _, _, token = request.headers.get("Authorization", "").partition(" ")
    return "partner:" + partners.token_hash(token.strip())[:32]


per_partner = limiter.shared_limit(
    setting("API_LIMIT_PER_PARTNER"), scope="api-partner", key_func=_partner_key
)


def partner_required(view: Callable[..., Response]) -> Callable[..., Response]:
    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Response:
        partner = partners.authenticate(request.headers.get("Authorization"))
        if partner is None:
            response = answer(
                partners.error(
                    401,
                    "unauthorized",
                    "Send a valid partner token: Authorization: Bearer <token>.",
                )
            )
            response.headers["WWW-Authenticate"] = 'Bearer realm="samleng"'
            return response
        g.partner = partner
        return view(*args, **kwargs)

    return wrapper


def http_error(exc: HTTPException) -> Response:
    """Every HTTP error under /api/, routing errors included (registered for the prefix in
    grievance.intake.init_app): the documented JSON error object."""
    code = exc.code or 500
    return answer(
        partners.error(code, exc.name.lower().replace(" ", "_"), exc.description or exc.name)
    )


@bp.errorhandler(RateLimitExceeded)
def too_many_requests(exc: RateLimitExceeded) -> Response:
    response = answer(
        partners.error(429, "too_many_requests", "Too many requests. Wait and try again.")
    )
    response.headers["Retry-After"] = str(wait_seconds())
    return response


@bp.errorhandler(DomainError)
def domain_error(exc: DomainError) -> Response:
    messages = {"case_not_found": "No case with this reference was filed by your organisation."}
    return answer(partners.error(exc.status, exc.code, messages.get(exc.code, exc.code)))


@bp.get("/openapi.json")
def openapi() -> Response:
    return jsonify(spec(partners.category_codes(), partners.province_codes()))


@bp.post("/v1/cases")
@per_partner
@partner_required
def create_case() -> Response:
    raw = request.get_data(cache=True)
    payload = request.get_json(silent=True)
    if payload is None:
        return answer(
            partners.error(
                400, "invalid_json", "The body must be JSON (Content-Type: application/json)."
            )
        )
    key = request.headers.get("Idempotency-Key")
    result = partners.create_case(g.partner, payload, raw, key)
    return answer(result)


@bp.get("/v1/cases")
@per_partner
@partner_required
def list_cases() -> Response:
    filters = partners.parse_filters(request.args.to_dict())
    if isinstance(filters, partners.Answer):
        return answer(filters)
    return jsonify(partners.list_cases(g.partner, filters))


@bp.get("/v1/cases/<reference>")
@per_partner
@partner_required
def get_case(reference: str) -> Response:
    return jsonify(partners.get_case(g.partner, reference))
