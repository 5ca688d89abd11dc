"""Development backend: each message becomes a file in instance/outbox/.

The file is named after the idempotency key and a digest of the text, and created
exclusively: a message written twice is still one file, and `lookup` is a file check. (The
digest keeps a fresh database from mistaking old files for its own: ids start again at 1,
references do not.)
"""

from __future__ import annotations

import hashlib
import os
import re
from datetime import datetime
from pathlib import Path

from notifications.channels import Message
from notifications.segments import count

_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")


class FileChannel:
    def __init__(self, directory: Path, suffix: str, sender: str = "") -> None:
        self.directory = directory
        self.suffix = suffix
        self.sender = sender

    def path(self, message: Message) -> Path:
        digest = hashlib.sha256(f"{message.to}\n{message.subject}\n{message.body}".encode())
        name = f"{_UNSAFE.sub('_', message.key)}-{digest.hexdigest()[:10]}.{self.suffix}"
        return self.directory / name

    def send(self, message: Message) -> str:
        path = self.path(message)
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        # Only the app's own user may read it: it holds phone numbers and tracking secrets.
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(self._render(message))
        try:
            os.link(tmp, path)  # atomic, and refuses to replace: a second write is a no-op
        except FileExistsError:
            pass
        except OSError:  # a file system without hard links
            if not path.exists():
                os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
        return f"file:{path.name}"

    def lookup(self, message: Message, since: datetime) -> str | None:
        path = self.path(message)
        return f"file:{path.name}" if path.exists() else None

    def _render(self, message: Message) -> str:
        if message.channel == "sms":
            c = count(message.body)
            head = f"To: {message.to}\nEncoding: {c.encoding}\nSegments: {c.segments}\n"
            return f"{head}Key: {message.key}\n\n{message.body}\n"
        from notifications.channels.smtp import render_email

        return render_email(message, self.sender)
