"""With Khmer chosen, the public pages show no English sentences, and they stay light."""

from __future__ import annotations

import gzip
import re
from typing import Any
from urllib.parse import urljoin

PUBLIC = (
    "/",
    "/file",
    "/track",
    "/accountability",
    "/accountability/data",
    "/accountability/forums",
    "/login",
)
# Two or more Latin words in a row: an untranslated phrase.
LATIN_RUN = re.compile(r"[A-Za-z][A-Za-z'’]+(?:[ \t]+[A-Za-z][A-Za-z'’]+)+")
# Names and codes that stay in Latin letters in Khmer text too.
ALLOWED = re.compile(r"^(?:NSSF|Samleng|JPEG|PNG|WebP|PDF|MB|KB|SMS|CSV|PIN|TOTP|[A-Z0-9]{2,})$")
EMAIL_OR_URL = re.compile(r"\S+@\S+|https?://\S+|www\.\S+")
# Literal values of the open data files, quoted so that readers can find them there.
DATA_VALUES = ("fewer than 5", "withheld", "too few cases")


def english_runs(text: str) -> list[str]:
    text = EMAIL_OR_URL.sub(" ", text)
    for value in DATA_VALUES:
        text = text.replace(f"“{value}”", " ")
    return [
        run
        for run in LATIN_RUN.findall(text)
        if not all(ALLOWED.match(word) for word in run.split())
    ]


def test_the_leak_detector_flags_sentences_not_codes() -> None:
    assert english_runs("ឯកសារ JPEG PNG WebP ឬ PDF ទំហំ 10 MB") == []
    assert english_runs("លេខ K7QM-4TX9 info@nssf.gov.kh") == []
    assert english_runs("ផ្ញើ Send my complaint") == ["Send my complaint"]
    assert english_runs("អក្សរ “fewer than 5”") == []
    assert english_runs("តួលេខ fewer than 5") == ["fewer than"]


def test_public_pages_in_khmer_show_no_english_text(phone: Any, live_server: str) -> None:
    leaks: dict[str, list[str]] = {}
    for path in PUBLIC:
        phone.goto(f"{live_server}{path}?lang=km")
        found = english_runs(phone.inner_text("main"))
        if found:
            leaks[path] = found
    # The error messages of an empty complaint form, too.
    phone.goto(f"{live_server}/file?lang=km")
    phone.locator("button[type=submit].primary").click()
    assert phone.locator(".flash-error").count() == 1
    found = english_runs(phone.inner_text("main"))
    if found:
        leaks["/file (errors)"] = found
    assert leaks == {}


def test_public_pages_weigh_under_50_kb_compressed(live_app: Any) -> None:
    """HTML plus its stylesheets, gzip-compressed; fonts aside."""
    client = live_app.test_client()
    heavy: dict[str, int] = {}
    for path in PUBLIC:
        response = client.get(f"{path}?lang=km")
        assert response.status_code == 200, path
        html = response.get_data()
        total = len(gzip.compress(html))
        for href in re.findall(rb'<link[^>]+rel="stylesheet"[^>]+href="([^"]+)"', html):
            css = client.get(urljoin(path, href.decode()))
            assert css.status_code == 200, href
            total += len(gzip.compress(css.get_data()))
        if total >= 50 * 1024:
            heavy[path] = total
    assert heavy == {}
