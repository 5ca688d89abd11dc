"""The server key and every key derived from it, in one place.

`SERVER_KEY` keys what a stolen database alone must not open: tracking-secret hashes,
rate-limit keys that would otherwise reveal references or usernames, secrets derived for
API retries, and the sealing keys of `grievance.crypto`. It falls back to `SECRET_KEY`
here and nowhere else, so making it mandatory in production is a change to one function.

Each use names its purpose, and the purpose is mixed into the MAC, so no value computed for
one use can be replayed as another. The tags are the ones stored data was made with: they
must never change (a new use gets a new purpose).
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Literal

Purpose = Literal[
    "tracking_secret",
    "track_ref",
    "login",
    "api_secret",
    "tracking_link",
    "secret_check",
    "sender",
    "list_cursor",
    "account_setup",
]

# The bytes put before the message. The tracking secret predates purposes: its stored hashes
# are a bare HMAC of the secret, so its tag stays empty.
_TAGS: dict[str, bytes] = {
    "tracking_secret": b"",
    "track_ref": b"track-ref:",
    "login": b"login:",
    "api_secret": b"api-secret|",
    "tracking_link": b"tracking-link:",
    "secret_check": b"secret-check:",
    "sender": b"sender:",
    "list_cursor": b"list-cursor:",
    "account_setup": b"account-setup:",
}


def server_key() -> str:
    """The key for MACs and sealing: SERVER_KEY, else SECRET_KEY."""
    # Imported here so that `mac` (grievance.security, the benchmark) needs no Flask.
    from flask import current_app

    cfg = current_app.config["SAMLENG"]
    return str(cfg.SERVER_KEY or cfg.SECRET_KEY)


def mac(key: str, purpose: Purpose, message: str) -> bytes:
    """HMAC-SHA256 of `message` for `purpose` with an explicit key (no app needed)."""
    return hmac.new(key.encode(), _TAGS[purpose] + message.encode(), hashlib.sha256).digest()


def server_mac(purpose: Purpose, message: str) -> bytes:
    """HMAC-SHA256 of `message` for `purpose` with the server key."""
    return mac(server_key(), purpose, message)


def sealing_key(purpose: str) -> bytes:
    """32 bytes for a symmetric cipher, one key per purpose (see grievance.crypto)."""
    return hashlib.sha256(f"samleng/{purpose}/v1\x00".encode() + server_key().encode()).digest()
