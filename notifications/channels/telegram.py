"""Messages to a Telegram chat through the Bot API's `sendMessage` (the wire format is in
grievance.integrations.telegram).

Telegram's answers map onto the relay's: 403 (the user blocked the bot, or deleted the
chat) is `RecipientBlocked`, and the relay sends the message by SMS instead; 429 is a
temporary failure carrying Telegram's `retry_after`; 5xx, timeouts and an unreachable API
are temporary; any other 4xx is permanent. Telegram keeps no list of sent messages to ask,
so `lookup` cannot find one: a message whose worker died mid-send may arrive twice.
"""

from __future__ import annotations

from datetime import datetime

from grievance.integrations import telegram
from notifications.channels import (
    Message,
    PermanentError,
    RecipientBlocked,
    TemporaryError,
)


class TelegramChannel:
    def __init__(self, bot: telegram.Bot) -> None:
        self.bot = bot

    @classmethod
    def from_config(cls) -> TelegramChannel:
        try:
            return cls(telegram.Bot.from_config())
        except telegram.BotApiError:
            raise PermanentError("telegram not configured") from None

    def send(self, message: Message) -> str:
        try:
            result = self.bot.call(
                "sendMessage",
                chat_id=int(message.to),
                text=message.body,
                link_preview_options={"is_disabled": True},
            )
        except ValueError:
            raise PermanentError("not a chat id") from None
        except telegram.BotApiError as error:
            raise _failure(error) from None
        message_id = result.get("message_id") if isinstance(result, dict) else None
        if not isinstance(message_id, int):
            raise TemporaryError("telegram answered without a message id")
        return f"tg:{message.to}:{message_id}"

    def lookup(self, message: Message, since: datetime) -> str | None:
        return None  # the Bot API cannot list the messages a bot sent


def _failure(error: telegram.BotApiError) -> Exception:
    if error.status == 403:
        return RecipientBlocked("blocked")
    if error.status == 429:
        return TemporaryError("telegram 429", retry_after=error.retry_after)
    if error.status == 0 or error.status >= 500:
        return TemporaryError(f"telegram {error.status or 'unreachable'}")
    return PermanentError(f"telegram {error.status}")
