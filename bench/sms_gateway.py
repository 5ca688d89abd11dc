"""A stand-in SMS gateway for the burst benchmark: `python -m bench.sms_gateway --port N`.

It speaks the part of the Twilio Messages API the app's production SMS backend
(`SMS_BACKEND=twilio`, notifications/channels/twilio.py) uses: `POST .../Messages.json`
answers 201 with a message id after `--latency` seconds (a real gateway's answer takes a
few hundred milliseconds), and the listing `GET .../Messages.json` (asked only for a message
in doubt) answers an empty page. `GET /stats` says how many messages it accepted. It runs
in its own process so that it takes nothing from the load generator; only 127.0.0.1.
"""

from __future__ import annotations

import argparse
import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

ACCOUNT_SID = "AC" + "b" * 32
AUTH_TOKEN = "bench-gateway-token"
SENDER = "+85523900900"


class Gateway:
    def __init__(self, port: int, latency: float) -> None:
        self.latency = latency
        self.accepted = 0
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", port), self._handler())
        self.server.daemon_threads = True

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _reply(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:  # noqa: N802
                self.rfile.read(int(self.headers.get("Content-Length", "0")))
                if not self.path.endswith("/Messages.json"):
                    self._reply(404, {"code": 20404, "status": 404})
                    return
                time.sleep(gateway.latency)
                with gateway.lock:
                    gateway.accepted += 1
                self._reply(201, {"sid": "SM" + uuid.uuid4().hex, "status": "queued"})

            def do_GET(self) -> None:  # noqa: N802
                if self.path == "/stats":
                    with gateway.lock:
                        self._reply(200, {"accepted": gateway.accepted})
                    return
                self._reply(200, {"messages": [], "next_page_uri": None})

        return Handler


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.sms_gateway")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--latency", type=float, default=0.2, help="seconds per message sent")
    args = parser.parse_args()
    Gateway(args.port, args.latency).server.serve_forever()


if __name__ == "__main__":
    main()
