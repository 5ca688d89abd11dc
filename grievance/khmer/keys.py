"""Comparison keys for typed text, and digits in either script.

`khmer_key` is what search, matching, duplicate checks and SMS keywords compare: the stored
text stays exactly as it was typed. Changing what the key does changes every key already
kept in the search index: raise KEY_VERSION and rebuild it (`flask search reindex`).
"""

from __future__ import annotations

import re
import unicodedata

from grievance.khmer.canon import canonical_khmer

KEY_VERSION = 1

_KHMER_ZERO = 0x17E0
_SPACES = re.compile(r"\s+")


_OTHER_DIGIT = re.compile(r"(?![0-9])\d")  # a decimal digit of another script


def ascii_digits(text: str) -> str:
    """Every decimal digit as ASCII: Khmer ០១២, Thai, Arabic-Indic, full-width -> 012."""
    if text.isascii():
        return text
    return _OTHER_DIGIT.sub(lambda m: str(unicodedata.digit(m.group())), text)


def khmer_digits(text: str) -> str:
    """ASCII digits written as Khmer digits (0 -> ០); everything else unchanged."""
    return text.translate(_TO_KHMER)


_TO_KHMER = {ord(str(d)): chr(_KHMER_ZERO + d) for d in range(10)}


def khmer_key(text: str) -> str:
    """The canonical key of free text: Khmer clusters in canonical order without invisible
    characters, ASCII digits, case folded, compatibility forms folded (NFKC), runs of white
    space as one space, no space at the ends. Idempotent: khmer_key(khmer_key(t)) equals
    khmer_key(t)."""
    key = _key_once(text)
    for _ in range(3):  # a split vowel next to another vowel can take a second pass
        again = _key_once(key)
        if again == key:
            break
        key = again
    return key


def _key_once(text: str) -> str:
    text = unicodedata.normalize("NFKC", canonical_khmer(text))
    text = ascii_digits(text).casefold()
    return _SPACES.sub(" ", text).strip()


def identifier_key(text: str) -> str:
    """An identifier as typed (reference, secret, NSSF or phone number): ASCII digits,
    upper case, nothing but letters and digits."""
    return "".join(c for c in ascii_digits(text).upper() if c.isascii() and c.isalnum())
