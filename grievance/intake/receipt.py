"""The codes of a complaint just filed, kept for this browser for a while.

The success page must survive what people do on 2G: reload, press back, switch language
to show a sister. So for RECEIPT_SECONDS the signed session keeps the case id, the
reference and the secret, the secret sealed (the session cookie is signed, not
encrypted), never in a URL; afterwards they are gone and the complainant uses what she
wrote down, the SMS or the hotline.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from flask import session

from grievance import crypto

KEY = "receipt"
PURPOSE = "receipt"
RECEIPT_SECONDS = 30 * 60


@dataclass(frozen=True)
class Receipt:
    case_id: int
    reference: str
    secret: str
    sms: bool  # an SMS with the codes is on its way
    files: int


def keep(case_id: int, reference: str, secret: str, *, sms: bool, files: int) -> None:
    session[KEY] = {
        "case": case_id,
        "ref": reference,
        "secret": crypto.seal(secret, PURPOSE),
        "sms": sms,
        "files": files,
        "until": int(time.time()) + RECEIPT_SECONDS,
    }


def current() -> Receipt | None:
    value = session.get(KEY)
    if not isinstance(value, dict) or int(value.get("until", 0)) < time.time():
        session.pop(KEY, None)
        return None
    secret = crypto.unseal(value.get("secret"), PURPOSE)
    if secret is None or not isinstance(value.get("case"), int):
        session.pop(KEY, None)
        return None
    return Receipt(
        int(value["case"]), str(value["ref"]), secret, bool(value.get("sms")), int(value["files"])
    )


def mark_sent() -> None:
    if isinstance(session.get(KEY), dict):
        session[KEY] = {**session[KEY], "sms": True}
