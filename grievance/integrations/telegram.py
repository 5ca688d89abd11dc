"""The Telegram Bot API's wire format, for the webhook (intake) and for sending
(notifications): https://core.telegram.org/bots/api.

Every call is `POST {base}/bot{token}/{method}` with a JSON body; the answer is
`{"ok": true, "result": ...}` or `{"ok": false, "error_code": 403, "description": "...",
"parameters": {"retry_after": 5}}`. Files are downloaded from `{base}/file/bot{token}/{path}`
after `getFile`. The webhook proves itself with the secret given to `setWebhook`, sent back
in the `X-Telegram-Bot-Api-Secret-Token` header.
"""

from __future__ import annotations

import hmac
from typing import Any

import httpx
from flask import current_app

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
WEBHOOK_PATH = "/telegram/webhook"
TIMEOUT_SECONDS = 10.0
MAX_FILE_BYTES = 20 * 1024 * 1024  # the Bot API serves files up to 20 MB
_client: httpx.Client | None = None


class BotApiError(Exception):
    """The Bot API refused a call, or could not be reached (`status` 0). The description is
    Telegram's own (never personal data); `retry_after` comes with a 429."""

    def __init__(self, status: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(f"telegram {status}: {description}")
        self.status = status
        self.description = description
        self.retry_after = retry_after


def secret_valid(given: str | None) -> bool:
    """Whether a webhook call carries our secret (none configured: nothing is trusted)."""
    secret = current_app.config["SAMLENG"].TELEGRAM_WEBHOOK_SECRET
    if not secret or not given:
        return False
    return hmac.compare_digest(secret.encode(), given.encode())


def http() -> httpx.Client:
    global _client
    if _client is None:
        _client = httpx.Client()
    return _client


class Bot:
    def __init__(self, token: str, api_base: str, timeout: float | None = None) -> None:
        if not token:
            raise BotApiError(0, "telegram not configured")
        self.base = api_base.rstrip("/")
        self.token = token
        self.timeout = TIMEOUT_SECONDS if timeout is None else timeout

    @classmethod
    def from_config(cls) -> Bot:
        cfg = current_app.config["SAMLENG"]
        return cls(cfg.TELEGRAM_BOT_TOKEN, cfg.TELEGRAM_API_BASE)

    def call(self, method: str, **params: Any) -> Any:
        """The call's `result`, or BotApiError."""
        url = f"{self.base}/bot{self.token}/{method}"
        try:
            response = http().post(url, json=params, timeout=self.timeout)
        except httpx.TimeoutException:
            raise BotApiError(0, "timeout") from None
        except httpx.HTTPError:
            raise BotApiError(0, "unreachable") from None
        try:
            body = response.json()
        except ValueError:
            body = {}
        if not isinstance(body, dict):
            body = {}
        if response.status_code == 200 and body.get("ok") is True:
            return body.get("result")
        parameters = body.get("parameters")
        retry = parameters.get("retry_after") if isinstance(parameters, dict) else None
        raise BotApiError(
            int(body.get("error_code") or response.status_code),
            str(body.get("description") or "error")[:200],
            int(retry) if isinstance(retry, int) else None,
        )

    def download(self, file_id: str) -> bytes:
        """A file a user sent (a photo, a voice note, a document), by its file_id."""
        info = self.call("getFile", file_id=file_id)
        path = info.get("file_path") if isinstance(info, dict) else None
        if not isinstance(path, str) or not path:
            raise BotApiError(400, "file not available")
        size = info.get("file_size")
        if isinstance(size, int) and size > MAX_FILE_BYTES:
            raise BotApiError(400, "file too big")
        try:
            response = http().get(f"{self.base}/file/bot{self.token}/{path}", timeout=self.timeout)
        except httpx.HTTPError:
            raise BotApiError(0, "unreachable") from None
        if response.status_code != 200:
            raise BotApiError(response.status_code, "download failed")
        return response.content[: MAX_FILE_BYTES + 1]
