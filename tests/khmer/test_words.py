"""Words and index terms from ICU's Khmer dictionary, on canonical keys."""

from __future__ import annotations

from grievance.khmer import is_word, split_in_two, terms, words
from tests.khmer.corpus import VOCABULARY, sentences, spellings


def test_icu_reads_each_vocabulary_word_as_one_word() -> None:
    for word in VOCABULARY:
        assert len(words(word)) == 1, word


def test_every_spelling_of_a_word_gives_the_same_words() -> None:
    for word in VOCABULARY:
        assert {tuple(words(typed)) for typed in spellings(word)} == {tuple(words(word))}


def test_words_split_on_spaces_zero_width_spaces_and_punctuation() -> None:
    assert words("ស្ត្រី\u200bកម្មករ, Factory A-12 ១២៣") == [
        "ស្ត្រី",
        "កម្មករ",
        "factory",
        "a",
        "12",
        "123",
    ]


def test_glued_neighbours_are_split_and_cut_words_rejoined() -> None:
    assert split_in_two("បង់ប្រាក់") == ("បង់", "ប្រាក់")
    assert {"បង់", "ប្រាក់", "បង់ប្រាក់"} <= set(terms("ខ្ញុំមិនបានបង់ប្រាក់"))
    # ICU cuts "ជើងឯក|សារ"; the word ឯកសារ is still a term of the text.
    assert "ឯកសារ" in terms("ជើងឯកសារ")
    assert is_word("ឯកសារ")


def test_the_terms_of_each_fixture_sentence_hold_its_words() -> None:
    for sentence in sentences():
        found = set(terms(sentence.text))
        for word in sentence.words:
            assert set(words(word)) <= found, (word, sentence.text)


def test_terms_are_pieces_of_the_text_and_survive_emoji() -> None:
    assert terms("😀 ស្ត្រី 😀 abc")[:2] == ["ស្ត្រី", "abc"]
