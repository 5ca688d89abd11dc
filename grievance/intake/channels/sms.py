"""SMS through Twilio (or a gateway speaking its webhook format) as a message channel.

Inbound: a form POST signed with the account's auth token (`X-Twilio-Signature`); the reply
is TwiML in the webhook's own answer; errors are plain text (the provider reads status
codes, not pages). Delivery receipts arrive on the notifications status callback, in the
same signed format. The sender's number is the identity: the carrier vouches for it.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

from werkzeug.wrappers import Request, Response

from grievance.cases import people
from grievance.intake.checks import has_control_chars
from grievance.intake.messages import (
    BadInbound,
    DeliveryReceipt,
    Identity,
    InboundMessage,
    MessageChannel,
)
from grievance.integrations import twilio
from grievance.phones import to_e164

MAX_SID = 64


class TwilioSms:
    name = "sms"
    guided = False  # one message is a complaint: no buttons on SMS

    def verify(self, request: Request) -> bool:
        return twilio.request_is_signed()

    def parse(self, request: Request) -> InboundMessage:
        sid = request.form.get("MessageSid", "").strip()
        # Checked before it reaches the database (PostgreSQL refuses a NUL in text).
        if not sid or len(sid) > MAX_SID or has_control_chars(sid, multiline=False):
            raise BadInbound("MessageSid missing")
        return InboundMessage(
            channel=self.name,
            external_id=sid,
            sender=request.form.get("From", ""),
            text=request.form.get("Body", ""),
        )

    def identity(self, message: InboundMessage) -> Identity:
        phone = to_e164(message.sender)
        return Identity(address=phone or message.sender, phone=phone)

    def reply(self, text: str | None) -> Response:
        inner = f"<Message>{escape(text)}</Message>" if text else ""
        xml = f'<?xml version="1.0" encoding="UTF-8"?><Response>{inner}</Response>'
        return Response(xml, mimetype="application/xml")

    def error(self, status: int, text: str) -> Response:
        return Response(text, status=status, mimetype="text/plain")

    def fetch_media(self, reference: str) -> bytes:
        # MMS is not offered on this number: Twilio never sends MediaUrl fields to it.
        raise BadInbound("no media on SMS")

    def delivery_status(self, request: Request) -> DeliveryReceipt | None:
        sid = request.form.get("MessageSid", "")
        status = request.form.get("MessageStatus", "")
        if not sid or not status:
            return None
        return DeliveryReceipt(sid, status, request.form.get("ErrorCode", ""))

    def opt_out(self, identity: Identity) -> None:
        people.opt_out(self.name, identity.phone or identity.address)

    def opt_in(self, identity: Identity) -> None:
        people.opt_in(self.name, identity.phone or identity.address)


SMS: MessageChannel = TwilioSms()  # typed so mypy checks the adapter against the contract
