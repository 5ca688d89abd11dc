"""An RQ worker (the real, forking one) whose file channel writes the message and then
hangs before the relay can record "sent": the worst moment to be SIGKILLed.

Run as `python -m tests.faults.stuck_worker MARKER` with the app's environment; it writes
the message key to MARKER once the message is out, then waits to be killed.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from redis import Redis
from rq import Queue, Worker

from grievance.config import Config
from notifications.channels.files import FileChannel


def main(marker: Path) -> None:
    original = FileChannel.send

    def send_then_hang(self: FileChannel, message: Any) -> str:
        result = original(self, message)
        marker.write_text(message.key, encoding="utf-8")
        time.sleep(3600)
        return result

    FileChannel.send = send_then_hang  # type: ignore[method-assign]
    connection = Redis.from_url(Config.from_env().REDIS_URL)
    Worker([Queue("notifications", connection=connection)], connection=connection).work()


if __name__ == "__main__":
    main(Path(sys.argv[1]))
