"""Evidence files: checked by content, re-encoded, stored outside the web root.

Photos are re-encoded; PDF documents and voice notes (`grievance.intake.voice`) are kept as
they came, once their content proves what they are. A voice note gets a playable copy and
a transcript in a job after the commit (`grievance.intake.playback`).

Files are written only after the case row exists, and every file written in a transaction
is removed again if that transaction does not commit (see the session hooks at the end),
so a failed case leaves no files and a failed upload leaves no case.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from grievance.cases.models import Attachment, Case
from grievance.errors import DomainError
from grievance.extensions import db
from grievance.intake import decoder, voice
from grievance.text import clean_text
from grievance.types import utcnow

MAX_FILES = 5
MAX_FILE_BYTES = 10 * 1024 * 1024
_WRITTEN = "samleng.written_files"

# content type -> (Pillow format or None for PDF, stored extension)
TYPES = {
    "image/jpeg": ("JPEG", "jpg"),
    "image/png": ("PNG", "png"),
    "image/webp": ("WEBP", "webp"),
    "application/pdf": (None, "pdf"),
} | {content_type: (None, ext) for content_type, ext in voice.AUDIO.items()}


class UploadRejected(ValueError):
    """A file the complainant must change; the message is translated, for the form."""


class UploadFailed(DomainError):
    """The server could not store a file (disk full, permissions): nothing is kept."""

    status = 503


@dataclass(frozen=True)
class Evidence:
    content_type: str
    data: bytes  # the re-encoded bytes that will be stored
    seconds: float | None = None  # how long a voice note plays
    name: str | None = None  # the file's name on the sender's device (sanitised)

    @property
    def ext(self) -> str:
        return TYPES[self.content_type][1]

    @property
    def is_voice(self) -> bool:
        return self.content_type in voice.AUDIO


def sniff(data: bytes) -> str | None:
    """The content type by magic bytes; a name or a browser's claim proves nothing."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data.startswith(b"%PDF-") and b"%%EOF" in data[-1024:]:
        return "application/pdf"
    return voice.sniff(data)


def inspect(stream: IO[bytes], name: str) -> Evidence:
    """Read one uploaded file and return what will be stored, or raise UploadRejected."""
    data = stream.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise UploadRejected(_("“%(name)s” is larger than 10 MB.", name=name))
    if not data:
        raise UploadRejected(_("“%(name)s” is empty.", name=name))
    content_type = sniff(data)
    if content_type is None:
        raise UploadRejected(
            _(
                "“%(name)s” is not a photo (JPEG, PNG, WebP), a PDF document or a voice note"
                " (Ogg, M4A, MP3, AMR, WAV).",
                name=name,
            )
        )
    if content_type in voice.AUDIO:
        return _voice_note(content_type, data, name)
    fmt = TYPES[content_type][0]
    if fmt is None:
        return Evidence(content_type, data)
    return Evidence(content_type, _reencode(data, fmt, name))


