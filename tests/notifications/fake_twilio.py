"""A small stand-in for the Twilio Messages API on 127.0.0.1, speaking its wire format.

It checks HTTP basic auth and the form fields, answers 201 with a message resource, lists
messages for a number (GET, newest first, a page at a time), and can be told to fail:
answer 500, hang, or accept a message and then hang (the case where the sender cannot know
whether it went out).
"""

from __future__ import annotations

import base64
import contextlib
import json
import threading
import time
import uuid
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse


class FakeTwilio:
    def __init__(self, account_sid: str = "AC" + "0" * 32, token: str = "tok") -> None:
        self.account_sid = account_sid
        self.auth_token = token
        self.mode = "ok"  # ok | error500 | hang | accept_then_hang | reject400 | unsubscribed
        self.hang_seconds = 1.5
        self.messages: list[dict[str, Any]] = []  # accepted, oldest first
        self.create_requests = 0
        self.requests: list[str] = []  # every authorised call, "POST" or "GET"
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeTwilio:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    @property
    def path(self) -> str:
        return f"/2010-04-01/Accounts/{self.account_sid}/Messages.json"

    def bodies_to(self, number: str) -> list[str]:
        with self.lock:
            return [m["body"] for m in self.messages if m["to"] == number]

    def _accept(self, form: dict[str, str]) -> dict[str, Any]:
        message = {
            "sid": "SM" + uuid.uuid4().hex,
            "account_sid": self.account_sid,
            "to": form["To"],
            "from": form.get("From"),
            "messaging_service_sid": form.get("MessagingServiceSid"),
            "body": form["Body"],
            "status": "queued",
            "num_segments": "1",
            "direction": "outbound-api",
            "api_version": "2010-04-01",
            "date_created": format_datetime(datetime.now(UTC)),
            "date_sent": None,
            "status_callback": form.get("StatusCallback"),
            "uri": f"{self.path[:-5]}/x.json",
        }
        with self.lock:
            self.messages.append(message)
        return message

    def add_history(self, number: str, count: int, created: datetime) -> None:
        """Messages that reached `number` before or after ours (a forum's shared phone)."""
        for n in range(count):
            form = {"To": number, "From": "+85523900900", "Body": f"Earlier message {n}"}
            message = self._accept(form)
            message["date_created"] = format_datetime(created)
            message["status"] = "delivered"

    def _page(self, found: list[dict[str, Any]], query: dict[str, str]) -> dict[str, Any]:
        """One page of a listing, newest first, with Twilio's paging fields."""
        size = min(int(query.get("PageSize", "50")), 1000)
        page = int(query.get("Page", "0"))
        items = found[page * size : (page + 1) * size]

        def uri(n: int) -> str:
            keep = {k: v for k, v in query.items() if k not in ("Page", "PageToken")}
            token = f"&PageToken=PA{found[n * size - 1]['sid']}" if n else ""
            return f"{self.path}?{urlencode(keep)}&Page={n}{token}"

        more = (page + 1) * size < len(found)
        return {
            "messages": items,
            "page": page,
            "page_size": size,
            "start": page * size,
            "end": page * size + max(len(items) - 1, 0),
            "uri": uri(page),
            "first_page_uri": uri(0),
            "next_page_uri": uri(page + 1) if more else None,
            "previous_page_uri": uri(page - 1) if page else None,
        }

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _reply(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                with contextlib.suppress(OSError):  # the client gave up (timeout)
                    self.wfile.write(data)

            def _authorised(self) -> bool:
                expected = base64.b64encode(f"{fake.account_sid}:{fake.auth_token}".encode())
                return self.headers.get("Authorization") == "Basic " + expected.decode()

            def _checked(self) -> bool:
                if urlparse(self.path).path != fake.path:
                    self._reply(404, {"code": 20404, "message": "not found", "status": 404})
                    return False
                if not self._authorised():
                    self._reply(401, {"code": 20003, "message": "Authenticate", "status": 401})
                    return False
                with fake.lock:
                    fake.requests.append(self.command)
                return True

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length", "0"))
                raw = self.rfile.read(length).decode()
                if not self._checked():
                    return
                form = {k: v[0] for k, v in parse_qs(raw, keep_blank_values=True).items()}
                with fake.lock:
                    fake.create_requests += 1
                mode = fake.mode
                if mode == "error500":
                    self._reply(500, {"code": 20500, "message": "Internal error", "status": 500})
                    return
                if mode == "hang":
                    time.sleep(fake.hang_seconds)
                    self._reply(503, {"code": 20503, "message": "late", "status": 503})
                    return
                if mode == "reject400":
                    text = f"The 'To' number {form.get('To')} is not valid"
                    self._reply(400, {"code": 21211, "message": text, "status": 400})
                    return
                if mode == "unsubscribed":
                    text = "Attempt to send to unsubscribed recipient"
                    self._reply(400, {"code": 21610, "message": text, "status": 400})
                    return
                if (
                    not form.get("To")
                    or not form.get("Body")
                    or not (form.get("From") or form.get("MessagingServiceSid"))
                ):
                    self._reply(400, {"code": 21604, "message": "missing field", "status": 400})
                    return
                message = fake._accept(form)
                if mode == "accept_then_hang":
                    time.sleep(fake.hang_seconds)
                self._reply(201, message)

            def do_GET(self) -> None:  # noqa: N802
                if not self._checked():
                    return
                query = {k: v[0] for k, v in parse_qs(urlparse(self.path).query).items()}
                if fake.mode == "error500":
                    self._reply(500, {"code": 20500, "message": "Internal error", "status": 500})
                    return
                with fake.lock:
                    found = [
                        m
                        for m in reversed(fake.messages)
                        if m["to"] == query.get("To")
                        and ("From" not in query or m["from"] == query["From"])
                    ]
                self._reply(200, fake._page(found, query))

        return Handler
