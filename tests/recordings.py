"""Small real voice recordings for tests, made with Debian's ffmpeg (CI installs it).

AMR is written frame by frame in its storage format (RFC 4867, section 5): Debian's
ffmpeg decodes AMR but has no AMR encoder, and basic phones' recorders make exactly this."""

from __future__ import annotations

import random
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

FFMPEG = shutil.which("ffmpeg")
needs_ffmpeg = pytest.mark.skipif(FFMPEG is None, reason="no ffmpeg installed (CI installs it)")

FORMATS = ("ogg", "m4a", "mp3", "amr", "wav")
CONTENT_TYPES = {
    "ogg": "audio/ogg",
    "m4a": "audio/mp4",
    "mp3": "audio/mpeg",
    "amr": "audio/amr",
    "wav": "audio/wav",
}
_ENCODERS = {
    "ogg": ["-c:a", "libopus", "-b:a", "24k"],
    "m4a": ["-c:a", "aac", "-b:a", "32k"],
    "mp3": ["-c:a", "libmp3lame", "-b:a", "32k"],
    "wav": ["-c:a", "pcm_s16le", "-ar", "8000"],
}


def recording(fmt: str, seconds: int = 2) -> bytes:
    """A mono tone of `seconds` in `fmt` (one of FORMATS)."""
    if fmt == "amr":
        return amr(seconds)
    if FFMPEG is None:
        pytest.skip("no ffmpeg installed (CI installs it)")
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / f"note.{fmt}"
        tone = ["-f", "lavfi", "-i", f"sine=frequency=330:duration={seconds}"]
        command = [FFMPEG, "-nostdin", "-loglevel", "error", *tone, "-ac", "1"]
        subprocess.run([*command, *_ENCODERS[fmt], str(target)], check=True, timeout=120)
        return target.read_bytes()


def amr(seconds: float, frame_type: int = 7) -> bytes:
    """AMR-NB speech frames of the given type (7: 12.2 kbit/s, 31 bytes; 15: no data)."""
    sizes = {7: 31, 15: 0}
    rng = random.Random(seconds)
    header = bytes([(frame_type << 3) | 0x04])
    frames = int(seconds / 0.02)
    body = b"".join(header + rng.randbytes(sizes[frame_type]) for _ in range(frames))
    return b"#!AMR\n" + body
