"""Voice notes after the commit: a copy browsers can play, and a transcript.

A job, never the request: decoding a file someone sent takes time and runs a decoder on
untrusted input. ffmpeg reads the stored original with the demuxer its sniffed type names
(never probing, never another protocol) and writes a mono MP3, which every browser plays.
Without ffmpeg nothing is copied and officers get the original, which plays as it is in
a browser for Ogg/Opus, MP3 and WAV.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import tempfile
from collections.abc import Iterable
from pathlib import Path

from flask import current_app

from grievance import jobs
from grievance.cases.models import Attachment
from grievance.config import Config
from grievance.extensions import db
from grievance.intake import transcription, uploads, voice

log = logging.getLogger(__name__)
PLAYABLE_TYPE = "audio/mpeg"
TIMEOUT_SECONDS = 5 * 60


def _settings() -> Config:
    settings: Config = current_app.config["SAMLENG"]
    return settings


def prepare_later(attachments: Iterable[Attachment]) -> None:
    """Queue `prepare` for each voice note that needs a copy or a transcript."""
    transcribing = transcription.configured(_settings()) is not None
    for attachment in attachments:
        if attachment.is_voice and (transcribing or attachment.content_type not in voice.PLAYABLE):
            jobs.enqueue(prepare, attachment.id)


@jobs.job(queue="default")
def prepare(attachment_id: int) -> None:
    """Idempotent: what is already made is not made again."""
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None or not attachment.is_voice:
        return
    settings = _settings()
    source = uploads.upload_dir() / attachment.stored_name
    if attachment.playable_name is None and attachment.content_type not in voice.PLAYABLE:
        data = transcode(source, attachment.content_type, settings.FFMPEG_PATH)
        if data is not None:
            attachment.playable_name = uploads.write_private(uploads.upload_dir(), "mp3", data)
    transcriber = transcription.configured(settings)
    if transcriber is not None and attachment.transcript is None:
        attachment.transcript = transcriber.transcribe(source, attachment.case.language)


def transcode(source: Path, content_type: str, ffmpeg: str) -> bytes | None:
    """The recording as a mono MP3, or None (no ffmpeg, or it could not decode it)."""
    program = shutil.which(ffmpeg) if ffmpeg else None
    if program is None:
        log.info("no ffmpeg: voice notes are played as they came")
        return None
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "voice.mp3"
        command = [
            program,
            *("-nostdin", "-hide_banner", "-loglevel", "error", "-protocol_whitelist", "file"),
            *("-f", voice.DEMUXERS[content_type], "-i", str(source)),
            *("-t", str(voice.MAX_SECONDS), "-vn", "-map_metadata", "-1"),
            *("-ac", "1", "-ar", "22050", "-c:a", "libmp3lame", "-b:a", "48k", str(target)),
        ]
        try:
            # The program is the configured ffmpeg; the file name is our own random one.
            subprocess.run(command, capture_output=True, timeout=TIMEOUT_SECONDS, check=True)  # noqa: S603
            return target.read_bytes()
        except (OSError, subprocess.SubprocessError) as exc:
            log.warning("voice note not transcoded error=%s", type(exc).__name__)
            return None
