"""Email (plain text + HTML, over SMTP or to files) and the command-line entry points."""

from __future__ import annotations

import email
import socketserver
import threading
from collections.abc import Iterator
from email.message import Message as MailMessage
from email.policy import default
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from grievance import uow
from grievance.effects import Notice, emit
from grievance.extensions import db
from notifications.channels import Message, PermanentError, TemporaryError
from notifications.channels.smtp import SMTPChannel
from notifications.cli import digest_cmd, sweep_cmd
from notifications.models import Notification
from tests.factories import make_case, make_user


class FakeSMTP(socketserver.ThreadingTCPServer):
    """Just enough SMTP to accept (or refuse) one message at a time."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        self.received: list[MailMessage] = []
        self.refuse_rcpt = False
        server = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                def say(line: str) -> None:
                    self.wfile.write((line + "\r\n").encode())

                say("220 fake ESMTP")
                while line := self.rfile.readline().decode():
                    verb = line.strip().split(" ")[0].upper()
                    if verb in ("EHLO", "HELO"):
                        say("250 fake")
                    elif verb == "MAIL":
                        say("250 ok")
                    elif verb == "RCPT":
                        say("550 no such user" if server.refuse_rcpt else "250 ok")
                    elif verb == "DATA":
                        say("354 go on")
                        data = []
                        while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                            data.append(chunk)
                        parsed = email.message_from_bytes(b"".join(data), policy=default)
                        server.received.append(parsed)
                        say("250 queued")
                    elif verb == "QUIT":
                        say("221 bye")
                        return
                    else:
                        say("250 ok")

        super().__init__(("127.0.0.1", 0), Handler)


@pytest.fixture
def smtp() -> Iterator[FakeSMTP]:
    server = FakeSMTP()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def mail() -> Message:
    return Message("k:1", "email", "officer@example.org", "Plain body", "Subject", "<p>HTML</p>")


def test_smtp_sends_plain_text_with_an_html_alternative(smtp: FakeSMTP) -> None:
    channel = SMTPChannel("127.0.0.1", smtp.server_address[1], "samleng@example.org")
    provider_id = channel.send(mail())
    [received] = smtp.received
    assert received["Subject"] == "Subject" and received["Message-ID"] == provider_id
    assert received.get_body(("plain",)).get_content().strip() == "Plain body"
    assert "<p>HTML</p>" in received.get_body(("html",)).get_content()


def test_smtp_refusals_are_permanent_and_no_server_is_temporary(smtp: FakeSMTP) -> None:
    smtp.refuse_rcpt = True
    with pytest.raises(PermanentError):
        SMTPChannel("127.0.0.1", smtp.server_address[1], "s@example.org").send(mail())
    with pytest.raises(TemporaryError):
        SMTPChannel("127.0.0.1", 1, "s@example.org").send(mail())


def test_staff_email_goes_to_the_outbox_folder_in_their_language(app: Flask) -> None:
    officer = make_user("officer", email="officer@example.org", language="km")
    case = make_case().case
    case.assignee_id = officer.id
    emit(Notice(case.id, case.event_count, "assigned", "assignee"))
    uow.checkpoint()
    db.session.expire_all()
    row = db.session.scalar(select(Notification).filter_by(user_id=officer.id, channel="email"))
    assert row is not None and row.status == "sent"
    path = Path(app.instance_path) / "outbox" / row.provider_id.removeprefix("file:")
    message = email.message_from_bytes(path.read_bytes(), policy=default)
    assert message["Subject"] == f"ករណី {case.reference} ត្រូវបានប្រគល់ឱ្យអ្នក។"
    plain = message.get_body(("plain",)).get_content()
    assert f"/cases/{case.reference}" in plain
    html = message.get_body(("html",)).get_content()
    assert f'href="http://127.0.0.1:5000/cases/{case.reference}"' in html


def test_cli_sweep_and_digest(app: Flask) -> None:
    make_user("oversight")
    runner = app.test_cli_runner()
    result = runner.invoke(sweep_cmd)
    assert result.exit_code == 0 and "handed over: 0" in result.output
    result = runner.invoke(digest_cmd)
    assert result.exit_code == 0 and "written: 1" in result.output
    assert "written: 0" in runner.invoke(digest_cmd).output
