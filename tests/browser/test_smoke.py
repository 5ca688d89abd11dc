"""The landing page on a basic phone: Khmer, no JavaScript, the Khmer font served."""

from __future__ import annotations

from typing import Any


def test_landing_in_khmer_on_a_phone_without_javascript(phone: Any, live_server: str) -> None:
    with phone.expect_response(lambda r: "NotoSansKhmer" in r.url) as font:
        phone.goto(live_server + "/")
    assert font.value.ok  # the Khmer font comes from the app itself, no CDN
    assert phone.locator("html").get_attribute("lang") == "km"
    heading = phone.locator("h1").inner_text()
    assert any("\u1780" <= ch <= "\u17ff" for ch in heading)
    # Nothing wider than the phone: no sideways scrolling.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    box = phone.locator("a.button.primary").bounding_box()
    assert box is not None and box["width"] <= 360
