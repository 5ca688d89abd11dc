"""The demo's voice-only complaint: a real recording made at seed time, checked and stored
like any upload, that an officer meets as "listen first" with a player."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from grievance.cases.models import Attachment, Case
from grievance.extensions import db
from grievance.intake import voice
from grievance.seed import demo_voice
from grievance.types import utcnow
from tests.conftest import Auth
from tests.recordings import needs_ffmpeg


def _seeded() -> tuple[Case, Attachment]:
    assert demo_voice.seed_voice_case(utcnow()) == 1
    assert demo_voice.seed_voice_case(utcnow()) == 0  # seeding again adds nothing
    case = db.session.scalars(select(Case).where(Case.channel == "telegram")).one()
    (note,) = db.session.scalars(select(Attachment).where(Attachment.case_id == case.id))
    return case, note


@needs_ffmpeg
def test_the_demo_has_a_telegram_voice_note_an_officer_plays(
    client: FlaskClient, auth: Auth, jobs_in_process: Any
) -> None:
    case, note = _seeded()
    assert case.listen_first and case.complainant is not None
    assert note.content_type == "audio/ogg" and note.seconds == demo_voice.SECONDS
    auth.login("supervisor")
    page = client.get(f"/cases/{case.reference}?lang=en").get_data(as_text=True)
    assert "Listen first" in page and "0:06" in page
    played = client.get(f"/cases/{case.reference}/files/{note.id}?play=1")
    assert played.status_code == 200 and voice.sniff(played.data) == "audio/ogg"


def test_without_ffmpeg_the_demo_note_is_a_wav(
    app: Flask, monkeypatch: pytest.MonkeyPatch, jobs_in_process: Any
) -> None:
    monkeypatch.setattr(app.config["SAMLENG"], "FFMPEG_PATH", "/nonexistent/ffmpeg")
    _case, note = _seeded()
    assert note.content_type == "audio/wav" and note.seconds == demo_voice.SECONDS
