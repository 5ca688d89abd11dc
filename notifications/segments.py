"""SMS segment counting (GSM 03.38 / 03.40), pure.

A text that fits the GSM-7 alphabet costs 7 bits a character: 160 in one message, 153 a
part when split (the rest carries the reassembly header). Anything else, Khmer included,
goes as UCS-2: 70 UTF-16 code units in one message, 67 a part. Operators bill per part, and
a Khmer message that looks short on screen can be three.
"""

from __future__ import annotations

from dataclasses import dataclass

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")  # sent as ESC + character: two septets

GSM7, UCS2 = "GSM-7", "UCS-2"
LIMITS = {GSM7: (160, 153), UCS2: (70, 67)}


@dataclass(frozen=True)
class Count:
    encoding: str
    units: int  # septets (GSM-7) or UTF-16 code units (UCS-2)
    segments: int


def encoding(text: str) -> str:
    return GSM7 if all(c in GSM7_BASIC or c in GSM7_EXTENSION for c in text) else UCS2


def _cost(char: str, enc: str) -> int:
    if enc == GSM7:
        return 2 if char in GSM7_EXTENSION else 1
    return 2 if ord(char) > 0xFFFF else 1  # a surrogate pair


def count(text: str) -> Count:
    enc = encoding(text)
    costs = [_cost(c, enc) for c in text]
    units = sum(costs)
    single, part = LIMITS[enc]
    if units <= single:
        return Count(enc, units, 1)
    # Parts are filled greedily; an escape pair or a surrogate pair is never split.
    segments, used = 1, 0
    for cost in costs:
        if used + cost > part:
            segments, used = segments + 1, 0
        used += cost
    return Count(enc, units, segments)


def segments(text: str) -> int:
    return count(text).segments
