"""Cleaning free text typed by people: keep every script, drop control characters."""

from __future__ import annotations

import unicodedata

_KEEP = {"\n", "\t"}


def clean_text(raw: str | None) -> str:
    """Normalise to NFC, drop control/format characters (except newlines and tabs, and the
    zero-width joiners Khmer needs), normalise newlines, strip the ends."""
    if not raw:
        return ""
    text = unicodedata.normalize("NFC", raw.replace("\r\n", "\n").replace("\r", "\n"))
    kept = []
    for char in text:
        category = unicodedata.category(char)
        if char in _KEEP or char in "\u200b\u200c\u200d":
            kept.append(char)
        elif category in ("Cc", "Cs", "Co", "Cn") or (category == "Cf"):
            continue
        else:
            kept.append(char)
    return "".join(kept).strip()
