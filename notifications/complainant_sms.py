"""The SMS a complainant gets: one that leads somewhere, fits two parts, reveals nothing.

Every text carries a one-time link that opens her status page without typing the codes,
and the hotline number. A request for information carries the officer's question, cut to
fit. On a confidential or restricted case the text is discreet: a sister reading the
shared phone first learns only that there is an update (the filed text still carries the
codes she asked for, which say nothing about the complaint). What a text may say is
`grievance.cases.discretion`'s decision, the same for chat notices and chat replies.

The link's token is derived from the outbox row (an HMAC under the server key), so the
same row always composes the same text: a retry, or the relay asking the gateway whether
a message already left, sees the same body. Only the token's hash is stored.
"""

from __future__ import annotations

from typing import Any

from flask import current_app

from grievance.cases import discretion
from grievance.cases.models import Case
from grievance.extensions import db
from grievance.tracking.links import ensure_link
from notifications import messages
from notifications.models import Notification
from notifications.segments import count

MAX_SEGMENTS = 2
ELLIPSIS = "…"
DISCREET = "_discreet"


def body(row: Notification, secret: str | None) -> str:
    case = db.session.get(Case, row.case_id) if row.case_id is not None else None
    if case is None:
        raise KeyError("case")
    cfg = current_app.config["SAMLENG"]
    values: dict[str, Any] = {
        **row.context,
        "reference": case.reference,
        "link": ensure_link(case, f"outbox:{row.idempotency_key}"),
        "hotline": cfg.HOTLINE_NUMBER,
        "secret": secret or "",
    }
    template, part = _choose(row, case, secret)
    if messages.needs(template, part, "question", row.language):
        return _with_question(template, part, row.language, values, _question(case, row))
    return messages.text(template, part, row.language, **values)


def _choose(row: Notification, case: Case, secret: str | None) -> tuple[str, str]:
    if messages.needs(row.template, "sms", "secret"):
        # Codes she asked for: they say nothing about the complaint, so never discreet.
        if not secret and messages.has(row.template, "sms_without_secret", row.language):
            return row.template, "sms_without_secret"  # erased after a final failure
        return row.template, "sms"
    if discretion.discreet(case):
        return DISCREET, "sms"
    return row.template, "sms"


def _question(case: Case, row: Notification) -> str:
    """The officer's words from the step that asked, or from her message, as far as the
    case's discretion lets a message carry them."""
    seq = row.context.get("event")
    if not isinstance(seq, int):
        return ""
    return discretion.may_say(case, row.language, seq).question


def _with_question(
    template: str, part: str, language: str, values: dict[str, Any], question: str
) -> str:
    """The text with as much of the question as fits in MAX_SEGMENTS parts."""
    full = messages.text(template, part, language, **values, question=question)
    if count(full).segments <= MAX_SEGMENTS or not question:
        return full
    low, high = 0, len(question)
    while low < high:  # the longest cut of the question that still fits
        mid = (low + high + 1) // 2
        cut = question[:mid].rstrip() + ELLIPSIS
        text = messages.text(template, part, language, **values, question=cut)
        if count(text).segments <= MAX_SEGMENTS:
            low = mid
        else:
            high = mid - 1
    return messages.text(
        template, part, language, **values, question=question[:low].rstrip() + ELLIPSIS
    )
