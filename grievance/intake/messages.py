"""People writing to us on a message channel: SMS today, a chat app tomorrow.

A channel adapter (`MessageChannel`, e.g. `grievance.intake.channels.sms.TwilioSms`) knows
its provider's wire format: how to verify and parse an inbound request, who the sender is,
how a reply is written, how media and delivery receipts are fetched. Everything else is
here, the same for every channel:

- each inbound message is recorded by channel and the channel's own message id first, so a
  repeated delivery acts once (`inbound_messages`);
- commands: `STATUS <reference> <secret>` reports on a case, `STOP` ends our messages;
- any other text opens a case through the intake pipeline, with the category and province
  guessed from the words (`grievance.intake.guesses`). A reply to one of our messages is
  not attached to an earlier case: it opens a case of its own, like any message;
- the reply is in Khmer when the message has any Khmer letter, else in English.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Protocol

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Request, Response

from grievance.cases import events
from grievance.cases.models import Case
from grievance.extensions import db
from grievance.i18n import label
from grievance.intake import pipeline
from grievance.intake.checks import MAX_NARRATIVE, is_khmer, strip_control_chars
from grievance.intake.guesses import guess_category, guess_province
from grievance.intake.models import ReceivedMessage
from grievance.intake.submission import Submission
from grievance.keys import server_key
from grievance.khmer import identifier_key, khmer_key
from grievance.security import normalize_reference, secret_matches
from grievance.types import utcnow
from workflows import get_workflow

DEFAULT_PROVINCE = "KH-12"  # Phnom Penh, flagged for the officer to confirm
STATUS_WORDS = ("STATUS", "ស្ថានភាព")
STOP_WORDS = ("STOP", "UNSUBSCRIBE", "ឈប់")


@dataclass(frozen=True)
class InboundMessage:
    channel: str  # a value of grievance.domain.CHANNELS
    external_id: str  # the channel's own id for this message (Twilio's MessageSid)
    sender: str  # the channel's address of the sender (a phone number, a chat id)
    text: str
    media: tuple[str, ...] = ()  # the channel's references to attached files


@dataclass(frozen=True)
class Identity:
    """Who sent a message, as far as the channel proves it."""

    address: str  # where the channel reaches the sender
    phone: str | None = None  # E.164, only when the channel vouches for the number


@dataclass(frozen=True)
class DeliveryReceipt:
    provider_id: str  # the provider's id of a message we sent
    status: str  # the provider's word: queued, sent, delivered, undelivered, failed, read
    error_code: str = ""


class BadInbound(Exception):
    """A request the provider should not have sent (a required field missing)."""


class MessageChannel(Protocol):
    """What a message channel provides. Wire it with a blueprint whose inbound route calls
    `grievance.intake.views.inbound.receive(channel)`."""

    name: str  # the channel's value in grievance.domain.CHANNELS

    def verify(self, request: Request) -> bool:
        """Whether the request really comes from the provider (a signature, a token)."""

    def parse(self, request: Request) -> InboundMessage:
        """The message in the request; BadInbound if it is not one."""

    def identity(self, message: InboundMessage) -> Identity: ...

    def reply(self, text: str | None) -> Response:
        """The provider's answer to the inbound request, carrying `text` back if any."""

    def error(self, status: int, text: str) -> Response:
        """An error in the provider's format (never an HTML page)."""

    def fetch_media(self, reference: str) -> bytes:
        """The bytes of an attached file (a photo, a voice note)."""

    def delivery_status(self, request: Request) -> DeliveryReceipt | None:
        """A delivery receipt in a provider's callback, or None if it carries none."""

    def opt_out(self, identity: Identity) -> None:
        """The sender asked for no more messages on this channel (recorded, then read by
        the notifications relay)."""

    def opt_in(self, identity: Identity) -> None:
        """The sender asked for messages again (lifts an opt-out)."""


def handle(message: InboundMessage, channel: MessageChannel) -> str:
    """Act on one message and return the reply text, in the message's language."""
    text = strip_control_chars(message.text).strip()
    with force_locale("km" if is_khmer(text) else "en"):
        if not _claim(message):
            return _duplicate(message)
        words = text.split(maxsplit=1)
        first = khmer_key(words[0]) if words else ""  # any case, any Khmer spelling order
        if first in _keys(STATUS_WORDS):
            _mark(message, "status")
            return status_reply(words[1] if len(words) > 1 else "")
        if first in _keys(STOP_WORDS) and len(words) == 1:
            _mark(message, "stop")
            channel.opt_out(channel.identity(message))
            return _(
                "You will get no more SMS from Samleng. To complain again, just send us a message."
            )
        if not text:
            _mark(message, "empty")
            return _(
                "Samleng: please write your problem in the message. "
                "To check a case, send STATUS, your reference and your secret."
            )
        return _open_case(message, channel, text[:MAX_NARRATIVE])


def _claim(message: InboundMessage) -> bool:
    """Record the message id first: of two deliveries, even at the same moment, one wins."""
    record = ReceivedMessage(
        channel=message.channel,
        external_id=message.external_id,
        kind="case",
        received_at=utcnow(),
    )
    try:
        with db.session.begin_nested():
            db.session.add(record)
    except IntegrityError:
        return False
    return True


def _mark(message: InboundMessage, kind: str, case_id: int | None = None) -> None:
    db.session.execute(
        update(ReceivedMessage)
        .where(
            ReceivedMessage.channel == message.channel,
            ReceivedMessage.external_id == message.external_id,
        )
        .values(kind=kind, case_id=case_id)
    )


def _duplicate(message: InboundMessage) -> str:
    case_id = db.session.scalar(
        select(ReceivedMessage.case_id).where(
            ReceivedMessage.channel == message.channel,
            ReceivedMessage.external_id == message.external_id,
        )
    )
    case = db.session.get(Case, case_id) if case_id else None
    if case is None:
        return _("We already received this message.")
    return _(
        "We already received this message: it is case %(reference)s.", reference=case.reference
    )


def submission(
    message: InboundMessage, identity: Identity, text: str, province: str | None
) -> Submission:
    """A message as a complaint. Writing to us is asking for an answer on the channel:
    that is the consent to be contacted (by the number, when the channel vouches for it)."""
    lang = "km" if is_khmer(text) else "en"
    return Submission(
        description=text,
        category=guess_category(text),
        province=province or DEFAULT_PROVINCE,
        channel=message.channel,
        phone=identity.phone,
        language=lang,
        consent_to_contact=bool(identity.phone),
        external_id=message.external_id,
    )


def _open_case(message: InboundMessage, channel: MessageChannel, text: str) -> str:
    province = guess_province(text)
    sub = submission(message, channel.identity(message), text, province)
    try:
        filed = pipeline.file(sub, pipeline.COMPLAINANT)
    except pipeline.Invalid:
        _mark(message, "refused")
        return _("Samleng could not file this message. Please call the hotline.")
    if province is None:
        events.record(
            filed.case,
            "comment",
            actor_id=None,
            actor_role="system",
            data={
                "flag": "province_unknown",
                "text": "The message named no province; Phnom Penh was set until the "
                "complainant confirms.",
            },
        )
    _mark(message, "case", filed.case.id)
    return _(
        "Samleng received your complaint. Reference: %(reference)s Secret: %(secret)s "
        "Keep both. To check your case, send: STATUS %(reference)s %(secret)s",
        reference=filed.case.reference,
        secret=filed.secret,
    )


@cache
def _keys(words: tuple[str, ...]) -> frozenset[str]:
    return frozenset(khmer_key(w) for w in words)


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
