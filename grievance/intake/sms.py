"""Inbound SMS: a message opens a case, `STATUS <reference> <secret>` reports on one,
`STOP` ends our messages. Replies go back in the webhook's own answer (TwiML).

Decisions:
- A new case from SMS gets the category whose keywords appear in the message (English or
  Khmer), else "other"; the province named in the message, else Phnom Penh (KH-12), with
  an internal timeline note so the officer confirms it with the complainant.
- Replies are in Khmer when the message has any Khmer letter (U+1780–U+17FF), else English.
- A MessageSid seen before opens nothing and gets a short reply without the secret (the
  secret exists only in the first reply).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from grievance.cases import events
from grievance.cases.models import Case, Province
from grievance.cases.services import NewCase, PersonData, file_case, server_key
from grievance.extensions import db
from grievance.i18n import label
from grievance.intake.checks import (
    MAX_NARRATIVE,
    confidentiality_for,
    is_khmer,
    strip_control_chars,
)
from grievance.intake.models import InboundSms
from grievance.khmer import identifier_key, khmer_key
from grievance.phones import to_e164
from grievance.security import normalize_reference, secret_matches
from grievance.types import utcnow
from workflows import get_workflow

DEFAULT_PROVINCE = "KH-12"
STATUS_WORDS = ("STATUS", "ស្ថានភាព")
STOP_WORDS = ("STOP", "UNSUBSCRIBE", "ឈប់")
# Checked in this order: the most sensitive first, so it is never filed as something milder.
KEYWORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("harassment_retaliation", ("harass", "retaliat", "យាយី", "សងសឹក")),
    ("maternity", ("maternity", "pregnan", "មាតុភាព", "ផ្ទៃពោះ")),
    ("employment_injury", ("injur", "accident", "គ្រោះថ្នាក់")),
    ("pension", ("pension", "សោធន")),
    ("healthcare_quality", ("hospital", "clinic", "health centre", "មន្ទីរពេទ្យ", "គ្លីនិក")),
    ("contributions", ("contribution", "deduct", "វិភាគទាន")),
    ("registration", ("regist", "nssf card", "ចុះបញ្ជី", "ប័ណ្ណ")),
)


@dataclass(frozen=True)
class Inbound:
    sid: str
    sender: str
    body: str


def signature(url: str, params: Iterable[tuple[str, str]], token: str) -> str:
    """Twilio's request signature: HMAC-SHA1 over the URL and the sorted POST fields."""
    pairs = sorted(set(params))
    payload = url + "".join(k + v for k, v in pairs)
    digest = hmac.new(token.encode(), payload.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def signature_valid(url: str, params: Iterable[tuple[str, str]], token: str, given: str) -> bool:
    if not token or not given:
        return False
    return hmac.compare_digest(signature(url, params, token), given)


def handle(msg: Inbound) -> str:
    """Act on one message and return the reply text, in the message's language."""
    body = strip_control_chars(msg.body).strip()
    lang = "km" if is_khmer(body) else "en"
    with force_locale(lang):
        if not _claim(msg.sid):
            return _duplicate(msg.sid)
        words = body.split(maxsplit=1)
        first = khmer_key(words[0]) if words else ""  # any case, any Khmer spelling order
        if first in _keys(STATUS_WORDS):
            _mark(msg.sid, "status")
            return status_reply(words[1] if len(words) > 1 else "")
        if first in _keys(STOP_WORDS) and len(words) == 1:
            _mark(msg.sid, "stop")
            opt_out(msg.sender)
            return _(
                "You will get no more SMS from Samleng. To complain again, just send us a message."
            )
        if not body:
            _mark(msg.sid, "empty")
            return _(
                "Samleng: please write your problem in the message. "
                "To check a case, send STATUS, your reference and your secret."
            )
        return _open_case(msg, body[:MAX_NARRATIVE], lang)


def _claim(sid: str) -> bool:
    """Record the MessageSid first: of two deliveries, even at the same moment, one wins."""
    try:
        with db.session.begin_nested():
            db.session.add(InboundSms(message_sid=sid, kind="case", received_at=utcnow()))
    except IntegrityError:
        return False
    return True


def _mark(sid: str, kind: str) -> None:
    db.session.execute(update(InboundSms).where(InboundSms.message_sid == sid).values(kind=kind))


def _duplicate(sid: str) -> str:
    case_id = db.session.scalar(select(InboundSms.case_id).where(InboundSms.message_sid == sid))
    case = db.session.get(Case, case_id) if case_id else None
    if case is None:
        return _("We already received this message.")
    return _(
        "We already received this message: it is case %(reference)s.", reference=case.reference
    )


@cache
def _keys(words: tuple[str, ...]) -> frozenset[str]:
    return frozenset(khmer_key(w) for w in words)


def guess_category(text: str) -> str:
    """Keywords and message compared as canonical keys (grievance.khmer.khmer_key): a Khmer
    keyword typed in another code-point order, or in capitals, still counts."""
    lowered = khmer_key(text)
    for code, words in KEYWORDS:
        if any(w in lowered for w in _keys(words)):
            return code
    return "other"


def guess_province(text: str) -> str | None:
    lowered = khmer_key(text)
    names = []
    for p in db.session.scalars(select(Province)):
        names += [(khmer_key(p.name_en), p.code), (khmer_key(p.name_km), p.code)]
    for name, code in sorted(names, key=lambda pair: -len(pair[0])):
        if name and name in lowered:
            return code
    return None


def _open_case(msg: Inbound, body: str, lang: str) -> str:
    province = guess_province(body)
    category = guess_category(body)
    phone = to_e164(msg.sender)
    filed = file_case(
        NewCase(
            category_code=category,
            province_code=province or DEFAULT_PROVINCE,
            description=body,
            channel="sms",
            # Texting us is asking for an answer by SMS: that is the consent to be contacted.
            complainant=PersonData(phone=phone, language=lang, consent_to_contact=bool(phone)),
            confidentiality=confidentiality_for(category, False),
            language=lang,
        ),
        actor_role="complainant",
    )
    if province is None:
        events.record(
            filed.case,
            "comment",
            actor_id=None,
            actor_role="system",
            data={
                "flag": "province_unknown",
                "text": "The SMS named no province; Phnom Penh was set until the "
                "complainant confirms.",
            },
        )
    db.session.execute(
        update(InboundSms).where(InboundSms.message_sid == msg.sid).values(case_id=filed.case.id)
    )
    ref, secret = filed.case.reference, filed.secret
    return _(
        "Samleng received your complaint. Reference: %(reference)s Secret: %(secret)s "
        "Keep both. To check your case, send: STATUS %(reference)s %(secret)s",
        reference=ref,
        secret=secret,
    )


def status_reply(rest: str) -> str:
    """`<reference> <secret>` in any spacing or dashes, Khmer or Latin digits: 8 + 12
    letters and digits."""
    chars = identifier_key(rest)
    not_found = _(
        "We found no case with this reference and secret. "
        "Check them and send: STATUS reference secret"
    )
    ref = normalize_reference(chars[:8]) if len(chars) == 20 else None
    if ref is None:
        return not_found
    case = db.session.scalar(select(Case).where(Case.reference == ref))
    if case is None or not secret_matches(chars[8:], case.secret_hash, server_key()):
        return not_found
    state = get_workflow(case.workflow).state(case.state)
    return _(
        "Case %(reference)s: %(status)s. %(explanation)s",
        reference=case.reference,
        status=label(state.label),
        explanation=label(state.explanation),
    )


def opt_out(sender: str) -> int:
    """No more SMS to this number. The notifications package owns opt-outs (it also cancels
    SMS still queued for the number); this is the one call intake makes into it, as agreed,
    imported here so that importing grievance never loads notifications."""
    phone = to_e164(sender)
    if phone is None:
        return 0
    from notifications.services import opt_out as stop_sms

    return stop_sms(phone)
