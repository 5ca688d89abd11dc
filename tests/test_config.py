"""Production refuses settings that would mislead or lose a complainant."""

from __future__ import annotations

from pathlib import Path

import pytest

from grievance.config import DEFAULT_SECRET, DEMO_HOTLINE, DEMO_SMS_NUMBER, MAX_BASE_URL, Config

SAFE = {
    "ENV": "production",
    "SECRET_KEY": "a-long-random-production-secret-value-0123456789",
    "SERVER_KEY": "another-long-random-server-key-value-9876543210",
    "SMS_BACKEND": "twilio",
    "MAIL_SERVER": "smtp.nssf.example",
    "HOTLINE_NUMBER": "023 900 900",
    "SMS_NUMBER": "1900",
    "PUBLIC_BASE_URL": "https://samleng.nssf.gov.kh",
}


def test_safe_production_settings_start() -> None:
    Config(**SAFE).check()  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "unsafe",
    [
        {"HOTLINE_NUMBER": DEMO_HOTLINE},
        {"SMS_NUMBER": DEMO_SMS_NUMBER},
        {"HOTLINE_NUMBER": " "},
        {"PUBLIC_BASE_URL": "https://" + "x" * MAX_BASE_URL},
        {"SECRET_KEY": DEFAULT_SECRET},
        {"SECRET_KEY": "short"},
        {"SERVER_KEY": ""},  # it would silently fall back to SECRET_KEY
        {"SERVER_KEY": SAFE["SECRET_KEY"]},
        {"SMS_BACKEND": "file"},  # references, secrets and phones in files
        {"MAIL_SERVER": ""},
        {"SECOND_STEP_RELAXED": True},
    ],
)
def test_production_refuses_what_every_sms_and_page_would_get_wrong(
    unsafe: dict[str, str],
) -> None:
    with pytest.raises(RuntimeError):
        Config(**{**SAFE, **unsafe}).check()  # type: ignore[arg-type]


def test_development_shows_the_demo_numbers() -> None:
    Config().check()
    assert (Config().HOTLINE_NUMBER, Config().SMS_NUMBER) == (DEMO_HOTLINE, DEMO_SMS_NUMBER)


def test_file_backends_only_when_explicitly_allowed() -> None:
    allowed = {**SAFE, "SMS_BACKEND": "file", "MAIL_SERVER": "", "ALLOW_FILE_BACKENDS": True}
    Config(**allowed).check()  # type: ignore[arg-type]


def test_an_unset_secret_key_is_never_the_known_default(tmp_path: Path) -> None:
    """ENV unset (development): a random key of the instance's own, kept 0600, the same on
    the next start."""
    first = Config(INSTANCE_PATH=str(tmp_path))
    first.use_local_secret()
    assert first.SECRET_KEY != DEFAULT_SECRET and len(first.SECRET_KEY) >= 32
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
    again = Config(INSTANCE_PATH=str(tmp_path))
    again.use_local_secret()
    assert again.SECRET_KEY == first.SECRET_KEY
    assert Config(INSTANCE_PATH=str(tmp_path / "other")).SECRET_KEY == DEFAULT_SECRET  # unused
