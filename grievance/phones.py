"""Phone numbers: accept what Cambodians type, store E.164."""

from __future__ import annotations

import phonenumbers

from grievance.khmer.keys import ascii_digits

# The Cambodian numbers `to_e164` accepts, in the spellings a partner system may send:
# +855 or 0, the operator prefix, the number; a single space or hyphen between digits.
_D = "[ -]?[0-9]"
KH_PHONE_PATTERN = (
    "^(\\+855[ -]?|0)("
    f"(1{_D}|6[ -]?[016-9]|7[ -]?[07-9]|8[ -]?[013-79]|9[ -]?[0-57-9])({_D}){{6}}"
    f"|(1[ -]?[28]|3[ -]?[18]|7[ -]?[16]|8[ -]?8|9[ -]?[67])({_D}){{7}}"
    ")$"
)


def to_e164(raw: str, region: str = "KH") -> str | None:
    """'012 345 678', '+855 12 345 678', '85512345678', '០១២ ៣៤៥ ៦៧៨' -> '+85512345678';
    None if invalid."""
    text = ascii_digits(raw).strip()
    if not text:
        return None
    if text.isdigit() and text.startswith("855") and len(text) > 10:
        text = "+" + text
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def masked(e164: str | None) -> str:
    """Enough to recognise a number on screen without showing it whole."""
    return "" if not e164 else e164[:4] + "•" * max(0, len(e164) - 7) + e164[-3:]
