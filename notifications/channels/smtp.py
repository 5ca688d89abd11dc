"""Email over SMTP: plain text with an HTML alternative."""

from __future__ import annotations

import hashlib
import smtplib
from datetime import datetime
from email.message import EmailMessage

from notifications.channels import Message, PermanentError, TemporaryError

TIMEOUT_SECONDS = 15.0


def message_id(key: str) -> str:
    # Derived from the idempotency key: a resent message carries the same id, so mail
    # clients that de-duplicate show it once.
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}@samleng>"


def build_email(message: Message, sender: str) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = message.to
    mail["Subject"] = message.subject
    mail["Message-ID"] = message_id(message.key)
    mail.set_content(message.body)
    if message.html:
        mail.add_alternative(message.html, subtype="html")
    return mail


class SMTPChannel:
    def __init__(self, host: str, port: int, sender: str) -> None:
        self.host, self.port, self.sender = host, port, sender

    def send(self, message: Message) -> str:
        mail = build_email(message, self.sender)
        try:
            with smtplib.SMTP(self.host, self.port, timeout=TIMEOUT_SECONDS) as smtp:
                smtp.send_message(mail)
        except smtplib.SMTPRecipientsRefused:
            raise PermanentError("smtp recipient refused") from None
        except smtplib.SMTPResponseException as error:
            kind = PermanentError if 500 <= error.smtp_code < 600 else TemporaryError
            raise kind(f"smtp {error.smtp_code}") from None
        except (smtplib.SMTPException, OSError):  # OSError covers timeouts
            raise TemporaryError("smtp unreachable") from None
        return message_id(message.key)

    def lookup(self, message: Message, since: datetime) -> str | None:
        return None  # SMTP cannot be asked; the stable Message-ID limits the harm of a resend
