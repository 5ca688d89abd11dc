"""The matching words of a found case, marked in what the complainant typed.

The text is shown exactly as typed; it is compared through the same canonical key as the
index, cluster by cluster, so a word typed in another code-point order is still marked.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from markupsafe import Markup, escape

from grievance.khmer import ascii_digits, canonical_khmer, clusters
from grievance.search.query import Word

SNIPPET = 160  # characters around the first match


@lru_cache(maxsize=50_000)
def _unit_key(unit: str) -> str:
    if unit.isspace():
        return " "
    return ascii_digits(unicodedata.normalize("NFKC", canonical_khmer(unit))).casefold()


def marked_units(text: str, parsed: list[Word]) -> tuple[list[str], list[bool]]:
    """The text's clusters and, for each, whether it is part of a matching word."""
    units = clusters(text)
    keys = [_unit_key(u) for u in units]
    starts: dict[int, int] = {}  # key offset -> unit index
    ends: dict[int, int] = {}
    offset = 0
    for i, key in enumerate(keys):
        starts.setdefault(offset, i)
        offset += len(key)
        ends[offset] = i
    joined = "".join(keys)
    marks = [False] * len(units)
    for needle, prefix in ((w.term, w.prefix) for w in parsed):
        at = joined.find(needle)
        while at >= 0:
            first, stop = starts.get(at), at + len(needle)
            boundary = at == 0 or not joined[at - 1].isalnum()
            if first is not None and (not prefix or boundary):
                last = ends.get(stop)
                while prefix and last is not None and last + 1 < len(units):
                    if not keys[last + 1].isalnum():
                        break
                    last += 1  # a Latin word found by its start is marked whole
                if last is not None:
                    for i in range(first, last + 1):
                        marks[i] = True
            at = joined.find(needle, at + 1)
    return units, marks


def _render(units: list[str], marks: list[bool]) -> Markup:
    out: list[str] = []
    start = 0
    for i in range(1, len(units) + 1):
        if i == len(units) or marks[i] != marks[start]:
            piece = str(escape("".join(units[start:i])))
            out.append(f"<mark>{piece}</mark>" if marks[start] else piece)
            start = i
    return Markup("".join(out))  # noqa: S704 - every piece of text was escaped above


def snippet(text: str | None, parsed: list[Word]) -> Markup | None:
    """Up to SNIPPET characters of `text` around its first match, matches marked; None
    when nothing in it matches."""
    if not text or not parsed:
        return None
    units, marks = marked_units(text, parsed)
    if True not in marks:
        return None
    first = marks.index(True)
    before = sum(len(u) for u in units[:first])
    start_char = max(0, before - SNIPPET // 3)
    lo, count = 0, 0
    while lo < len(units) and count + len(units[lo]) <= start_char:
        count += len(units[lo])
        lo += 1
    hi, size = lo, 0
    while hi < len(units) and size < SNIPPET:
        size += len(units[hi])
        hi += 1
    body = _render(units[lo:hi], marks[lo:hi])
    return Markup("{}{}{}").format("… " if lo else "", body, " …" if hi < len(units) else "")
