"""Sealing the one secret an outbox row may carry (the filed SMS's tracking secret).

The row must survive a crash until the message is sent, so the secret is kept, but only
encrypted (with the "outbox" key of `grievance.crypto`), and it is erased once the row is done.
"""

from __future__ import annotations

from grievance import crypto

PURPOSE = "outbox"


def seal(plain: str) -> str:
    return crypto.seal(plain, PURPOSE)


def unseal(token: str | None) -> str | None:
    """The plain text, or None if there is none or the key has changed since."""
    return crypto.unseal(token, PURPOSE)
