"""Voice notes: recognised by their content and measured, without decoding them.

Many complainants speak rather than type Khmer on a phone, so a voice note is evidence and
may be the whole description. A note is stored as it came (`uploads.store`); nothing here
runs a decoder in the request. `playback.prepare`, a job, makes a copy browsers can play
of the formats they cannot (AMR from basic phones, M4A/AAC from some recorders).
"""

from __future__ import annotations

import re
from io import BytesIO

from mutagen import MutagenError
from mutagen.mp3 import MP3
from mutagen.mp4 import MP4
from mutagen.oggopus import OggOpus
from mutagen.wave import WAVE

MAX_SECONDS = 10 * 60

# content type -> stored extension
AUDIO = {
    "audio/ogg": "ogg",  # Ogg/Opus: WhatsApp and Telegram voice notes
    "audio/mp4": "m4a",  # AAC in an MP4 box: iPhone and Android recorders
    "audio/mpeg": "mp3",
    "audio/amr": "amr",  # basic phones' voice recorders
    "audio/amr-wb": "awb",
    "audio/wav": "wav",
}
# Played as they are by every current browser; the others get a playable copy.
PLAYABLE = frozenset({"audio/ogg", "audio/mpeg", "audio/wav"})
# ffmpeg's demuxer for each type: named, so a file is never probed as something else
DEMUXERS = {
    "audio/ogg": "ogg",
    "audio/mp4": "mov",
    "audio/mpeg": "mp3",
    "audio/amr": "amr",
    "audio/amr-wb": "amr",
    "audio/wav": "wav",
}

_MP4_BRANDS = {b"M4A ", b"M4B ", b"mp41", b"mp42", b"isom", b"iso2", b"3gp4", b"3gp5", b"3gp6"}
_VIDEO_TRACK = re.compile(rb"hdlr.{8}vide", re.DOTALL)
# Bytes of speech after each frame's one-byte header, by frame type (RFC 4867, section 5)
_AMR_NB = (12, 13, 15, 17, 19, 20, 26, 31, 5, None, None, None, None, None, None, 0)
_AMR_WB = (17, 23, 32, 36, 40, 46, 50, 58, 60, 5, None, None, None, None, 0, 0)
_AMR_FRAME_SECONDS = 0.02


def sniff(data: bytes) -> str | None:
    """The audio type by magic bytes, or None."""
    if data[:4] == b"OggS" and b"OpusHead" in data[:128]:
        return "audio/ogg"
    if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        return "audio/wav"
    if data.startswith(b"#!AMR-WB\n"):
        return "audio/amr-wb"
    if data.startswith(b"#!AMR\n"):
        return "audio/amr"
    if data[4:8] == b"ftyp" and data[8:12] in _MP4_BRANDS:
        return "audio/mp4"
    # ID3 tags, or an MPEG audio layer III frame header (11 sync bits, layer bits 01)
    if data.startswith(b"ID3") or (len(data) > 1 and data[0] == 0xFF and data[1] & 0xE6 == 0xE2):
        return "audio/mpeg"
    return None


def seconds(data: bytes, content_type: str) -> float | None:
    """How long the note plays, read from its headers and frames; None when the file is
    not a readable recording of that type (a renamed or truncated file)."""
    if content_type in ("audio/amr", "audio/amr-wb"):
        return _amr_seconds(data, wide=content_type == "audio/amr-wb")
    if content_type == "audio/mp4" and _VIDEO_TRACK.search(data):
        return None  # a film is not a voice note
    kinds = {"audio/ogg": OggOpus, "audio/mp4": MP4, "audio/mpeg": MP3, "audio/wav": WAVE}
    try:
        info = kinds[content_type](BytesIO(data)).info
    except (MutagenError, KeyError, ValueError, IndexError, EOFError, OverflowError):
        return None
    length = float(getattr(info, "length", 0) or 0)
    if content_type == "audio/mp4" and not getattr(info, "codec", ""):
        return None  # no sound track
    return length if length > 0 else None


def _amr_seconds(data: bytes, wide: bool) -> float | None:
    sizes = _AMR_WB if wide else _AMR_NB
    pos = len(b"#!AMR-WB\n") if wide else len(b"#!AMR\n")
    frames = 0
    while pos < len(data):
        size = sizes[(data[pos] >> 3) & 0x0F]
        if size is None or data[pos] & 0x83:  # reserved frame type or padding bits set
            return None
        pos += 1 + size
        frames += 1
    if pos != len(data) or frames == 0:
        return None  # cut in the middle of a frame, or no speech at all
    return frames * _AMR_FRAME_SECONDS
