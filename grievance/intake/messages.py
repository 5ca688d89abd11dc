"""People writing to us on a message channel: SMS today, a chat app tomorrow.

A channel adapter (`MessageChannel`, e.g. `grievance.intake.channels.sms.TwilioSms`) knows
its provider's wire format: how to verify and parse an inbound request, who the sender is,
how a reply is written, how media and delivery receipts are fetched. Everything else is
here, the same for every channel:

- each inbound message is recorded by channel and the channel's own message id first, so a
  repeated delivery acts once (`inbound_messages`);
- commands (`grievance.intake.keywords`, in Khmer, Latin and Romanized spellings):
  `STATUS <reference> <secret>` (or the reference alone from the number on file) reports
  on a case, the opt-out words end our messages, the opt-in words lift that, HELP explains;
  none of them ever opens a case;
- any other text goes where it belongs (`grievance.intake.threads`): the answer to our
  question, the case it names, a menu when the sender has other open cases, else a new
  case through the intake pipeline, with the category and province guessed from the words
  (`grievance.intake.guesses`);
- the reply is in the sender's language (the one she chose when filing), else in Khmer
  when the message has any Khmer letter, else in English.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from io import BytesIO
from typing import Protocol

from flask import current_app
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Request, Response

from grievance.cases import discretion, events, people
from grievance.cases.models import Case
from grievance.extensions import db
from grievance.i18n import label
from grievance.intake import keywords, pipeline, threads, uploads
from grievance.intake.checks import MAX_NARRATIVE, is_khmer, strip_control_chars
from grievance.intake.guesses import guess_category, guess_province
from grievance.intake.models import ReceivedMessage
from grievance.intake.submission import Submission
from grievance.intake.uploads import Evidence
from grievance.keys import server_key
from grievance.khmer import identifier_key
from grievance.security import normalize_reference, reference_mistyped, secret_matches
from grievance.types import utcnow
from workflows import get_workflow

DEFAULT_PROVINCE = "KH-12"  # Phnom Penh, flagged for the officer to confirm
MAX_QUESTION = 300  # characters of the officer's question a status reply carries


@dataclass(frozen=True)
class InboundMessage:
    channel: str  # a value of grievance.domain.CHANNELS
    external_id: str  # the channel's own id for this message (Twilio's MessageSid)
    sender: str  # the channel's address of the sender (a phone number, a chat id)
    text: str
    media: tuple[str, ...] = ()  # the channel's references to attached files
    # A phone number the sender shared as her own with the channel's contact button, which
    # the channel vouches for (Telegram: the contact's user id is the sender's); a number
    # shared that is not her own is never trusted (`shared_foreign`).
    shared_phone: str | None = None
    shared_foreign: bool = False
    # Not a message: she blocked ("blocked") or unblocked ("unblocked") us on the channel.
    membership: str = ""


class Reply(str):
    """A reply's text. A channel with buttons (`guided`) shows `buttons` (rows of answers
    she can tap) and, when `contact` is set, a button with that label that shares her own
    phone number; other channels send the text alone."""

    buttons: tuple[tuple[str, ...], ...]
    contact: str

    def __new__(
        cls, text: str, buttons: tuple[tuple[str, ...], ...] = (), contact: str = ""
    ) -> Reply:
        made = super().__new__(cls, text)
        made.buttons = buttons
        made.contact = contact
        return made


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
    # Whether the channel shows buttons: then a complaint is filed step by step
    # (grievance.intake.conversations), else in one message with guessed category/province.
    guided: bool

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
    """Act on one message and return the reply text, in the sender's language (the one
    she chose when she filed, else the message's script)."""
    from grievance.intake import conversations

    text = strip_control_chars(message.text).strip()
    identity = channel.identity(message)
    with force_locale(_language(identity, text, channel)):
        if not _claim(message):
            return _duplicate(message)
        if message.membership:
            return _membership(message, channel, identity)
        people.wrote_on(channel.name, identity.phone, identity.address)
        if channel.guided:
            answer = conversations.converse(message, channel, identity, text)
            if answer is not None:
                return answer
        asked = keywords.command(text)
        if asked is not None and not _plain_yes(asked, channel, identity):
            return _command(asked, message, channel, identity)
        if not text and not message.media:
            mark(message, "empty")
            return _help()
        placed = threads.place(
            message.channel,
            identity.address,
            identity.phone,
            text,
            evidence=lambda: fetch_evidence(channel, message.media)[0],
        )
        if placed.kind == "new" and channel.guided:
            return conversations.begin(message, channel, identity, placed.text[:MAX_NARRATIVE])
        if placed.kind == "new":
            return _open_case(message, channel, placed.text[:MAX_NARRATIVE])
        return _placed_reply(message, placed)


def _membership(message: InboundMessage, channel: MessageChannel, who: Identity) -> str:
    """Blocked: our messages go by SMS from now on (`notifications.outbox.door` and the
    relay read the same record as for a refused send); unblocked: back on the chat. No
    reply: a blocked chat cannot get one, an unblocked one gets her /start's."""
    mark(message, message.membership)
    if message.membership == "blocked":
        people.record_opt_out(channel.name, who.address)
    else:
        people.opt_in(channel.name, who.address)
    return ""


