"""Telegram (the Bot API over an HTTPS webhook) as a message channel.

Inbound: Telegram POSTs an Update as JSON to the webhook registered with `flask telegram
set-webhook`, with the secret given there in `X-Telegram-Bot-Api-Secret-Token` (403
otherwise). `update_id` is the message id for de-duplication. The reply is the webhook's
own answer: a `sendMessage` call with a reply keyboard (Telegram performs it), so a
conversation costs no outgoing request. Photos, documents and voice notes are references
(`file_id`) fetched with `getFile` when a case takes them.

Identity: the chat id is the address. A phone number is known only once she shares her
own with the contact button (the contact's `user_id` is the sender's); then the chat and
the number are one person (`grievance.cases.people.link_chat`). Bot commands (/status,
/stop, /help) become the channel-agnostic commands; /start, /file, /cancel and the buttons
are the step-by-step filing's (`grievance.intake.conversations`). A `my_chat_member`
update (she blocked or unblocked the bot) is processed once like a message and moves her
messages to SMS and back.
"""

from __future__ import annotations

import json
from typing import Any

from flask import request as current_request
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
from grievance.integrations import telegram
from grievance.phones import to_e164

MAX_TEXT = 4096  # Telegram's own limit for a message's text
# Bot commands that are the channel-agnostic commands of grievance.intake.keywords.
COMMANDS = {"/status": "STATUS", "/stop": "STOP", "/help": "HELP"}
# The bot's new status in her chat (a `my_chat_member` update) -> InboundMessage.membership.
MEMBERSHIP = {"kicked": "blocked", "member": "unblocked"}


class TelegramBot:
    name = "telegram"
    guided = True  # reply keyboards: a complaint is filed step by step

    def verify(self, request: Request) -> bool:
        return telegram.secret_valid(request.headers.get(telegram.SECRET_HEADER))

    def parse(self, request: Request) -> InboundMessage:
        update = request.get_json(silent=True)
        if not isinstance(update, dict) or not isinstance(update.get("update_id"), int):
            raise BadInbound("update_id missing")
        if isinstance(update.get("my_chat_member"), dict):
            return self._membership(update["update_id"], update["my_chat_member"])
        message = update.get("message")
        if not isinstance(message, dict):
            raise BadInbound("not a message")
        chat: dict[str, Any] = _object(message.get("chat"))
        sender: dict[str, Any] = _object(message.get("from"))
        if chat.get("type") != "private" or not isinstance(chat.get("id"), int):
            raise BadInbound("private chats only")
        text = message.get("text") or message.get("caption") or ""
        if not isinstance(text, str):
            raise BadInbound("text")
        shared, foreign = _contact(message.get("contact"), sender.get("id"))
        return InboundMessage(
            channel=self.name,
            external_id=str(update["update_id"]),
            sender=str(chat["id"]),
            text=_command(text[:MAX_TEXT]),
            media=_media(message),
            shared_phone=shared,
            shared_foreign=foreign,
        )

    def _membership(self, update_id: int, change: dict[str, Any]) -> InboundMessage:
        """She blocked the bot (`kicked`) or unblocked it (`member`): Telegram tells the
        bot with a `my_chat_member` update, and no message can reach her while blocked."""
        chat: dict[str, Any] = _object(change.get("chat"))
        if chat.get("type") != "private" or not isinstance(chat.get("id"), int):
            raise BadInbound("private chats only")
        status = _object(change.get("new_chat_member")).get("status")
        membership = MEMBERSHIP.get(status if isinstance(status, str) else "")
        if membership is None:
            raise BadInbound("chat member status")
        return InboundMessage(
            channel=self.name,
            external_id=str(update_id),
            sender=str(chat["id"]),
            text="",
            membership=membership,
        )

    def identity(self, message: InboundMessage) -> Identity:
        return Identity(address=message.sender, phone=people.chat_phone(self.name, message.sender))

    def reply(self, text: str | None) -> Response:
        """A `sendMessage` in the webhook's answer, to the chat the update came from."""
        chat_id = chat_of(current_request.get_json(silent=True))
        if not text or chat_id is None:
            return Response("{}", mimetype="application/json")
        call: dict[str, Any] = {"method": "sendMessage", "chat_id": chat_id, "text": text}
        markup = keyboard(text)
        if markup is not None:
            call["reply_markup"] = markup
        return Response(json.dumps(call, ensure_ascii=False), mimetype="application/json")

    def error(self, status: int, text: str) -> Response:
        body = {"ok": False, "error_code": status, "description": text}
        return Response(json.dumps(body), status=status, mimetype="application/json")

    def fetch_media(self, reference: str) -> bytes:
        try:
            return telegram.Bot.from_config().download(reference)
        except telegram.BotApiError as exc:
            raise BadInbound(exc.description) from None

    def delivery_status(self, request: Request) -> DeliveryReceipt | None:
        return None  # the Bot API has no delivery receipts: a sent message is accepted

    def opt_out(self, identity: Identity) -> None:
        people.opt_out(self.name, identity.address)

    def opt_in(self, identity: Identity) -> None:
        people.opt_in(self.name, identity.address)


def keyboard(text: str) -> dict[str, Any] | None:
    """The reply keyboard of a `Reply` (its buttons, and the contact button last)."""
    buttons = getattr(text, "buttons", ())
    contact = getattr(text, "contact", "")
    if not buttons and not contact:
        return None
    rows: list[list[dict[str, Any]]] = [[{"text": b} for b in row] for row in buttons]
    if contact:
        rows.append([{"text": contact, "request_contact": True}])
    return {"keyboard": rows, "resize_keyboard": True, "is_persistent": True}


def chat_of(update: Any) -> int | None:
    """The private chat an update came from (a message, or the bot blocked/unblocked)."""
    if not isinstance(update, dict):
        return None
    body = update.get("message") or update.get("my_chat_member")
    if not isinstance(body, dict):
        return None
    chat = body.get("chat")
    if isinstance(chat, dict) and isinstance(chat.get("id"), int):
        return int(chat["id"])
    return None


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _command(text: str) -> str:
    """`/status@SamlengBot ABCD-EFGH ...` -> `STATUS ABCD-EFGH ...`; other text as sent."""
    if not text.startswith("/"):
        return text
    word, _sep, rest = text.partition(" ")
    word = word.split("@", 1)[0].lower()
    return f"{COMMANDS[word]} {rest}".strip() if word in COMMANDS else f"{word} {rest}".strip()


def _media(message: dict[str, Any]) -> tuple[str, ...]:
    """The file ids of what came with the message (the largest size of a photo)."""
    found: list[Any] = []
    photo = message.get("photo")
    if isinstance(photo, list) and photo and isinstance(photo[-1], dict):
        found.append(photo[-1].get("file_id"))
    for kind in ("voice", "audio", "document", "video_note"):
        item = message.get(kind)
        if isinstance(item, dict):
            found.append(item.get("file_id"))
    return tuple(
        f for f in found if isinstance(f, str) and 0 < len(f) <= 200 and not has_control_chars(f)
    )


def _contact(contact: Any, sender_id: Any) -> tuple[str | None, bool]:
    """(her own number, shared-someone-else's): only a contact whose user_id is the
    sender's is her own (Telegram's request_contact button sends exactly that)."""
    if not isinstance(contact, dict):
        return None, False
    own = isinstance(sender_id, int) and contact.get("user_id") == sender_id
    phone = to_e164(str(contact.get("phone_number") or ""))
    if not own or phone is None:
        return None, True
    return phone, False


TELEGRAM: MessageChannel = TelegramBot()  # typed so mypy checks the adapter against the contract
