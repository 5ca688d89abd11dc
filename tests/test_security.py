from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from grievance.phones import to_e164
from grievance.security import (
    ALPHABET,
    SECRET_LENGTH,
    hash_secret,
    new_reference,
    new_secret,
    normalize_reference,
    secret_matches,
)


def test_reference_is_short_and_unambiguous() -> None:
    ref = new_reference()
    assert len(ref) == 9 and ref[4] == "-"
    assert not set(ref.replace("-", "")) & set("01OIL")


@given(st.integers(min_value=0, max_value=7), st.sampled_from(ALPHABET))
def test_one_mistyped_character_is_caught(position: int, wrong: str) -> None:
    ref = new_reference().replace("-", "")
    if ref[position] == wrong:
        return
    typo = ref[:position] + wrong + ref[position + 1 :]
    assert normalize_reference(typo) is None


@given(st.integers(min_value=0, max_value=6))
def test_two_swapped_neighbours_are_caught(position: int) -> None:
    ref = new_reference().replace("-", "")
    if ref[position] == ref[position + 1]:
        return
    swapped = ref[:position] + ref[position + 1] + ref[position] + ref[position + 2 :]
    assert normalize_reference(swapped) is None


def test_reference_typed_loosely_is_understood() -> None:
    ref = new_reference()
    assert normalize_reference(ref.lower().replace("-", " ")) == ref


def test_secret_has_at_least_50_bits_and_is_stored_hashed() -> None:
    assert SECRET_LENGTH * math.log2(len(ALPHABET)) >= 50
    secret = new_secret()
    stored = hash_secret(secret, "k")
    assert secret not in stored
    assert secret_matches(secret.lower(), stored, "k")
    assert not secret_matches(secret, stored, "another key")


def test_cambodian_phone_forms() -> None:
    assert to_e164("012 345 678") == "+85512345678"
    assert to_e164("+855 12 345 678") == "+85512345678"
    assert to_e164("85512345678") == "+85512345678"
    assert to_e164("12345") is None
    assert to_e164("not a phone") is None
