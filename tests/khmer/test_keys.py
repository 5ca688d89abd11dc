"""The canonical Khmer key: one key per visible spelling, idempotent, checked against SIL's
own normaliser (khmerspell packages khnormal) as an independent oracle."""

from __future__ import annotations

import itertools

from hypothesis import example, given
from hypothesis import strategies as st
from khmerspell import khnormal

from grievance.khmer import (
    ascii_digits,
    canonical_khmer,
    clusters,
    identifier_key,
    khmer_digits,
    khmer_key,
)
from tests.khmer.corpus import VOCABULARY

WOMAN = ("ស្ត្រី", "ស្រ្តី", "ស្រី្ត")  # coeng TA then RO; RO then TA; vowel between them

khmer_chars = st.characters(min_codepoint=0x1780, max_codepoint=0x17FF)
invisible = st.sampled_from("\u200b\u200c\u200d\u2060\ufeff")
khmer_text = st.text(st.one_of(khmer_chars, invisible, st.sampled_from(" abcAB12")), max_size=40)


def test_the_three_spellings_of_woman_give_one_key() -> None:
    keys = {khmer_key(w) for w in WOMAN}
    assert keys == {"\u179f\u17d2\u178f\u17d2\u179a\u17b8"}
    assert len(set(WOMAN)) == 3  # the input strings really differ


def test_invisible_characters_and_doubled_coengs_are_folded() -> None:
    assert khmer_key("ស\u200b្ត\u200c្រី") == khmer_key("ស្ត្រី")
    assert khmer_key("ស្្ត្រី") == khmer_key("ស្ត្រី")
    assert khmer_key("សា\u17b6") == khmer_key("សា")  # a vowel typed twice


def test_look_alike_spellings_share_a_key() -> None:
    assert khmer_key("កណ្តាល") == khmer_key("កណ្ដាល")  # subscript TA / DA
    assert khmer_key("ក\u17c1\u17b8") == khmer_key("កើ")  # split vowel
    assert khmer_key("ក\u17c1\u17b6") == khmer_key("កោ")
    assert khmer_key("ស\u17bb\u17b8") == khmer_key("ស៊ី")  # U under an above vowel: TRIISAP
    assert khmer_key("ម\u17bb\u17b8") == khmer_key("ម៉ី")  # series 2: MUUSIKATOAN


def test_digits_case_and_spaces() -> None:
    assert khmer_key("  ABC  ១២៣\n x ") == "abc 123 x"
    assert ascii_digits("០១២៣៤៥៦៧៨៩ ๑ ١") == "0123456789 1 1"
    assert khmer_digits("2026-12-06") == "២០២៦-១២-០៦"
    assert identifier_key("ab៣៤-៥ ６") == "AB3456"


@example("អ\u17be\u17b6")  # a split vowel before another vowel: settles on a second pass
@given(khmer_text)
def test_the_key_is_idempotent(text: str) -> None:
    key = khmer_key(text)
    assert khmer_key(key) == key


@given(khmer_text)
def test_the_key_leaves_its_input_alone(text: str) -> None:
    typed = text.encode()
    khmer_key(text)
    assert text.encode() == typed


@given(khmer_text)
def test_clusters_cover_the_text(text: str) -> None:
    assert "".join(clusters(text)) == text


@given(st.text(khmer_chars, max_size=30))
def test_the_key_agrees_with_sils_normaliser(text: str) -> None:
    """Whatever the order a text was typed in, SIL's khnormal and the key agree on which
    spellings are the same: the key of khnormal's output is the key of the input."""
    assert khmer_key(khnormal(text)) == khmer_key(text)


def _parts(cluster: str) -> list[str]:
    parts, i = [], 1
    while i < len(cluster):
        step = 2 if cluster[i] == "\u17d2" and i + 1 < len(cluster) else 1
        parts.append(cluster[i : i + step])
        i += step
    return parts


def test_every_typing_order_of_the_vocabulary_gives_the_canonical_spelling() -> None:
    checked = 0
    for word in VOCABULARY:
        for cluster in clusters(word):
            for order in set(itertools.permutations(_parts(cluster))):
                typed = cluster[0] + "".join(order)
                assert canonical_khmer(typed) == khnormal(typed) == khnormal(cluster), typed
                checked += 1
    assert checked > 200
