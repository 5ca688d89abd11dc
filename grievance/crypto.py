"""Sealing secrets that must be read back later (TOTP seeds, a queued SMS's tracking secret).

Each purpose gets its own key, derived from the server key, so no key serves two uses.
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from flask import current_app


def _fernet(purpose: str) -> Fernet:
    cfg = current_app.config["SAMLENG"]
    key = str(cfg.SERVER_KEY or cfg.SECRET_KEY).encode()
    digest = hashlib.sha256(f"samleng/{purpose}/v1\x00".encode() + key).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def seal(plain: str, purpose: str) -> str:
    return _fernet(purpose).encrypt(plain.encode()).decode()


def unseal(token: str | None, purpose: str) -> str | None:
    """The plain text, or None if there is none or the key has changed since."""
    if not token:
        return None
    try:
        return _fernet(purpose).decrypt(token.encode()).decode()
    except (InvalidToken, ValueError):
        return None
