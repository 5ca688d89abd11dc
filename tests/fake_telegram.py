"""A small stand-in for the Telegram Bot API on 127.0.0.1, speaking its wire format, and
the Update objects Telegram POSTs to a webhook, in the shapes the Bot API documents
(https://core.telegram.org/bots/api#update, #message, #contact, #photosize, #voice).

Methods: `sendMessage`, `sendDocument`, `getFile`, `setWebhook`, and the file download
under /file/bot<token>/<path>. Every answer is `{"ok": true, "result": ...}` or Telegram's
error object. It can be told to fail per chat: `blocked` (403 "Forbidden: bot was blocked
by the user"), `flood` (429 with `parameters.retry_after`), `down` (502 Bad Gateway).
"""

from __future__ import annotations

import contextlib
import itertools
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"  # the Bot API docs' sample shape
BOT_ID = 123456789
_update_ids = itertools.count(400_000_000)
_message_ids = itertools.count(1000)


class FakeTelegram:
    def __init__(self, token: str = TOKEN) -> None:
        self.token = token
        self.blocked: set[int] = set()  # chats whose user blocked the bot
        self.flood: dict[int, int] = {}  # chat -> retry_after seconds, answered once
        self.down = False
        self.sent: list[dict[str, Any]] = []  # sendMessage/sendDocument calls accepted
        # (chat id, text, time.monotonic()) of each accepted message: when it arrived
        self.arrivals: list[tuple[int, str, float]] = []
        self.calls: list[str] = []  # every authorised method called
        self.files: dict[str, bytes] = {}  # file_id -> content
        self.webhook: dict[str, Any] = {}
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeTelegram:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def add_file(self, file_id: str, data: bytes) -> str:
        self.files[file_id] = data
        return file_id

    def texts_to(self, chat_id: int) -> list[str]:
        with self.lock:
            return [m["text"] for m in self.sent if m["chat"]["id"] == chat_id and "text" in m]

    def _message(self, chat_id: int, params: dict[str, Any]) -> dict[str, Any]:
        message: dict[str, Any] = {
            "message_id": next(_message_ids),
            "from": {
                "id": BOT_ID,
                "is_bot": True,
                "first_name": "Samleng",
                "username": "SamlengBot",
            },
            "chat": {"id": chat_id, "type": "private"},
            "date": int(time.time()),
        }
        if "text" in params:
            message["text"] = params["text"]
        if "reply_markup" in params:
            message["reply_markup"] = params["reply_markup"]
        return message

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _send(self, status: int, data: bytes, content_type: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                with contextlib.suppress(OSError):
                    self.wfile.write(data)

            def _reply(self, status: int, body: dict[str, Any]) -> None:
                self._send(status, json.dumps(body).encode(), "application/json")

            def _error(self, code: int, description: str, **parameters: Any) -> None:
                body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
                if parameters:
                    body["parameters"] = parameters
                self._reply(code, body)

            def _params(self) -> dict[str, Any]:
                length = int(self.headers.get("Content-Length", "0"))
                raw = self.rfile.read(length)
                if self.headers.get("Content-Type", "").startswith("application/json"):
                    data = json.loads(raw or b"{}")
                    return data if isinstance(data, dict) else {}
                query = parse_qs(raw.decode() or urlparse(self.path).query)
                return {k: v[0] for k, v in query.items()}

            def do_GET(self) -> None:  # noqa: N802
                path = urlparse(self.path).path
                prefix = f"/file/bot{fake.token}/"
                if path.startswith(prefix):
                    data = fake.files.get(path[len(prefix) :].removeprefix("documents/"))
                    if data is None:
                        self._error(404, "Not Found")
                    else:
                        self._send(200, data, "application/octet-stream")
                    return
                self._method(
                    path, {k: v[0] for k, v in parse_qs(urlparse(self.path).query).items()}
                )

            def do_POST(self) -> None:  # noqa: N802
                self._method(urlparse(self.path).path, self._params())

            def _method(self, path: str, params: dict[str, Any]) -> None:
                head, _, method = path.rpartition("/")
                if head != f"/bot{fake.token}":
                    self._error(401 if head.startswith("/bot") else 404, "Unauthorized")
                    return
                with fake.lock:
                    fake.calls.append(method)
                if fake.down:
                    self._error(502, "Bad Gateway")
                    return
                if method == "setWebhook":
                    fake.webhook = dict(params)
                    self._reply(200, {"ok": True, "result": True, "description": "Webhook was set"})
                    return
                if method == "getFile":
                    file_id = str(params.get("file_id", ""))
                    if file_id not in fake.files:
                        self._error(400, "Bad Request: invalid file_id")
                        return
                    result = {
                        "file_id": file_id,
                        "file_unique_id": "AgAD" + file_id[-8:],
                        "file_size": len(fake.files[file_id]),
                        "file_path": f"documents/{file_id}",
                    }
                    self._reply(200, {"ok": True, "result": result})
                    return
                if method not in ("sendMessage", "sendDocument"):
                    self._error(404, "Not Found: method not found")
                    return
                try:
                    chat_id = int(params["chat_id"])
                except (KeyError, TypeError, ValueError):
                    self._error(400, "Bad Request: chat_id is empty")
                    return
                if method == "sendMessage" and not str(params.get("text") or "").strip():
                    self._error(400, "Bad Request: message text is empty")
                    return
                if len(str(params.get("text") or "")) > 4096:
                    self._error(400, "Bad Request: message is too long")
                    return
                if chat_id in fake.blocked:
                    self._error(403, "Forbidden: bot was blocked by the user")
                    return
                with fake.lock:
                    wait = fake.flood.pop(chat_id, None)
                if wait is not None:
                    self._error(429, f"Too Many Requests: retry after {wait}", retry_after=wait)
                    return
                message = fake._message(chat_id, params)
                with fake.lock:
                    fake.sent.append(message)
                    fake.arrivals.append((chat_id, str(params.get("text", "")), time.monotonic()))
                self._reply(200, {"ok": True, "result": message})

        return Handler


# Updates, as Telegram POSTs them to the webhook.


def user(chat_id: int, language: str = "km") -> dict[str, Any]:
    return {"id": chat_id, "is_bot": False, "first_name": "Sreyneang", "language_code": language}


def update(chat_id: int, **message: Any) -> dict[str, Any]:
    body = {
        "message_id": next(_message_ids),
        "from": user(chat_id),
        "chat": {"id": chat_id, "first_name": "Sreyneang", "type": "private"},
        "date": int(time.time()),
        **message,
    }
    return {"update_id": next(_update_ids), "message": body}


def text(chat_id: int, words: str) -> dict[str, Any]:
    extra: dict[str, Any] = {}
    if words.startswith("/"):
        extra["entities"] = [
            {"offset": 0, "length": len(words.split(" ")[0]), "type": "bot_command"}
        ]
    return update(chat_id, text=words, **extra)


def contact(chat_id: int, phone: str, user_id: int | None = None) -> dict[str, Any]:
    """The contact button sends the user's own contact (user_id = the sender's id);
    a contact picked from the address book carries another user_id, or none."""
    card: dict[str, Any] = {"phone_number": phone, "first_name": "Sreyneang"}
    if user_id is not None:
        card["user_id"] = user_id
    return update(chat_id, contact=card)


def photo(chat_id: int, file_id: str, caption: str = "") -> dict[str, Any]:
    sizes = [
        {
            "file_id": file_id + "-s",
            "file_unique_id": "AQAD1",
            "file_size": 1200,
            "width": 90,
            "height": 67,
        },
        {
            "file_id": file_id,
            "file_unique_id": "AQAD2",
            "file_size": 52000,
            "width": 1280,
            "height": 960,
        },
    ]
    extra = {"caption": caption} if caption else {}
    return update(chat_id, photo=sizes, **extra)


def voice(chat_id: int, file_id: str, duration: int = 12) -> dict[str, Any]:
    note = {
        "file_id": file_id,
        "file_unique_id": "AgADvoice",
        "duration": duration,
        "mime_type": "audio/ogg",
        "file_size": 20480,
    }
    return update(chat_id, voice=note)


def membership(chat_id: int, status: str) -> dict[str, Any]:
    """A `my_chat_member` update: she blocked the bot (`kicked`) or unblocked it (`member`)."""
    bot = {"id": BOT_ID, "is_bot": True, "first_name": "Samleng", "username": "SamlengBot"}
    old = "member" if status == "kicked" else "kicked"
    change = {
        "chat": {"id": chat_id, "first_name": "Sreyneang", "type": "private"},
        "from": user(chat_id),
        "date": int(time.time()),
        "old_chat_member": {"user": bot, "status": old},
        "new_chat_member": {"user": bot, "status": status},
    }
    if status == "kicked":
        change["new_chat_member"] = {"user": bot, "status": status, "until_date": 0}
    return {"update_id": next(_update_ids), "my_chat_member": change}
