"""SMS segment counting: GSM-7 160/153, UCS-2 (Khmer) 70/67 in UTF-16 code units."""

from __future__ import annotations

import pytest

from notifications.segments import GSM7, UCS2, count, encoding, segments

KA = "ក"  # one Khmer letter: one UTF-16 code unit, forces UCS-2


@pytest.mark.parametrize(
    ("length", "expected"), [(1, 1), (160, 1), (161, 2), (306, 2), (307, 3), (459, 3)]
)
def test_gsm7_lengths(length: int, expected: int) -> None:
    text = "a" * length
    assert encoding(text) == GSM7
    assert segments(text) == expected


@pytest.mark.parametrize(
    ("length", "expected"), [(1, 1), (70, 1), (71, 2), (134, 2), (135, 3), (201, 3)]
)
def test_khmer_is_ucs2_70_then_67(length: int, expected: int) -> None:
    text = KA * length
    assert encoding(text) == UCS2
    assert segments(text) == expected


def test_real_khmer_text_counts_code_units_not_letters() -> None:
    text = "សួស្តី"  # "hello": 6 code units although it reads as two syllables
    assert count(text).units == 6


def test_one_khmer_letter_turns_a_whole_english_text_into_ucs2() -> None:
    text = "a" * 100 + KA
    assert encoding(text) == UCS2
    assert segments(text) == 2  # 101 units: more than 70


def test_gsm7_extension_characters_cost_two_and_are_never_split() -> None:
    assert count("€" * 80).units == 160 and segments("€" * 80) == 1
    assert segments("€" * 81) == 2
    # 306 septets would be two parts, but the € cannot straddle the first boundary.
    text = "a" * 152 + "€" + "a" * 152
    assert count(text).units == 306
    assert segments(text) == 3


def test_characters_outside_the_basic_plane_take_two_units() -> None:
    assert encoding("ok 👍") == UCS2
    assert count("👍").units == 2