def _voice_note(content_type: str, data: bytes, name: str) -> Evidence:
    length = voice.seconds(data, content_type)
    if length is None:
        raise UploadRejected(_("“%(name)s” could not be read as a voice note.", name=name))
    if length > voice.MAX_SECONDS:
        raise UploadRejected(
            _("“%(name)s” is longer than %(n)s minutes.", name=name, n=voice.MAX_SECONDS // 60)
        )
    return Evidence(content_type, data, length)


def _reencode(data: bytes, fmt: str, name: str) -> bytes:
    """Decode and save the picture again, in a child process with limits (see
    `decoder`): proves it is one, and drops EXIF (phone photos carry GPS positions that can
    identify a complainant), comments, text chunks and any trailing payload."""
    try:
        return decoder.reencode(data, fmt)
    except decoder.Undecodable as refused:
        if refused.reason == "too_large":
            raise UploadRejected(
                _("“%(name)s” is too large a picture. Please send a smaller photo.", name=name)
            ) from None
        raise UploadRejected(_("“%(name)s” could not be read as a picture.", name=name)) from None


def inspect_all(files: Iterable[Any]) -> tuple[list[Evidence], list[str]]:
    """Check every chosen file (FileStorage-like: .filename, .stream); (good, messages)."""
    chosen = [f for f in files if f is not None and getattr(f, "filename", None)]
    if len(chosen) > MAX_FILES:
        return [], [_("Please choose at most %(n)s files.", n=MAX_FILES)]
    items: list[Evidence] = []
    problems: list[str] = []
    for f in chosen:
        try:
            checked = inspect(f.stream, os.path.basename(f.filename or "")[:80])
            items.append(replace(checked, name=original_name(f.filename)))
        except UploadRejected as exc:
            problems.append(str(exc))
    return items, problems


MAX_NAME = 120
SENDER_ROLES = ("complainant", "representative", "intake", "partner", "officer")
OCCASIONS = ("filing", "answer", "information")


@dataclass(frozen=True)
class Sender:
    """Who sent files, when and how: kept on each file for the officers' evidence panel."""

    role: str  # one of SENDER_ROLES
    occasion: str  # one of OCCASIONS
    channel: str  # the channel the files came through (web, telegram, hotline, api...)
    user_id: int | None = None  # the account, when staff or a representative sent them
    event_seq: int | None = None  # the timeline event they came with (filed, answer...)


def original_name(filename: str | None) -> str | None:
    """A file's name as the sender's device gave it, safe to show to staff: the last path
    part only, control and invisible characters and markup-like brackets dropped, spaces
    collapsed, at most MAX_NAME characters. None when nothing is left."""
    base = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    kept = "".join(c for c in clean_text(base) if c.isprintable() and c not in '<>"')
    name = " ".join(kept.split())[:MAX_NAME].strip()
    return name or None


def upload_dir() -> Path:
    path = Path(current_app.instance_path) / "uploads"
    path.mkdir(mode=0o750, parents=True, exist_ok=True)
    return path


def write_private(directory: Path, ext: str, data: bytes) -> str:
    """Write bytes under a fresh random name, removed again if the transaction fails."""
    name = f"{secrets.token_hex(16)}.{ext}"
    path = directory / name
    register_written(path)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    return name


def store(case: Case, items: list[Evidence], sender: Sender) -> list[Attachment]:
    """Attach evidence to a flushed case, with who sent it. On any failure the files
    written so far go too."""
    if case.id is None:
        raise ValueError("store evidence only for a flushed case")
    directory = upload_dir()
    attachments = []
    try:
        for item in items:
            stored = write_private(directory, item.ext, item.data)
            attachment = Attachment(
                case_id=case.id,
                stored_name=stored,
                content_type=item.content_type,
                size=len(item.data),
                sha256=hashlib.sha256(item.data).hexdigest(),
                seconds=round(item.seconds) if item.seconds is not None else None,
                created_at=utcnow(),
                original_name=item.name,
                sender_role=sender.role,
                sender_id=sender.user_id,
                occasion=sender.occasion,
                channel=sender.channel,
                event_seq=sender.event_seq,
            )
            db.session.add(attachment)
            attachments.append(attachment)
        db.session.flush()
    except OSError as exc:
        discard_written(db.session())
        raise UploadFailed("upload_failed", type(exc).__name__) from exc
    # Imported here: the job module stores its copies with this module's helpers.
    from grievance.intake import playback

    playback.prepare_later(attachments)
    return attachments


def register_written(path: Path) -> None:
    db.session.info.setdefault(_WRITTEN, []).append(str(path))


def discard_written(session: Session) -> None:
    for name in session.info.pop(_WRITTEN, []):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(name)


@event.listens_for(Session, "after_commit")
def _keep_written(session: Session) -> None:
    session.info.pop(_WRITTEN, None)


@event.listens_for(Session, "after_transaction_end")
def _discard_uncommitted(session: Session, transaction: SessionTransaction) -> None:
    # after_commit has already emptied the list of a committed transaction; what is left
    # belongs to one that rolled back or was closed without committing.
    if transaction.parent is None and session.info.get(_WRITTEN):
        discard_written(session)
