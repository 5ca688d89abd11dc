"""A fixture of Khmer sentences with known words: words about NSSF complaints, each typed in
several code-point orders, run together without spaces (as Khmer is written).

`sentences()` gives 240 sentences and the words each was made of. A sentence is kept only
if no other vocabulary word shows up in it by accident (across two neighbours), so "the
sentences containing a word" are exactly those it was put into.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass

from grievance.khmer import canonical_khmer, clusters

_WORDS = """
    ស្ត្រី បុរស កម្មករ កម្មការិនី រោងចក្រ ក្រុមហ៊ុន និយោជក វិភាគទាន ប័ណ្ណ សមាជិក
    មន្ទីរពេទ្យ គ្លីនិក គ្រោះថ្នាក់ ការងារ មាតុភាព ផ្ទៃពោះ សំណង សោធន ចុះបញ្ជី បង់
    ពិការ ឈឺ ព្យាបាល ថ្នាំ គ្រូពេទ្យ ឆ្មប សន្តិសុខ សង្គម ខេត្ត ភ្នំពេញ
    កណ្ដាល តាកែវ កាត់ដេរ ស្បែកជើង សំណង់ ម៉ោង ប្រធាន ឆ្នាំ ថ្ងៃ ច្បាប់
    បណ្ដេញ រំលោភ យាយី សងសឹក ដឹកជញ្ជូន ផ្លូវ ធ្លាក់ ដៃ ភ្នែក សុខភាព
    ធានារ៉ាប់រង កូន ប្ដី ប្រពន្ធ ម្ដាយ គ្រួសារ ទូរស័ព្ទ ឯកសារ លិខិត ការិយាល័យ
    ប្រាក់ សាកសួរ ជំងឺ បញ្ហា ស៊ីម៉ងត៍ ប៊ូតុង
    """
VOCABULARY = tuple(_WORDS.split())
SENTENCES = 240


@dataclass(frozen=True)
class Sentence:
    text: str
    words: frozenset[str]  # canonical spellings of the words it was made of


def _parts(cluster: str) -> list[str]:
    parts, i = [], 1
    while i < len(cluster):
        step = 2 if cluster[i] == "\u17d2" and i + 1 < len(cluster) else 1
        parts.append(cluster[i : i + step])
        i += step
    return parts


def spellings(word: str) -> list[str]:
    """The word as typed in every order of each cluster's parts (the first is canonical)."""
    options = []
    for cluster in clusters(word):
        orders = sorted({cluster[0] + "".join(p) for p in itertools.permutations(_parts(cluster))})
        orders.remove(cluster)
        options.append([cluster, *orders[:3]])
    variants = ["".join(choice) for choice in itertools.product(*options)]
    return variants[:6]


def _contains(text: str, word: str) -> bool:
    """`word` occurs in `text` on cluster boundaries (both canonical)."""
    hay, needle = clusters(text), clusters(word)
    n = len(needle)
    return any(hay[i : i + n] == needle for i in range(len(hay) - n + 1))


def sentences(seed: int = 24) -> list[Sentence]:
    rng = random.Random(seed)
    canon = [canonical_khmer(w) for w in VOCABULARY]
    for a, b in itertools.permutations(canon, 2):
        assert not _contains(b, a), f"{a} is part of {b}"
    made: list[Sentence] = []
    while len(made) < SENTENCES:
        chosen = rng.sample(canon, rng.randint(3, 7))
        text = "".join(rng.choice(spellings(w)) for w in chosen)
        plain = canonical_khmer(text)
        if any(_contains(plain, w) for w in canon if w not in chosen):
            continue
        made.append(Sentence(text, frozenset(chosen)))
    return made
