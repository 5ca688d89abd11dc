"""The demo's complaint told in a Telegram voice note, so an officer meets "listen first" and
the player on the first visit.

The recording is made at seed time: an Ogg/Opus note (what Telegram sends) from Debian's
ffmpeg, else a WAV written here; both are a few seconds of rising and falling tones shaped
like syllables, not speech. Nothing is downloaded. The note goes through the same content
check and storage as any upload.
"""

from __future__ import annotations

import io
import math
import shutil
import struct
import subprocess
import wave
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from grievance.cases.models import Case
from grievance.cases.services import NewCase, PersonData, file_case
from grievance.extensions import db
from grievance.intake import uploads
from grievance.systemic.links import link_filed

SECONDS = 6
RATE = 8000
PHONE = "+85512555019"  # the demo's Telegram complainant (a demo number, not a real one)
# Pitches (Hz) of the "syllables": a spoken phrase's rise and fall, roughly.
PITCHES = (210, 240, 190, 230, 260, 200, 180, 220, 250, 205, 190, 170)


def seed_voice_case(now: datetime) -> int:
    """File the voice-only case once (1), or nothing when the demo already has it (0)."""
    exists = db.session.scalar(
        select(Case.id).where(Case.channel == "telegram", Case.description == "").limit(1)
    )
    if exists is not None:
        return 0
    note = uploads.inspect(io.BytesIO(recording()), "1")  # checked like every upload
    at = now - timedelta(hours=3)
    filed = file_case(
        NewCase(
            category_code="contributions",
            province_code="KH-8",
            description="",  # told in the voice note alone: "listen first"
            channel="telegram",
            concerned_type="employer",
            concerned_name="Factory C",
            complainant=PersonData(
                phone=PHONE, sex="female", language="km", consent_to_contact=True
            ),
        ),
        at=at,
    )
    sender = uploads.Sender("complainant", "filing", "telegram", None, filed.case.event_count)
    uploads.store(filed.case, [note], sender)
    link_filed(filed.case, at)
    return 1


def recording() -> bytes:
    """An Ogg/Opus note made by ffmpeg, else a WAV."""
    return _opus(_wav()) or _wav()


def _wav() -> bytes:
    frames = bytearray()
    per = SECONDS * RATE // len(PITCHES)
    for n, pitch in enumerate(PITCHES):
        for i in range(per):
            envelope = math.sin(math.pi * i / per) ** 2  # each syllable swells and fades
            glide = pitch * (1 + 0.08 * math.sin(2 * math.pi * i / per))
            phase = 2 * math.pi * glide * (n * per + i) / RATE
            sample = 0.45 * envelope * (math.sin(phase) + 0.3 * math.sin(2 * phase))
            frames += struct.pack("<h", int(sample * 32767 / 1.3))
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(bytes(frames))
    return out.getvalue()


def _opus(wav: bytes) -> bytes | None:
    ffmpeg = shutil.which(current_app.config["SAMLENG"].FFMPEG_PATH or "")
    if ffmpeg is None:
        return None
    command = [ffmpeg, "-v", "error", "-f", "wav", "-i", "pipe:0", "-ac", "1"]
    command += ["-c:a", "libopus", "-b:a", "16k", "-f", "ogg", "pipe:1"]
    try:
        done = subprocess.run(command, input=wav, capture_output=True, timeout=60, check=True)  # noqa: S603
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout or None
