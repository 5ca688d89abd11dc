"""Production refuses settings that would mislead or lose a complainant."""

from __future__ import annotations

import pytest

from grievance.config import DEMO_HOTLINE, DEMO_SMS_NUMBER, MAX_BASE_URL, Config

SAFE = {
    "ENV": "production",
    "SECRET_KEY": "a-long-random-production-secret-value",
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
