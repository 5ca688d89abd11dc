"""Khmer words: ICU's dictionary break iterator, on canonical keys.

Khmer is written without spaces between words. ICU (through PyICU) finds word boundaries
with its Khmer dictionary; it is run on the canonical key, so every spelling order of a
word is cut the same way. ICU's longest-match cutting glues frequent neighbours into one
token ("បង់ប្រាក់", pay + money) and, where a string reads two ways, can cut across a word
("ជើងឯក|សារ" for "ជើង|ឯកសារ"). So the terms kept for a text are ICU's words plus every
other word found inside them or across neighbours: each run of Khmer clusters (spaces
ignored) is searched for dictionary words of 2 to MAX_CLUSTERS clusters, and each ICU
token is split where both halves are words. A searched word is found wherever it occurs,
with or without spaces around or inside it; a query is cut by ICU alone.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

import icu

from grievance.khmer.canon import clusters, is_base
from grievance.khmer.keys import khmer_key

MAX_CLUSTERS = 8  # longer dictionary words are found as ICU tokens only
_LETTER = 200  # ICU rule status: UBRK_WORD_LETTER (NUMBER is 100, NONE below 100)
_local = threading.local()


@dataclass(frozen=True)
class Token:
    text: str
    start: int
    end: int
    khmer: bool


def _breaker() -> icu.BreakIterator:
    breaker = getattr(_local, "breaker", None)
    if breaker is None:  # break iterators are not thread-safe: one per thread
        breaker = _local.breaker = icu.BreakIterator.createWordInstance(icu.Locale("km"))
    return breaker


def is_khmer_char(char: str) -> bool:
    return "\u1780" <= char <= "\u17ff" or "\u19e0" <= char <= "\u19ff"


def tokens(key: str) -> list[Token]:
    """ICU's words (letters and numbers, no spaces or punctuation) of a canonical key."""
    if not key.isascii() and max(map(ord, key)) > 0xFFFF:
        # ICU counts UTF-16 units: keep offsets equal to str indices (emoji are no words)
        key = "".join(c if ord(c) <= 0xFFFF else " " for c in key)
    breaker = _breaker()
    breaker.setText(key)
    found = []
    start = breaker.first()
    for end in breaker:
        if breaker.getRuleStatus() >= 100:
            text = key[start:end]
            found.append(Token(text, start, end, is_khmer_char(text[0])))
        start = end
    return found


@lru_cache(maxsize=200_000)
def is_word(key: str) -> bool:
    """ICU reads `key` (a canonical Khmer string) as one word, and the key written twice as
    that word twice. ICU also groups letters it does not know into one token ("មហ៊ុ" out
    of "ក្រុមហ៊ុន"); written twice, such a group is usually cut another way, a dictionary
    word never is. The second reading halves the stray pieces kept in the index."""
    found = tokens(key)
    if len(found) != 1 or found[0].text != key:
        return False
    return [t.text for t in tokens(key + key)] == [key, key]


def _syllable(cluster: str) -> bool:
    """A cluster that can be a word alone: it has a vowel sign or a subscript (ស្ត្រី, ដៃ),
    unlike a bare final letter (the ង់ of បង់)."""
    return any("\u17b6" <= c <= "\u17c5" or c == "\u17d2" for c in cluster)


def split_in_two(word: str) -> tuple[str, str] | None:
    """The first cut of a Khmer token into two words, longest first half first. A half of
    one cluster counts only if it is a syllable: ICU takes any single cluster for a word."""
    parts = clusters(word)
    for cut in range(len(parts) - 1, 0, -1):
        left, right = parts[:cut], parts[cut:]
        if any(len(half) == 1 and not _syllable(half[0]) for half in (left, right)):
            continue
        if is_word("".join(left)) and is_word("".join(right)):
            return "".join(left), "".join(right)
    return None


def words(text: str) -> list[str]:
    """The words of a text as typed, as keys, in order (ICU's tokens): what a query asks."""
    return [t.text for t in tokens(khmer_key(text.replace("\u200b", " ")))]


def _khmer_runs(key: str) -> Iterator[list[str]]:
    """Runs of Khmer clusters; a space between two Khmer clusters does not end a run, as
    writers put spaces between phrases, or inside a compound, at will."""
    run: list[str] = []
    for cluster in clusters(key):
        if is_base(cluster[0]) and is_khmer_char(cluster[0]):
            run.append(cluster)
        elif cluster != " ":
            if run:
                yield run
            run = []
    if run:
        yield run


def terms(text: str) -> list[str]:
    """Every term under which a text is found: ICU's words, their halves, and the
    dictionary words of 2 to MAX_CLUSTERS clusters inside each run of Khmer letters
    (spaces inside a run ignored: "បង់ ប្រាក់" is also found as "បង់ប្រាក់").
    Deduplicated, in order of first appearance."""
    key = khmer_key(text.replace("\u200b", " "))
    found: dict[str, None] = {}
    for token in tokens(key):
        found[token.text] = None
        if token.khmer and (halves := split_in_two(token.text)):
            found.update(dict.fromkeys(halves))
    for run in _khmer_runs(key):
        for i in range(len(run)):
            piece = run[i]
            for j in range(i + 1, min(i + MAX_CLUSTERS, len(run))):
                piece += run[j]
                if piece not in found and is_word(piece):
                    found[piece] = None
    return list(found)
