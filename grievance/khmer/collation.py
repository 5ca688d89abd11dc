"""Lists in the reader's order: ICU's collator for Khmer (CLDR's Khmer tailoring) or
English, so provinces, categories, names and employers sort as a reader expects rather
than by code or by code point."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import TypeVar

import icu

from grievance.khmer.canon import canonical_khmer

T = TypeVar("T")
_local = threading.local()


def _collator(lang: str) -> icu.Collator:
    cache: dict[str, icu.Collator] = getattr(_local, "collators", None) or {}
    _local.collators = cache
    if lang not in cache:  # collators are not thread-safe: one per thread and language
        collator = icu.Collator.createInstance(icu.Locale("km" if lang == "km" else "en"))
        collator.setStrength(icu.Collator.SECONDARY)  # case does not separate names
        collator.setAttribute(icu.UCollAttribute.NUMERIC_COLLATION, icu.UCollAttributeValue.ON)
        cache[lang] = collator
    return cache[lang]


def sort_key(lang: str) -> Callable[[str], bytes]:
    """A key function: sorted(names, key=sort_key("km")). Khmer spelled in another order
    sorts where its canonical spelling does."""
    collator = _collator(lang)
    return lambda text: bytes(collator.getSortKey(canonical_khmer(text or "")))


def sorted_by(items: Iterable[T], name: Callable[[T], str], lang: str) -> list[T]:
    key = sort_key(lang)
    return sorted(items, key=lambda item: key(name(item)))


def sorted_choices(
    pairs: Iterable[tuple[str, str]], lang: str, last: Iterable[str] = ()
) -> list[tuple[str, str]]:
    """(value, label) choices in the reader's order of the labels; the values in `last`
    (such as "other") go at the end."""
    key, at_end = sort_key(lang), set(last)
    return sorted(pairs, key=lambda pair: (pair[0] in at_end, key(pair[1])))
