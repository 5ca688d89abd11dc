"""One canonical spelling of Khmer text, for comparing what people typed.

Khmer is encoded in logical order, but keyboards and fonts let the same visible cluster be
typed in several orders: `ស្ត្រី`, `ស្រ្តី` and `ស្រី្ត` ("woman") all render alike. Following
the character order of the SIL/Unicode Khmer character specification (section 7.2,
"Base ({Coeng} | [Robat]) [RegShift] [Z] [Vowel] [Tail]"), each orthographic cluster is
rewritten with its parts in that order:

    base, robat, subscripts (coeng + consonant, coeng RO last), register shifter,
    vowel (pre-, below-, above-, post-base parts), above signs, post signs (ះ ៈ)

and then folded where two spellings look the same: invisible joiners and zero-width spaces
dropped, repeated marks and doubled coengs kept once, split vowels joined (េ + ី -> ើ,
េ + ា -> ោ), subscript DA written as subscript TA (identical in every common font), the
vowel U typed for a register shifter held under an above vowel turned into that shifter,
and the deprecated characters U+17A3, U+17A4, U+17B4, U+17B5 replaced or dropped.

The result is a comparison key, never shown or stored in place of what was typed.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

COENG = "\u17d2"
RO = "\u179a"
DA, TA = "\u178a", "\u178f"
BA = "\u1794"
U = "\u17bb"
TRIISAP, MUUSIKATOAN = "\u17ca", "\u17c9"

# Characters that change nothing visible between two letters of one word.
INVISIBLE = frozenset(
    "\u00ad\u034f\u180e\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff"
    "\u17b4\u17b5"  # Khmer inherent vowels: deprecated, invisible
)
_DEPRECATED = {"\u17a3": "\u17a2", "\u17a4": "\u17a2\u17b6"}

# Rank of each part inside a cluster (lower first); the base itself is not ranked.
ROBAT, SUB, SUB_RO, SHIFT, V_PRE, V_BELOW, V_ABOVE, V_POST, SIGN, POST_SIGN = range(1, 11)


def _rank(char: str) -> int | None:
    """The rank of a combining Khmer character, or None if it does not combine."""
    o = ord(char)
    if o == 0x17CC:
        return ROBAT
    if o in (0x17C9, 0x17CA):
        return SHIFT
    if 0x17BE <= o <= 0x17C5:
        return V_PRE  # pre-base and split vowels (ើ ឿ ៀ េ ែ ៃ ោ ៅ)
    if 0x17BB <= o <= 0x17BD:
        return V_BELOW
    if 0x17B7 <= o <= 0x17BA:
        return V_ABOVE
    if o == 0x17B6:
        return V_POST
    if o in (0x17C7, 0x17C8):
        return POST_SIGN
    if o == 0x17C6 or o == 0x17CB or 0x17CD <= o <= 0x17D1 or o in (0x17D3, 0x17DD):
        return SIGN
    return None


def is_base(char: str) -> bool:
    """A consonant, an independent vowel, or the dotted circle that stands in for one."""
    o = ord(char)
    return 0x1780 <= o <= 0x17A2 or 0x17A5 <= o <= 0x17B3 or o == 0x25CC


# Series-1 consonants (their inherent vowel is -ɑɑ): they take the TRIISAP to change series.
_SERIES_1 = frozenset(
    "\u1780\u1781\u1782\u1783\u1785\u1786\u1787\u1788\u178a\u178b\u178c\u178d"
    "\u178f\u1790\u1791\u1792\u1795\u1796\u1797\u179e\u179f\u17a0\u17a2"
)
_ABOVE = frozenset("\u17b7\u17b8\u17b9\u17ba\u17be\u17bf\u17d0\u17dd")

_VOWEL_FOLDS = (
    (re.compile("\u17be\u17b6"), "\u17c4\u17b8"),  # ើ + ា looks like ោ + ី
    (re.compile("\u17c1([\u17bb-\u17bd]?)\u17b8"), "\u17be\\1"),  # េ + ី -> ើ
    (re.compile("\u17c1([\u17bb-\u17bd]?)\u17b6"), "\u17c4\\1"),  # េ + ា -> ោ
)


def _cluster(base: str, parts: list[tuple[int, str]]) -> str:
    """One cluster: its base and its (rank, text) parts, in typed order."""
    parts = sorted(parts, key=lambda part: part[0])  # stable: typed order within a rank
    kept: list[tuple[int, str]] = []
    for part in parts:
        if kept and kept[-1] == part:
            continue  # a mark or a subscript typed twice
        kept.append(part)
    texts = [text for _rank, text in kept]
    ranks = {rank for rank, _text in kept}
    if U in texts and SHIFT not in ranks and any(t in _ABOVE for t in texts):
        texts[texts.index(U)] = _shifter_for(base, texts)
        texts.sort(key=lambda t: SHIFT if t in (TRIISAP, MUUSIKATOAN) else _part_rank(t))
    marks = "".join(texts)
    for pattern, replacement in _VOWEL_FOLDS:
        marks = pattern.sub(replacement, marks)
    return base + marks


def _part_rank(text: str) -> int:
    if text.startswith(COENG):
        return SUB_RO if text == COENG + RO else SUB
    return _rank(text) or SIGN


def _shifter_for(base: str, texts: list[str]) -> str:
    """The shifter the vowel U stood for: TRIISAP over a cluster of series-1 letters without
    BA, MUUSIKATOAN over series 2 or BA (as the specification's normaliser decides)."""
    letters = [base] + [t[1:] for t in texts if t.startswith(COENG) and len(t) == 2]
    if BA not in letters and any(letter in _SERIES_1 for letter in letters):
        return TRIISAP
    return MUUSIKATOAN


def canonical_khmer(text: str) -> str:
    """`text` with every Khmer cluster in canonical order and invisible characters removed.
    Everything else (Latin, digits, spaces, punctuation) is left as it is."""
    flat = unicodedata.normalize("NFC", text).translate(_FOLD)
    return "".join([_canonical_cluster(c) for c in clusters(flat)])


_FOLD: dict[int, str | None] = {ord(c): None for c in INVISIBLE}
_FOLD.update({ord(k): v for k, v in _DEPRECATED.items()})


@lru_cache(maxsize=100_000)
def _canonical_cluster(cluster: str) -> str:
    """One cluster (see `clusters`) in canonical order; clusters repeat, so each is worked
    out once."""
    if len(cluster) == 1 or not is_base(cluster[0]):
        return cluster
    parts: list[tuple[int, str]] = []
    i, n = 1, len(cluster)
    while i < n:
        c = cluster[i]
        if c == COENG:
            follower = cluster[i + 1] if i + 1 < n else ""
            if follower == COENG:
                i += 1  # a doubled coeng: keep one
                continue
            if follower and is_base(follower):
                letter = TA if follower == DA else follower
                parts.append((SUB_RO if letter == RO else SUB, COENG + letter))
                i += 2
                continue
            parts.append((SUB_RO, COENG))  # a dangling coeng, kept last of the subscripts
            i += 1
            continue
        parts.append((_rank(c) or SIGN, c))
        i += 1
    return _cluster(cluster[0], parts)


_BASES = "\u1780-\u17a2\u17a5-\u17b3\u25cc"
# A base, then subscripts (coeng + base; a coeng alone) and combining marks; else one char.
_CLUSTER = re.compile(f"[{_BASES}](?:\u17d2[{_BASES}]?|[\u17b6-\u17d1\u17d3\u17dd])*|.", re.S)


def clusters(text: str) -> list[str]:
    """`text` cut into orthographic clusters (a base and what attaches to it); any other
    character is a cluster of its own. "".join(clusters(t)) == t."""
    return _CLUSTER.findall(text)
