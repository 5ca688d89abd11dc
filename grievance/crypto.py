"""Sealing secrets that must be read back later (TOTP seeds, a queued SMS's tracking secret).

Each purpose gets its own key, derived from the server key (grievance.keys), so no key
serves two uses.
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken

from grievance.keys import sealing_key


def _fernet(purpose: str) -> Fernet:
    return Fernet(base64.urlsafe_b64encode(sealing_key(purpose)))


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
