"""Voice notes from the public form and the answer form: recognised by content, measured,
stored like other evidence, made playable in a job, and played by officers."""

from __future__ import annotations

import io
import re
import sys
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from grievance.cases.models import Attachment, Case
from grievance.extensions import db
from grievance.intake import voice
from grievance.queues.models import Queue
from tests.conftest import Auth, csrf_from
from tests.factories import make_case
from tests.intake.helpers import case_count, png_bytes, public_post, stored_files
from tests.recordings import CONTENT_TYPES, FORMATS, amr, needs_ffmpeg, recording


def _latest() -> Case:
    case = db.session.scalars(select(Case).order_by(Case.id.desc()).limit(1)).one()
    db.session.refresh(case)
    return case


def _attachments(case: Case) -> list[Attachment]:
    query = select(Attachment).where(Attachment.case_id == case.id).order_by(Attachment.id)
    return [db.session.merge(a) for a in db.session.scalars(query)]


def _file_by_voice(client: FlaskClient, data: bytes, name: str, **fields: Any) -> Any:
    fields.setdefault("description", "")
    return public_post(client, voice=(io.BytesIO(data), name), **fields)


@pytest.mark.parametrize("fmt", FORMATS)
def test_each_format_is_accepted_by_content_as_the_whole_complaint(
    client: FlaskClient, instance_dir: Path, fmt: str
) -> None:
    data = recording(fmt, seconds=2)
    before = stored_files(instance_dir)
    response = _file_by_voice(client, data, "recording.bin")  # the name says nothing
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    case = _latest()
    assert case.description == "" and case.listen_first
    (note,) = _attachments(case)
    assert note.content_type == CONTENT_TYPES[fmt] and note.is_voice
    assert note.seconds == 2
    original = instance_dir / "uploads" / note.stored_name
    assert original.read_bytes() == data  # stored as it came, under a generated name
    assert note.stored_name in stored_files(instance_dir) - before


def test_a_voice_note_may_also_go_with_a_written_description_and_photos(
    client: FlaskClient,
) -> None:
    response = public_post(
        client,
        voice=(io.BytesIO(amr(3)), "note.amr"),
        files=[(png_bytes(), "payslip.png")],
    )
    assert response.status_code == 200
    case = _latest()
    assert not case.listen_first
    assert sorted(a.content_type for a in _attachments(case)) == ["audio/amr", "image/png"]


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"This is just text, renamed.\n" * 20, "note.ogg", "is not a photo"),
        (b"MZ\x90\x00 a program" + bytes(200), "voice.mp3", "is not a photo"),
        (png_bytes(), "note.m4a", "This is not a voice note"),
        (b"OggS\x00\x02" + b"OpusHead" + bytes(300), "note.ogg", "could not be read as a voice"),
        (b"#!AMR\n" + b"\x3c" + bytes(10), "cut.amr", "could not be read as a voice note"),
        (b"RIFF\x10\x00\x00\x00WAVEjunk", "note.wav", "could not be read as a voice note"),
        (amr(11 * 60, frame_type=15), "long.amr", "is longer than 10 minutes"),
    ],
)
def test_a_file_that_is_not_a_playable_voice_note_is_refused(
    client: FlaskClient, instance_dir: Path, data: bytes, name: str, message: str
) -> None:
    before, files = case_count(), stored_files(instance_dir)
    response = _file_by_voice(client, data, name)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in page, page[:3000]
    assert case_count() == before and stored_files(instance_dir) == files


def test_without_a_voice_note_the_description_is_still_required(client: FlaskClient) -> None:
    response = public_post(client, description=" ", files=[(png_bytes(), "payslip.png")])
    assert response.status_code == 400
    assert "Please tell us what happened, in writing or in a voice note." in response.get_data(
        as_text=True
    )


def test_a_video_is_not_a_voice_note() -> None:
    box = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2"
    video = box + b"\x00\x00\x00\x21hdlr\x00\x00\x00\x00\x00\x00\x00\x00vide" + bytes(12)
    assert voice.sniff(video) == "audio/mp4"
    assert voice.seconds(video, "audio/mp4") is None


# --- playing: the job and the officer's evidence panel ----------------------------------


def _officer_sees(client: FlaskClient, auth: Auth, case: Case) -> str:
    auth.login("supervisor")
    response = client.get(f"/cases/{case.reference}?lang=en")
    assert response.status_code == 200
    return response.get_data(as_text=True)


