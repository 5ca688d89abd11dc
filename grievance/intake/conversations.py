"""Filing step by step on a chat with buttons (Telegram): category, province, what happened.

A channel that shows buttons (`MessageChannel.guided`) gets this before the commands and
threading of `grievance.intake.messages`, which still do everything else: a message that is
not a button or an answer to our step goes where it belongs (`grievance.intake.threads`: the
answer to the officer's question, a named case, a menu), and only a new complaint starts
the steps, keeping her words for the last one.

- The main menu: file a complaint, check my cases, share my phone number (the channel's
  contact button; only her own number is trusted), and Khmer or English.
- Every step offers Cancel; a half-finished complaint resumes where it stopped (the menu or
  /start shows the step again) and is dropped after EXPIRY_HOURS.
- The complaint is filed through the one intake pipeline, like every channel's.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from flask import current_app
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from sqlalchemy import select

from grievance import reference
from grievance.cases import events, people
from grievance.cases.models import Case
from grievance.errors import DomainError
from grievance.extensions import db
from grievance.intake import keywords, pipeline, threads
from grievance.intake.checks import MAX_NARRATIVE
from grievance.intake.messages import (
    Identity,
    InboundMessage,
    MessageChannel,
    Reply,
    case_status,
    fetch_evidence,
    mark,
)
from grievance.intake.models import ChatSession
from grievance.intake.submission import Submission
from grievance.intake.uploads import MAX_FILES
from grievance.khmer import ascii_digits
from grievance.tracking import services as tracking
from grievance.types import utcnow
from workflows.i18n import N_

EXPIRY_HOURS = 24
FILE = N_("File a complaint")
CHECK = N_("Check my cases")
PHONE = N_("Share my phone number")
CANCEL = N_("Cancel")
SEND = N_("Send my complaint")
DISCREET = N_("Discreet messages: someone else reads this phone")
ACCEPT = N_("Accept the answer")
APPEAL = N_("Appeal")
RATINGS = ("1", "2", "3", "4", "5")
DECIDING = "resolution_proposed"  # our answer waits for her: accept or appeal
LANGUAGES = {"ខ្មែរ": "km", "English": "en"}  # each in its own language
STEPS = ("category", "province", "details", "decide", "rating", "appeal")


def chosen_language(channel: str, address: str) -> str | None:
    session = _session(channel, address)
    return session.language if session is not None else None


def converse(
    message: InboundMessage, channel: MessageChannel, who: Identity, text: str
) -> Reply | None:
    """The reply when the message is a button, a bot command or the answer to the step she
    is on; None when it is for the commands and threading."""
    session = _session(channel.name, who.address)
    if session is not None and session.step and _expired(session):
        _clear(session)
        if text not in ("/start", "/cancel") and not _is(text, CANCEL):
            return Reply(
                _(
                    "Your unfinished complaint expired and was not sent. "
                    "Start again when you are ready."
                ),
                _menu(),
                _(PHONE),
            )
    if message.shared_foreign:
        mark(message, "contact")
        return Reply(
            _("Please share your own number with the button below: another number cannot be used."),
            _menu(),
            _(PHONE),
        )
    if message.shared_phone:
        mark(message, "contact")
        people.link_chat(channel.name, who.address, message.shared_phone)
        return Reply(
            _(
                "Thank you: this chat is linked to your phone number. Your cases from SMS "
                "and from here are one, and our messages come here."
            ),
            _menu(),
        )
    if text in LANGUAGES:
        mark(message, "language")
        session = session or _new_session(channel.name, who.address)
        session.language = LANGUAGES[text]
        with force_locale(session.language):
            return _resume(session) if session.step else _welcome()
    if text == "/cancel" or _is(text, CANCEL):
        mark(message, "cancel")
        if session is not None:
            _clear(session)
        return Reply(_("Cancelled: nothing was sent."), _menu(), _(PHONE))
    if text == "/start" or text == "/menu":
        mark(message, "menu")
        if people.opted_out(channel.name, who.address):
            channel.opt_in(who)
        return _resume(session) if session is not None and session.step else _welcome()
    if text == "/file" or _is(text, FILE):
        mark(message, "menu")
        if session is not None and session.step:
            return _resume(session)
        return begin(message, channel, who, "")
    if _is(text, CHECK):
        mark(message, "status")
        return _my_cases(channel, who, session)
    asked = keywords.command(text)
    if asked is not None and asked.name != "start":
        return None  # STOP, STATUS and HELP work at every step, as on every channel
    if session is not None and session.step:
        return _step(message, channel, who, session, text)
    return None


def begin(message: InboundMessage, channel: MessageChannel, who: Identity, text: str) -> Reply:
    """Start a complaint; words she already wrote are kept for the last step."""
    session = _session(channel.name, who.address) or _new_session(channel.name, who.address)
    session.step = "category"
    session.text = text or None
    session.media = list(message.media[:MAX_FILES])
    session.category = session.province = None
    session.discreet = False
    session.expires_at = utcnow() + timedelta(hours=EXPIRY_HOURS)
    mark(message, "menu")
    return _ask(session)


def _step(
    message: InboundMessage,
    channel: MessageChannel,
    who: Identity,
    session: ChatSession,
    text: str,
) -> Reply:
    session.expires_at = utcnow() + timedelta(hours=EXPIRY_HOURS)
    lang = str(get_locale() or "km")
    if session.step in ("decide", "rating", "appeal"):
        return _decide(message, who, session, text)
    if session.step == "category":
        code = _match(text, reference.current().category_choices)
        if code is None:
            mark(message, "menu")
            return _ask(session, _("Please choose with a button."))
        session.category, session.step = code, "province"
        mark(message, "menu")
        return _ask(session)
    if session.step == "province":
        code = _match(text, reference.current().province_choices)
        if code is None:
            mark(message, "menu")
            return _ask(session, _("Please choose with a button."))
        session.province, session.step = code, "details"
        if session.text:
            return _file(message, channel, who, session, lang)
        mark(message, "menu")
        return _ask(session)
    # details: files may come first; the words, or Send after a voice note, complete it
    if _is(text, DISCREET):
        session.discreet = True
        mark(message, "menu")
        return _ask(
            session,
            _(
                "Our messages about this complaint will not say what it is about, and only "
                "the officer in charge will see your name and number."
            ),
        )
    session.media = (list(session.media or []) + list(message.media))[: MAX_FILES + 1]
    if text and not _is(text, SEND):
        session.text = text[:MAX_NARRATIVE]
        return _file(message, channel, who, session, lang)
    if text and session.media:
        return _file(message, channel, who, session, lang)
    mark(message, "menu")
    return Reply(
        _(
            "File received. Now write in a message what happened, or press Send when your "
            "voice note says it all."
        ),
        ((_(SEND),), *(() if session.discreet else ((_(DISCREET),),)), (_(CANCEL),)),
    )


def _file(
    message: InboundMessage,
    channel: MessageChannel,
    who: Identity,
    session: ChatSession,
    lang: str,
) -> Reply:
    evidence, refused = fetch_evidence(channel, list(session.media or []))
    if not session.text and not any(item.is_voice for item in evidence):
        mark(message, "menu")
        return Reply(
            _("We did not get a voice note. Please write what happened, or send a voice note."),
            ((_(CANCEL),),),
        )
    sub = Submission(
        description=session.text or "",
        category=session.category or "",
        province=session.province or "",
        channel=channel.name,
        phone=who.phone,
        language=lang if lang in ("km", "en") else "km",
        consent_to_contact=True,  # she asked to be answered here
        confidential=bool(session.discreet),  # discreet messages (grievance.cases.discretion)
        external_id=message.external_id,
        evidence=evidence,
    )
    _clear(session)
    try:
        filed = pipeline.file(sub, pipeline.COMPLAINANT)
    except pipeline.Invalid:
        mark(message, "refused")
        return Reply(_("Samleng could not file this message. Please call the hotline."), _menu())
    person = filed.case.complainant
    if person is not None:
        person.chat_channel, person.chat_address = channel.name, who.address
        person.last_channel = channel.name
    if refused:
        events.record(
            filed.case,
            "comment",
            actor_id=None,
            actor_role="system",
            data={"flag": "files_not_kept", "text": f"{refused} file(s) could not be kept."},
        )
    db.session.flush()
    mark(message, "case", filed.case.id)
    lines = [
        _(
            "Samleng received your complaint. Reference: %(reference)s Secret: %(secret)s "
            "Keep both. To check your case, send: STATUS %(reference)s",
            reference=filed.case.reference,
            secret=filed.secret,
        )
    ]
    if refused:
        lines.append(
            _(
                "%(count)s file(s) could not be kept. You can give them to the officer later.",
                count=refused,
            )
        )
    return Reply("\n".join(lines), _menu(), "" if who.phone else _(PHONE))


def _my_cases(channel: MessageChannel, who: Identity, session: ChatSession | None) -> Reply:
    if not who.phone:
        return Reply(
            _(
                "To check a case, send: /status reference secret. Or share your phone "
                "number with the button to see your cases here."
            ),
            _menu(),
            _(PHONE),
        )
    cases = threads.open_cases_of(who.phone)[: threads.MENU_CASES]
    if not cases:
        return Reply(_("You have no open case."), _menu())
    lines = [case_status(c) for c in cases]
    waiting = [c for c in cases if c.state == DECIDING]
    if not waiting:
        return Reply("\n".join(lines), _menu())
    session = session or _new_session(channel.name, who.address)
    _clear(session)
    session.step, session.case_id = "decide", waiting[0].id
    session.expires_at = utcnow() + timedelta(hours=EXPIRY_HOURS)
    return _ask(session, "\n".join(lines))


def _welcome() -> Reply:
    return Reply(
        _(
            "Welcome to Samleng, the NSSF complaints service. File a complaint, check your "
            "cases, or share your phone number so your cases by SMS show here too. "
            "Help: call %(number)s.",
            number=current_app.config["SAMLENG"].HOTLINE_NUMBER,
        ),
        _menu(),
        _(PHONE),
    )


def _resume(session: ChatSession) -> Reply:
    return _ask(session, _("You had started a complaint: let us continue."))


def _ask(session: ChatSession, before: str = "") -> Reply:
    lang = str(get_locale() or "km")
    snapshot = reference.current()
    if session.step in ("decide", "rating", "appeal"):
        return _ask_decision(session, before)
    if session.step == "category":
        text = _("What is your complaint about? Choose with a button.")
        options = [name for _code, name in snapshot.category_choices(lang)]
        rows = _rows(options, 1)
    elif session.step == "province":
        text = _("In which province? Choose with a button.")
        rows = _rows([name for _code, name in snapshot.province_choices(lang)], 2)
    else:
        text = _(
            "What happened? Write it in a message or say it in a voice note. Photos or "
            "documents can be sent too."
        )
        rows = ()
    if session.step == "details" and not session.discreet:
        rows = ((_(DISCREET),),)
    return Reply("\n".join(filter(None, [before, text])), (*rows, (_(CANCEL),)))


def _ask_decision(session: ChatSession, before: str = "") -> Reply:
    case = db.session.get(Case, session.case_id) if session.case_id else None
    ref = case.reference if case is not None else ""
    if session.step == "rating":
        text = _("How satisfied are you with the outcome? 1 = not at all, 5 = fully.")
        return Reply("\n".join(filter(None, [before, text])), (RATINGS, (_(CANCEL),)))
    if session.step == "appeal":
        text = _("Why do you appeal? Write your reason in a message.")
        return Reply("\n".join(filter(None, [before, text])), ((_(CANCEL),),))
    text = _(
        "Our answer on case %(reference)s waits for you: accept it or appeal. "
        "The answer is on your status page.",
        reference=ref,
    )
    buttons = ((_(ACCEPT),), (_(APPEAL),), (_(CANCEL),))
    return Reply("\n".join(filter(None, [before, text])), buttons)


def _decide(message: InboundMessage, who: Identity, session: ChatSession, text: str) -> Reply:
    """Accept (with a rating) or appeal the answer we proposed, on her own case only."""
    mark(message, "decision")
    case = db.session.get(Case, session.case_id) if session.case_id else None
    person = case.complainant if case is not None else None
    if case is None or person is None or not who.phone or person.phone != who.phone:
        _clear(session)
        return Reply(_("You have no open case."), _menu())
    if session.step == "decide":
        if _is(text, ACCEPT):
            session.step = "rating"
        elif _is(text, APPEAL):
            session.step = "appeal"
        else:
            return _ask_decision(session, _("Please choose with a button."))
        return _ask_decision(session)
    inputs: dict[str, object]
    if session.step == "rating":
        digits = ascii_digits(text).strip()
        if digits not in RATINGS:
            return _ask_decision(session, _("Please choose with a button."))
        step, inputs = "accept_resolution", {"rating": int(digits)}
        done = _(
            "Thank you: you accepted our answer on case %(reference)s.", reference=case.reference
        )
    else:
        step, inputs = "appeal", {"reason": text[:MAX_NARRATIVE]}
        done = _(
            "Your appeal on case %(reference)s was received. Someone other than the officer "
            "who answered will look at it.",
            reference=case.reference,
        )
    _clear(session)
    try:
        tracking.take_step(case, step, inputs, expected_version=None)
    except DomainError:
        return Reply(
            _(
                "This step is no longer possible on case %(reference)s. Please call the hotline.",
                reference=case.reference,
            ),
            _menu(),
        )
    mark(message, "decision", case.id)
    return Reply(done, _menu())


def _menu() -> tuple[tuple[str, ...], ...]:
    return ((_(FILE),), (_(CHECK),), tuple(LANGUAGES))


def _rows(options: list[str], width: int) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(options[i : i + width]) for i in range(0, len(options), width))


def _is(text: str, msgid: str) -> bool:
    """Whether the text is the button `msgid` in either language (a chat keeps buttons
    of the language it was sent in)."""
    for lang in LANGUAGES.values():
        with force_locale(lang):
            if text == _(msgid):
                return True
    return False


def _match(text: str, choices: Callable[[str], list[tuple[str, str]]]) -> str | None:
    for lang in LANGUAGES.values():
        for code, name in choices(lang):
            if text.strip().casefold() == name.casefold():
                return str(code)
    return None


def _session(channel: str, address: str) -> ChatSession | None:
    key = threads.sender_key(channel, address)
    return db.session.scalar(
        select(ChatSession).where(ChatSession.channel == channel, ChatSession.sender_key == key)
    )


def _new_session(channel: str, address: str) -> ChatSession:
    session = ChatSession(
        channel=channel, sender_key=threads.sender_key(channel, address), media=[]
    )
    db.session.add(session)
    return session


def _expired(session: ChatSession) -> bool:
    return session.expires_at is not None and session.expires_at <= utcnow()


def _clear(session: ChatSession) -> None:
    session.step = session.category = session.province = session.text = None
    session.discreet = False
    session.case_id = None
    session.media = []
    session.expires_at = None
    session.updated_at = utcnow()
