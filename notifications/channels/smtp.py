"""Email over SMTP: plain text with an HTML alternative."""

from __future__ import annotations

import base64
import hashlib
import smtplib
from datetime import datetime

from notifications.channels import Message, PermanentError, TemporaryError

TIMEOUT_SECONDS = 15.0


def message_id(key: str) -> str:
    # Derived from the idempotency key: a resent message carries the same id, so mail
    # clients that de-duplicate show it once.
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}@samleng>"


def render_email(message: Message, sender: str) -> str:
    """The whole e-mail, MIME by hand: the plain text and, if any, the HTML alternative,
    each UTF-8 in base64; the subject in RFC 2047 encoded words. (The standard library's
    header machinery took milliseconds per message; a backlog sends tens of thousands.)"""
    head = [
        f"From: {_header(sender)}",
        f"To: {_header(message.to)}",
        f"Subject: {encoded_words(_header(message.subject))}",
        f"Message-ID: {message_id(message.key)}",
        "MIME-Version: 1.0",
    ]
    if not message.html:
        return "\n".join([*head, *_part("plain", message.body)])
    boundary = "==samleng-" + hashlib.sha256(message.key.encode()).hexdigest()[:24]
    return "\n".join(
        [
            *head,
            f'Content-Type: multipart/alternative; boundary="{boundary}"',
            "",
            f"--{boundary}",
            *_part("plain", message.body),
            f"--{boundary}",
            *_part("html", message.html),
            f"--{boundary}--",
            "",
        ]
    )


def _part(subtype: str, text: str) -> list[str]:
    body = base64.encodebytes(text.encode()).decode()  # lines of 76, each ending in \n
    return [
        f'Content-Type: text/{subtype}; charset="utf-8"',
        "Content-Transfer-Encoding: base64",
        "",
        body,
    ]


def _header(value: str) -> str:
    if "\r" in value or "\n" in value:
        raise PermanentError("line break in a header")
    return value


def encoded_words(text: str) -> str:
    """A header value in RFC 2047 encoded words (UTF-8, base64), at most 75 characters
    each, one per folded line; plain ASCII as it is."""
    if text.isascii():
        return text
    words: list[bytes] = []
    chunk = b""
    for char in text:
        encoded = char.encode()
        if len(chunk) + len(encoded) > 45:  # 45 bytes: 60 in base64, 72 with the frame
            words.append(chunk)
            chunk = b""
        chunk += encoded
    words.append(chunk)
    return "\n ".join(f"=?utf-8?b?{base64.b64encode(w).decode()}?=" for w in words)


class SMTPChannel:
    def __init__(self, host: str, port: int, sender: str) -> None:
        self.host, self.port, self.sender = host, port, sender

    def send(self, message: Message) -> str:
        mail = render_email(message, self.sender).encode()
        try:
            with smtplib.SMTP(self.host, self.port, timeout=TIMEOUT_SECONDS) as smtp:
                smtp.sendmail(self.sender, [message.to], mail)
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