def fetch_evidence(
    channel: MessageChannel, references: Sequence[str]
) -> tuple[list[Evidence], int]:
    """The attached files as evidence, checked by content like every upload, and how many
    could not be kept (unreachable, too big, a type we do not take)."""
    kept: list[Evidence] = []
    refused = 0
    for n, reference in enumerate(references[: uploads.MAX_FILES], 1):
        try:
            data = channel.fetch_media(reference)
            kept.append(uploads.inspect(BytesIO(data), f"{n}"))
        except (BadInbound, uploads.UploadRejected):
            refused += 1
    return kept, refused + max(0, len(references) - uploads.MAX_FILES)


def _language(identity: Identity, text: str, channel: MessageChannel | None = None) -> str:
    """A chat speaks the language chosen with its buttons, else hers, else Khmer."""
    guided = channel is not None and channel.guided
    if channel is not None and guided:
        from grievance.intake import conversations

        chosen = conversations.chosen_language(channel.name, identity.address)
        if chosen:
            return chosen
    cases = threads.open_cases_of(identity.phone)
    person = cases[0].complainant if cases else None
    if person is not None and person.language in ("km", "en"):
        return person.language
    return "km" if guided or is_khmer(text) else "en"


def _plain_yes(asked: keywords.Command, channel: MessageChannel, who: Identity) -> bool:
    """An opt-in word ("YES") from someone who never opted out is an ordinary message,
    often the answer to our question."""
    return asked.name == "start" and not people.opted_out(channel.name, who.phone or who.address)


def _command(
    asked: keywords.Command, message: InboundMessage, channel: MessageChannel, who: Identity
) -> str:
    mark(message, asked.name)
    if asked.name == "status":
        return status_reply(asked.rest, who.phone, detailed=channel.guided)
    if asked.name == "stop":
        channel.opt_out(who)
        return _("You will get no more messages from Samleng. To receive them again, send START.")
    if asked.name == "start":
        channel.opt_in(who)
        return _("Samleng: you will get our messages again. To stop them, send STOP.")
    return _help()


def _help() -> str:
    return _(
        "Samleng: write your problem in a message and send it to us. To check a case, "
        "send STATUS, your reference and your secret. Help: call %(number)s.",
        number=current_app.config["SAMLENG"].HOTLINE_NUMBER,
    )


def _placed_reply(message: InboundMessage, placed: threads.Placed) -> str:
    if placed.kind == "menu":
        mark(message, "menu")
        lines = [_("Samleng: is this message about one of your cases? Reply with a number:")]
        lines += [f"{n} = {case.reference}" for n, case in enumerate(placed.menu, 1)]
        lines.append(_("%(n)s = a new complaint", n=len(placed.menu) + 1))
        return "\n".join(lines)
    assert placed.case is not None
    mark(message, placed.kind, placed.case.id)
    if placed.kind == "answered":
        return _(
            "Samleng: thank you, your answer was added to case %(reference)s. "
            "The officer will continue.",
            reference=placed.case.reference,
        )
    return _(
        "Samleng: thank you, your message was added to case %(reference)s.",
        reference=placed.case.reference,
    )


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


def mark(message: InboundMessage, kind: str, case_id: int | None = None) -> None:
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
        mark(message, "refused")
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
    mark(message, "case", filed.case.id)
    return _(
        "Samleng received your complaint. Reference: %(reference)s Secret: %(secret)s "
        "Keep both. To check your case, send: STATUS %(reference)s",
        reference=filed.case.reference,
        secret=filed.secret,
    )


def status_reply(rest: str, phone: str | None = None, detailed: bool = False) -> str:
    """`<reference> <secret>` in any spacing or dashes, Khmer or Latin digits: 8 + 12
    letters and digits; or the reference alone from the number on file. The answer names
    the stage, and what the case is about only when it is not discreet."""
    chars = identifier_key(rest)
    not_found = _(
        "We found no case with this reference and secret. "
        "Check them and send: STATUS reference secret"
    )
    if len(chars) in (8, 20) and reference_mistyped(chars[:8]):
        return _(
            "Samleng: this reference looks mistyped: one character is wrong or two are "
            "swapped. Check it and send: STATUS reference secret"
        )
    ref = normalize_reference(chars[:8]) if len(chars) in (8, 20) else None
    case = db.session.scalar(select(Case).where(Case.reference == ref)) if ref else None
    if case is None:
        return not_found
    if len(chars) == 20:
        known = secret_matches(chars[8:], case.secret_hash, server_key())
    else:
        known = bool(phone) and case.complainant is not None and case.complainant.phone == phone
    if not known:
        return not_found
    return case_status(case, detailed)


def case_status(case: Case, detailed: bool = True) -> str:
    """A case's stage for a message. `detailed` (a chat, where length costs nothing; an
    SMS reply must fit two parts): what it is about and the question waiting for her, as
    far as `grievance.cases.discretion` lets a message say them."""
    state = get_workflow(case.workflow).state(case.state)
    lines = [
        _(
            "Case %(reference)s: %(status)s. %(explanation)s",
            reference=case.reference,
            status=label(state.label),
            explanation=label(state.explanation),
        )
    ]
    if not detailed:
        return lines[0]
    said = discretion.may_say(case, str(get_locale() or "km"))
    if said.subject:
        lines.append(_("About: %(subject)s", subject=said.subject))
    if said.question:
        question = said.question
        if len(question) > MAX_QUESTION:
            question = question[:MAX_QUESTION].rstrip() + "…"
        lines.append(_("Our question to you: %(question)s", question=question))
    return "\n".join(lines)
