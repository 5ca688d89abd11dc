"""Rules every intake channel applies the same way: text limits, language, confidentiality."""

from __future__ import annotations

import re
import unicodedata

MAX_NARRATIVE = 10_000  # characters: several pages, far more than any real complaint
MAX_SHORT = 200
MAX_AFFECTED = 100_000

# Categories whose cases only the assigned officer and supervisors may open, whatever the
# complainant chose: a harassment or retaliation complaint can put its author at risk.
RESTRICTED_CATEGORIES = frozenset({"harassment_retaliation"})

_ALLOWED_CONTROLS = {"\n", "\r", "\t"}
# Unicode's control characters (category Cc) are exactly U+0000-U+001F and U+007F-U+009F.
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f]")
_CONTROLS_BUT_LINES = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def has_control_chars(text: str, multiline: bool = True) -> bool:
    """Control characters (NUL, escape, ...) have no place in a complaint. Format characters
    such as the zero-width space stay allowed: Khmer uses them between words."""
    return (_CONTROLS_BUT_LINES if multiline else _CONTROLS).search(text) is not None


def strip_control_chars(text: str) -> str:
    return "".join(c for c in text if unicodedata.category(c) != "Cc" or c in _ALLOWED_CONTROLS)


def is_khmer(text: str) -> bool:
    return any("\u1780" <= c <= "\u17ff" for c in text)


def confidentiality_for(category_code: str, confidential: bool) -> str:
    """restricted for sensitive categories (stronger than confidential, so it wins),
    confidential when the complainant asked for it, normal otherwise."""
    if category_code in RESTRICTED_CATEGORIES:
        return "restricted"
    return "confidential" if confidential else "normal"


def parse_count(raw: str | None) -> int | None:
    """A worker count typed in Latin or Khmer digits; None if it is not a whole number."""
    text = (raw or "").strip().replace(",", "").replace(" ", "")
    if not text or not text.isdecimal() or len(text) > 7:
        return None
    return int(text)
