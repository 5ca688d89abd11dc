"""Transcription: an adapter, off by default.

A transcript helps an officer find and skim a voice note; it never replaces listening (the
case page says so). No speech model ships with Samleng and none is downloaded at run time:
a deployment that has one names a local program in TRANSCRIBE_COMMAND, run as
`<command> <file> <language>` (km or en), whose standard output is the text.
"""

from __future__ import annotations

import logging
import shlex
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from grievance.config import Config
from grievance.intake.checks import MAX_NARRATIVE
from grievance.text import clean_text

log = logging.getLogger(__name__)
TIMEOUT_SECONDS = 15 * 60


class Transcriber(Protocol):
    def transcribe(self, path: Path, language: str) -> str | None:
        """The words spoken in the recording at `path`, or None when there are none."""
        ...


@dataclass(frozen=True)
class CommandTranscriber:
    argv: tuple[str, ...]

    def transcribe(self, path: Path, language: str) -> str | None:
        try:
            done = subprocess.run(  # noqa: S603 (the operator's program, our own file name)
                [*self.argv, str(path), language],
                capture_output=True,
                timeout=TIMEOUT_SECONDS,
                check=True,
            )
        except (OSError, subprocess.SubprocessError) as exc:
            log.warning("transcriber failed error=%s", type(exc).__name__)
            return None
        text = clean_text(done.stdout.decode("utf-8", "replace"))[:MAX_NARRATIVE]
        return text or None


def configured(config: Config) -> Transcriber | None:
    command = config.TRANSCRIBE_COMMAND.strip()
    return CommandTranscriber(tuple(shlex.split(command))) if command else None
