"""Journey 1 by voice: Sreyneang cannot type Khmer well, so she records what happened on
her sister's phone (JavaScript off, 360 px, Khmer) and sends only the recording; the
officer sees "listen first" and plays all three minutes of it in the case page."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from tests.browser.harness import run_queued_jobs
from tests.browser.staff import make_staff, sign_in
from tests.browser.test_complainant_journeys import codes_on, shot
from tests.recordings import CONTENT_TYPES, needs_ffmpeg, recording

THREE_MINUTES = 180
# Waits for the audio element's metadata (preload="metadata") and answers its duration.
DURATION = """async (audio) => {
  if (audio.readyState < 1) {
    await new Promise((loaded, failed) => {
      audio.addEventListener("loadedmetadata", loaded, {once: true});
      audio.addEventListener("error", () => failed(new Error("audio error " + audio.error.code)));
    });
  }
  return audio.duration;
}"""


@needs_ffmpeg
@pytest.mark.parametrize("fmt", ["amr", "ogg"])  # a copy made by the job; played as it came
def test_a_three_minute_voice_note_plays_in_the_officers_case_page(
    live_app: Flask, live_server: str, phone: Any, desk: Any, fmt: str
) -> None:
    note = recording(fmt, seconds=THREE_MINUTES)
    phone.goto(live_server + "/file?lang=km")
    phone.locator("input[name=category]").first.check()
    phone.select_option("#province", "KH-12")
    phone.set_input_files(
        "#voice", files=[{"name": "REC0001", "mimeType": CONTENT_TYPES[fmt], "buffer": note}]
    )
    shot(phone, f"voice-{fmt}-form")
    phone.locator("button[type=submit].primary").click()
    reference, _secret = codes_on(phone)
    shot(phone, f"voice-{fmt}-codes")
    run_queued_jobs(live_app, "default")  # with Redis, the worker makes the playable copy

    officer = make_staff(live_app, f"voice-officer-{fmt}", "officer", "supervisor")
    sign_in(desk, live_server, officer)
    desk.goto(f"{live_server}/workspace/queues/office-kh-12?lang=en")
    row = desk.locator("tr", has=desk.locator(f"a:text-is('{reference}')"))
    assert "Listen first" in row.inner_text()
    desk.goto(f"{live_server}/cases/{reference}?lang=en")
    assert "Listen first" in desk.inner_text("main")
    audio = desk.locator("section.evidence audio")
    assert audio.count() == 1
    duration = audio.evaluate(DURATION)
    assert THREE_MINUTES - 2 < duration < THREE_MINUTES + 2, duration
    assert "3:00" in desk.inner_text("main")
    shot(desk, f"voice-{fmt}-case")
