"""Twilio's request signature, checked by the SMS webhook and the delivery-status callback.

https://www.twilio.com/docs/usage/security#validating-requests: base64 of HMAC-SHA1, keyed
with the account's auth token, over the full URL the request was sent to followed by the
POST parameters sorted by name, each name immediately followed by its value.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable

from flask import current_app, request

from grievance.integrations import requested_public_url

HEADER = "X-Twilio-Signature"


def signature(auth_token: str, url: str, params: Iterable[tuple[str, str]]) -> str:
    # Sorting the (name, value) pairs sorts by name; a repeated name keeps every value.
    payload = url + "".join(name + value for name, value in sorted(params))
    digest = hmac.new(auth_token.encode(), payload.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def signature_valid(
    auth_token: str, url: str, params: Iterable[tuple[str, str]], given: str | None
) -> bool:
    if not auth_token or not given:
        return False  # no token configured: nothing can be verified, so nothing is trusted
    return hmac.compare_digest(signature(auth_token, url, params), given)


def request_is_signed() -> bool:
    """Whether the current form POST carries a valid signature of this account."""
    token = current_app.config["SAMLENG"].TWILIO_AUTH_TOKEN
    params = list(request.form.items(multi=True))
    return signature_valid(token, requested_public_url(), params, request.headers.get(HEADER))
