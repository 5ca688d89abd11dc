"""Khmer text done once: canonical keys, words, digits and collation.

- `khmer_key(text)`: the comparison key of free text (canonical Khmer cluster order, no
  invisible characters, ASCII digits, case folded). Store what was typed; compare keys.
- `identifier_key(text)`: references, secrets, phone and NSSF numbers typed in any digits.
- `words(text)`: the words of a query (ICU's Khmer dictionary, on the key).
- `terms(text)`: everything a text is found under in the search index.
- `ascii_digits`, `khmer_digits`: digits from one script to the other.
- `sort_key(lang)`: a collator's sort key for the reader's language.
"""

from grievance.khmer.canon import canonical_khmer, clusters
from grievance.khmer.collation import sort_key, sorted_by, sorted_choices
from grievance.khmer.keys import KEY_VERSION, ascii_digits, identifier_key, khmer_digits, khmer_key
from grievance.khmer.words import is_word, split_in_two, terms, words

__all__ = [
    "KEY_VERSION",
    "ascii_digits",
    "canonical_khmer",
    "clusters",
    "identifier_key",
    "is_word",
    "khmer_digits",
    "khmer_key",
    "sort_key",
    "sorted_by",
    "sorted_choices",
    "split_in_two",
    "terms",
    "words",
]
