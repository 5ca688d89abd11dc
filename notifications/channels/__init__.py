"""Channels behind one small interface: send a message, or find one already sent.

`lookup` lets a retry after an attempt that may have reached the provider (a worker killed
mid-send, a timeout) find that message instead of sending a second one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol

from flask import current_app


@dataclass(frozen=True)
class Message:
    key: str  # the outbox row's idempotency key
    channel: str  # sms | email | telegram
    to: str  # E.164 phone, email address or chat id
    body: str  # SMS text, or the email's plain text
    subject: str = ""
    html: str = ""


class DeliveryError(Exception):
    """A send that did not happen. The text goes to the row: no personal data in it."""


class TemporaryError(DeliveryError):
    """Worth trying again later (gateway 5xx, 429, timeout, connection refused);
    `retry_after` seconds when the provider said how long to wait."""

    def __init__(self, text: str, retry_after: int | None = None) -> None:
        super().__init__(text)
        self.retry_after = retry_after


class PermanentError(DeliveryError):
    """Retrying cannot help (invalid number, refused credentials, unknown template)."""


class RecipientOptedOut(PermanentError):
    """The provider refuses: this number replied STOP to it (Twilio error 21610)."""


class RecipientBlocked(PermanentError):
    """A chat app refuses: the person blocked the bot (Telegram's 403). The relay sends
    the message by SMS instead, once."""


class Channel(Protocol):
    def send(self, message: Message) -> str:
        """Hand the message over; return the provider's id for it."""

    def lookup(self, message: Message, since: datetime) -> str | None:
        """The provider's id of this message if it was already accepted, else None.

        Exact for every channel that can be asked: decided by something unique to this
        message (the body's one-time link, derived from the outbox row), looking through
        every record the provider holds for the address since `since`, never a fixed
        page of recent ones. When it cannot finish, raise TemporaryError: ask later,
        never send a second copy on a guess."""


def outbox_dir() -> Path:
    return Path(current_app.instance_path) / "outbox"


def channel_for(name: str) -> Channel:
    cfg = current_app.config["SAMLENG"]
    if name == "sms":
        if cfg.SMS_BACKEND == "twilio":
            from notifications.channels.twilio import TwilioSMS

            return TwilioSMS.from_config(cfg)
        from notifications.channels.files import FileChannel

        return FileChannel(outbox_dir(), "txt")
    if name == "email":
        if cfg.MAIL_SERVER:
            from notifications.channels.smtp import SMTPChannel

            return SMTPChannel(cfg.MAIL_SERVER, cfg.MAIL_PORT, cfg.MAIL_FROM)
        from notifications.channels.files import FileChannel

        return FileChannel(outbox_dir(), "eml", sender=cfg.MAIL_FROM)
    if name == "telegram":
        from notifications.channels.telegram import TelegramChannel

        return TelegramChannel.from_config()
    raise PermanentError(f"no channel {name}")
