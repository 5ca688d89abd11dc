"""Which case this browser has open: the signed session holds only the case id and an
expiry, so no later page needs the secret and no URL carries the reference or secret.
Used by the status page and by the pages that open it without typing (the success page
after filing, one-time links)."""

from __future__ import annotations

import time

from flask import session

KEY = "tracked_case"
SECONDS = 30 * 60


RENEW_AFTER = 60  # seconds: a page read within a minute of the last renewal keeps it


def remember(case_id: int) -> None:
    session[KEY] = {"id": case_id, "until": int(time.time()) + SECONDS}


def renew(case_id: int) -> None:
    """Another half hour from now, to the minute: a reload within a minute of the last
    renewal leaves the session (and its cookie) as it is, instead of signing it again."""
    value = session.get(KEY)
    until = value.get("until") if isinstance(value, dict) and value.get("id") == case_id else None
    if not isinstance(until, int) or until < time.time() + SECONDS - RENEW_AFTER:
        remember(case_id)


def tracked_id() -> int | None:
    value = session.get(KEY)
    if not isinstance(value, dict):
        return None
    case_id, until = value.get("id"), value.get("until")
    if not isinstance(case_id, int) or not isinstance(until, int) or until < time.time():
        session.pop(KEY, None)
        return None
    return case_id


def forget() -> None:
    session.pop(KEY, None)