@needs_ffmpeg
@pytest.mark.parametrize("fmt", ["amr", "m4a"])
def test_a_note_browsers_cannot_play_gets_a_playable_copy_in_a_job(
    client: FlaskClient, auth: Auth, instance_dir: Path, jobs_in_process: Any, fmt: str
) -> None:
    _file_by_voice(client, recording(fmt, seconds=3), f"note.{fmt}")
    case = _latest()
    (note,) = _attachments(case)
    db.session.refresh(note)
    assert note.playable_name is not None
    copy = (instance_dir / "uploads" / note.playable_name).read_bytes()
    assert voice.sniff(copy) == "audio/mpeg"
    assert 2.9 < (voice.seconds(copy, "audio/mpeg") or 0) < 3.3

    page = _officer_sees(client, auth, case)
    assert "Listen first" in page and "Voice note" in page and "0:03" in page
    url = f"/cases/{case.reference}/files/{note.id}"
    assert f'src="{url}?play=1"' in page
    played = client.get(f"{url}?play=1")
    assert played.status_code == 200 and played.mimetype == "audio/mpeg"
    assert played.data == copy
    assert played.headers["Accept-Ranges"] == "bytes"
    part = client.get(f"{url}?play=1", headers={"Range": "bytes=0-99"})
    assert part.status_code == 206 and len(part.data) == 100
    original = client.get(url)
    assert original.mimetype == CONTENT_TYPES[fmt] and original.data == recording(fmt, 3)


