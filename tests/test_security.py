from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from grievance.khmer import khmer_digits
from grievance.phones import to_e164
from grievance.security import (
    ALPHABET,
    OLD_ALPHABET,
    SECRET_LENGTH,
    _check_char,
    hash_secret,
    new_reference,
    new_secret,
    normalize_reference,
    reference_mistyped,
    secret_matches,
)


def test_reference_is_short_and_unambiguous() -> None:
    ref = new_reference()
    assert len(ref) == 9 and ref[4] == "-"
    assert set(ref.replace("-", "")) <= set(ALPHABET)
    # Nothing read out on the hotline can be heard or seen as another character.
    assert not set(ALPHABET) & set("OILSZBGVNDPTCQKJW")
    assert len(ALPHABET) == 19  # prime: the check character catches every single typo


def test_look_alikes_khmer_digits_and_spacing_open_the_same_reference() -> None:
    ref = "A013-R9E" + _check_char("A013R9E")
    canonical = ref
    typed = ref.replace("0", "o").replace("1", "l").replace("-", " ")
    assert normalize_reference(typed) == canonical
    assert normalize_reference(khmer_digits(ref)) == canonical
    assert normalize_reference(ref.replace("1", "I").lower()) == canonical


def test_references_and_secrets_issued_before_keep_working() -> None:
    body = "SZBG7VK"  # the old alphabet's look-alikes, all of them
    old = body + _check_char(body, OLD_ALPHABET)
    assert normalize_reference(old.lower()) == f"{old[:4]}-{old[4:]}"
    old_secret = "SZBG-VK22-NNPQ"
    stored = hash_secret(old_secret, "k")
    assert secret_matches(old_secret.lower(), stored, "k")
    new = new_secret()
    assert secret_matches(new.replace("0", "O").replace("1", "I"), hash_secret(new, "k"), "k")


@given(st.integers(min_value=0, max_value=7), st.sampled_from(ALPHABET))
def test_one_mistyped_character_is_caught(position: int, wrong: str) -> None:
    ref = new_reference().replace("-", "")
    if ref[position] == wrong:
        return
    typo = ref[:position] + wrong + ref[position + 1 :]
    assert normalize_reference(typo) != f"{ref[:4]}-{ref[4:]}"
    # Said as a typo, except in the rare case it happens to be a valid older reference.
    assert reference_mistyped(typo) or normalize_reference(typo) is not None


@given(st.integers(min_value=0, max_value=6))
def test_two_swapped_neighbours_are_caught(position: int) -> None:
    ref = new_reference().replace("-", "")
    if ref[position] == ref[position + 1]:
        return
    swapped = ref[:position] + ref[position + 1] + ref[position] + ref[position + 2 :]
    assert normalize_reference(swapped) != f"{ref[:4]}-{ref[4:]}"
    assert reference_mistyped(swapped) or normalize_reference(swapped) is not None


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
