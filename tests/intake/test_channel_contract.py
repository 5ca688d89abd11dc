"""The message-channel contract (grievance.intake.messages.MessageChannel), shown with a
minimal fake chat channel: JSON in, JSON out, a shared token instead of a signature.

A new channel (Telegram, say) is an adapter like `FakeChat` plus its wiring (a blueprint
whose inbound route calls `receive(adapter)`), one migration adding its value to the channel
vocabulary, and tests like these. De-duplication, commands, guesses, filing and replies are
the channel-agnostic code's, and are exercised here through the fake.
"""

from __future__ import annotations

import json
import re
from typing import Any

from flask import Flask
from sqlalchemy import select
from werkzeug.wrappers import Request, Response

from grievance.cases.models import Case
from grievance.extensions import db
from grievance.intake.channels.sms import SMS
from grievance.intake.messages import (
    BadInbound,
    DeliveryReceipt,
    Identity,
    InboundMessage,
    MessageChannel,
)
from grievance.intake.models import ReceivedMessage
from grievance.intake.views.inbound import receive
from tests.factories import make_case
from tests.intake.helpers import case_count

TOKEN = "fake-chat-token"
REFERENCE = re.compile(r"[0-9A-Z]{4}-[0-9A-Z]{4}")


class FakeChat:
    # A channel's name is a value of the channel vocabulary (a CHECK constraint on cases and
    # inbound_messages): a real new channel adds its own with a migration; the fake borrows
    # "api" so that its messages and SMS can share an external id.
    name = "api"
    guided = False

    def __init__(self) -> None:
        self.opted_out: list[Identity] = []

    def verify(self, request: Request) -> bool:
        return request.headers.get("X-Fake-Token") == TOKEN

    def parse(self, request: Request) -> InboundMessage:
        update = request.get_json(silent=True) or {}
        if "update_id" not in update:
            raise BadInbound("update_id missing")
        return InboundMessage(
            channel=self.name,
            external_id=str(update["update_id"]),
            sender=str(update.get("chat", "")),
            text=str(update.get("text", "")),
        )

    def identity(self, message: InboundMessage) -> Identity:
        return Identity(address=message.sender, phone="+85512345678")

    def reply(self, text: str | None) -> Response:
        return Response(json.dumps({"text": text}), mimetype="application/json")

    def error(self, status: int, text: str) -> Response:
        return Response(json.dumps({"error": text}), status=status, mimetype="application/json")

    def fetch_media(self, reference: str) -> bytes:
        return b""

    def delivery_status(self, request: Request) -> DeliveryReceipt | None:
        return None

    def opt_out(self, identity: Identity) -> None:
        self.opted_out.append(identity)

    def opt_in(self, identity: Identity) -> None:
        self.opted_out.remove(identity)


def deliver(app: Flask, channel: MessageChannel, update: dict[str, Any], token: str = TOKEN) -> Any:
    headers = {"X-Fake-Token": token}
    with app.test_request_context("/fake/inbound", method="POST", json=update, headers=headers):
        response = receive(channel)
        return response.status_code, json.loads(response.get_data(as_text=True))


def test_a_message_opens_a_case_and_the_reply_is_in_the_channels_format(app: Flask) -> None:
    chat = FakeChat()
    status, body = deliver(app, chat, {"update_id": 1, "chat": 42, "text": "Pension in Kampot?"})
    assert status == 200 and "Secret" in body["text"]
    match = REFERENCE.search(body["text"])
    assert match
    case = db.session.scalar(select(Case).where(Case.reference == match.group(0)))
    assert case is not None and case.channel == "api"
    assert (case.category.code, case.province_code) == ("pension", "KH-7")
    assert case.complainant is not None and case.complainant.phone == "+85512345678"


def test_a_repeated_delivery_acts_once_per_channel_and_external_id(app: Flask) -> None:
    chat = FakeChat()
    before = case_count()
    first = deliver(app, chat, {"update_id": 7, "chat": 42, "text": "My hospital refused me"})[1]
    again = deliver(app, chat, {"update_id": 7, "chat": 42, "text": "My hospital refused me"})[1]
    assert case_count() == before + 1
    assert "Secret" not in again["text"]
    reference = REFERENCE.search(first["text"])
    assert reference and reference.group(0) in again["text"]
    # The same id on another channel is another message (the sender has a case open now,
    # so it is asked which case the message is about, not filed silently).
    db.session.add(ReceivedMessage(channel="sms", external_id="8", kind="empty"))
    menu = deliver(app, chat, {"update_id": 8, "chat": 42, "text": "Maternity benefit not paid"})
    assert reference.group(0) in menu[1]["text"] and "2 = " in menu[1]["text"]
    assert case_count() == before + 1


def test_commands_are_the_same_on_every_channel(app: Flask) -> None:
    chat = FakeChat()
    filed = make_case(complainant=None)  # not the sender's own: the reply follows the script
    text = f"STATUS {filed.case.reference} {filed.secret}"
    status = deliver(app, chat, {"update_id": 20, "chat": 42, "text": text})[1]
    assert filed.case.reference in status["text"] and "Received" in status["text"]
    before = case_count()
    stop = deliver(app, chat, {"update_id": 21, "chat": 42, "text": "STOP"})[1]
    assert "no more" in stop["text"] and case_count() == before
    assert chat.opted_out == [Identity(address="42", phone="+85512345678")]
    empty = deliver(app, chat, {"update_id": 22, "chat": 42, "text": "  "})[1]
    assert "write your problem" in empty["text"] and case_count() == before


def test_refusals_are_in_the_channels_format(app: Flask) -> None:
    chat = FakeChat()
    assert deliver(app, chat, {"update_id": 30}, token="wrong") == (403, {"error": "forbidden"})
    assert deliver(app, chat, {"text": "no id"}) == (400, {"error": "update_id missing"})


def test_the_sms_adapter_reads_twilios_fields(app: Flask) -> None:
    form = {"MessageSid": "SM1", "From": "012 345 678", "Body": "hi"}
    with app.test_request_context("/sms/inbound", method="POST", data=form):
        from flask import request

        message = SMS.parse(request)
        assert message == InboundMessage("sms", "SM1", "012 345 678", "hi")
        assert SMS.identity(message) == Identity("+85512345678", "+85512345678")
        assert SMS.delivery_status(request) is None
    receipt = {"MessageSid": "SM2", "MessageStatus": "delivered"}
    with app.test_request_context("/x", method="POST", data=receipt):
        from flask import request

        assert SMS.delivery_status(request) == DeliveryReceipt("SM2", "delivered")
    assert (
        SMS.reply("a < b")
        .get_data(as_text=True)
        .endswith("<Response><Message>a &lt; b</Message></Response>")
    )