def test_without_ffmpeg_the_original_is_played_as_it_is(
    app: Flask, client: FlaskClient, auth: Auth, jobs_in_process: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr(app.config["SAMLENG"], "FFMPEG_PATH", "/nonexistent/ffmpeg")
    data = amr(2)
    _file_by_voice(client, data, "note.amr")
    case = _latest()
    (note,) = _attachments(case)
    assert note.playable_name is None
    _officer_sees(client, auth, case)
    played = client.get(f"/cases/{case.reference}/files/{note.id}?play=1")
    assert played.status_code == 200 and played.mimetype == "audio/amr" and played.data == data


def test_notes_browsers_play_need_no_job(client: FlaskClient, recorded_jobs: Any) -> None:
    _file_by_voice(client, amr(1), "note.amr")
    assert [name for name, _ids in recorded_jobs] == ["grievance.intake.playback.prepare"]
    recorded_jobs.clear()
    _file_by_voice(client, recording("wav", 1), "note.wav")
    assert recorded_jobs == []


def test_only_officers_who_may_see_the_case_get_its_files(client: FlaskClient, auth: Auth) -> None:
    _file_by_voice(client, amr(1), "note.amr")
    case = _latest()
    (note,) = _attachments(case)
    url = f"/cases/{case.reference}/files/{note.id}"
    assert client.get(url).status_code == 302  # to the sign-in page
    _file_by_voice(client, amr(1), "other.amr", province="KH-3")
    other = _latest()
    (other_note,) = _attachments(other)
    auth.login("officer", province="KH-3")
    assert client.get(url).status_code == 404  # a case of another province
    assert client.get(f"/cases/{other.reference}/files/{note.id}").status_code == 404
    assert client.get(f"/cases/{other.reference}/files/{other_note.id}").status_code == 200


def test_queues_mark_a_voice_only_case_listen_first(client: FlaskClient, auth: Auth) -> None:
    _file_by_voice(client, amr(1), "note.amr")
    case = _latest()
    auth.login("supervisor")
    queue = db.session.get(Queue, case.queue_id).code
    written = make_case(province_code=case.province_code).case
    for url in ("/cases/?lang=en", f"/workspace/queues/{queue}?lang=en"):
        page = client.get(url).get_data(as_text=True)
        assert "Listen first" in _row(page, case.reference), url
        assert "Listen first" not in _row(page, written.reference), url


def _row(page: str, reference: str) -> str:
    """The table row of a case."""
    rows = re.findall(r"<tr>.*?</tr>", page, re.DOTALL)
    return next(row for row in rows if f">{reference}</a>" in row)


def test_transcription_is_off_by_default_and_a_configured_transcriber_is_used(
    app: Flask,
    client: FlaskClient,
    auth: Auth,
    jobs_in_process: Any,
    monkeypatch: Any,
    tmp_path: Path,
) -> None:
    assert app.config["SAMLENG"].TRANSCRIBE_COMMAND == ""
    _file_by_voice(client, recording("wav", 1), "note.wav")
    (note,) = _attachments(_latest())
    assert note.transcript is None

    # The edge of the world: a local speech-to-text program, here a fake one.
    fake = tmp_path / "transcribe.py"
    fake.write_text(
        "import sys\n"
        "print('ការងារ ' + sys.argv[2] + ' ' + open(sys.argv[1], 'rb').read(4).decode())\n"
    )
    monkeypatch.setattr(app.config["SAMLENG"], "TRANSCRIBE_COMMAND", f"{sys.executable} {fake}")
    _file_by_voice(client, recording("wav", 1), "note.wav", language="km")
    case = _latest()
    (note,) = _attachments(case)
    assert note.transcript == "ការងារ km RIFF"
    page = _officer_sees(client, auth, case)
    assert "Machine transcript" in page and "ការងារ km RIFF" in page


def test_her_status_page_says_she_told_it_in_a_voice_note(client: FlaskClient) -> None:
    from tests.tracking.helpers import lookup

    response = _file_by_voice(client, amr(1), "note.amr")
    page = response.get_data(as_text=True)
    reference, secret = re.findall(r'class="secret-value"[^>]*>\s*([^<\s]+)', page)[:2]
    assert lookup(client, reference, secret).status_code == 303
    status = client.get("/track/case?lang=en").get_data(as_text=True)
    assert "You told us in a voice note. The officer listens to it." in status


# --- staff attach a recording: the hotline desk and a representative's form -------------


def _hotline(client: FlaskClient, note: tuple[bytes, str], **fields: str) -> Any:
    page = client.get("/hotline?lang=en").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in page and 'name="voice"' in page
    data: dict[str, Any] = {
        "csrf_token": csrf_from(page),
        "phone": "012 345 678",
        "category": "employment_injury",
        "province": "KH-3",
        "description": "",
        "channel": "hotline",
        "language": "km",
        "voice": (io.BytesIO(note[0]), note[1]),
        **fields,
    }
    return client.post("/hotline?lang=en", data=data, content_type="multipart/form-data")


def _for_member(client: FlaskClient, note: tuple[bytes, str]) -> Any:
    page = client.get("/representative/file?lang=en").get_data(as_text=True)
    assert 'name="voice"' in page
    data: dict[str, Any] = {
        "csrf_token": csrf_from(page),
        "consent_given": "y",
        "consent_how": "verbal",
        "description": "",
        "category": "maternity",
        "province": "KH-17",
        "affected_count": "1",
        "language": "km",
        "voice": (io.BytesIO(note[0]), note[1]),
    }
    return client.post("/representative/file", data=data, content_type="multipart/form-data")


@pytest.mark.parametrize("form", ["hotline", "representative"])
def test_staff_attach_the_callers_or_members_recording_as_the_complaint(
    client: FlaskClient, auth: Auth, instance_dir: Path, recorded_jobs: Any, form: str
) -> None:
    data = amr(2)  # a basic phone's recorder
    if form == "hotline":
        auth.login("intake")
        response = _hotline(client, (data, "call.bin"))
    else:
        auth.login("representative")
        response = _for_member(client, (data, "member.bin"))
    assert response.status_code in (200, 303), response.get_data(as_text=True)[:2000]
    case = _latest()
    assert case.channel == ("hotline" if form == "hotline" else "web")
    assert case.description == "" and case.listen_first
    (note,) = _attachments(case)
    assert note.is_voice and note.content_type == "audio/amr" and note.seconds == 2
    assert (instance_dir / "uploads" / note.stored_name).read_bytes() == data
    # Made playable like the public form's, in a job after the commit.
    assert [name for name, _ids in recorded_jobs] == ["grievance.intake.playback.prepare"]
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/track").get_data(True))})
    page = _officer_sees(client, auth, case)
    assert "Listen first" in page and f"/cases/{case.reference}/files/{note.id}?play=1" in page


@pytest.mark.parametrize("form", ["hotline", "representative"])
def test_staff_forms_refuse_a_renamed_photo_as_a_voice_note(
    client: FlaskClient, auth: Auth, instance_dir: Path, form: str
) -> None:
    before, files = case_count(), stored_files(instance_dir)
    if form == "hotline":
        auth.login("intake")
        response = _hotline(client, (png_bytes(), "call.ogg"))
    else:
        auth.login("representative")
        response = _for_member(client, (png_bytes(), "member.mp3"))
    assert response.status_code == 400
    assert "This is not a voice note." in response.get_data(as_text=True)
    assert case_count() == before and stored_files(instance_dir) == files
