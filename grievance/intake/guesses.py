"""What a free-text message is about and where, for channels that have no form fields
(SMS, chat). A guess only: the officer confirms it with the complainant.

Decisions: the category whose keywords appear in the message (English or Khmer), else
"other"; the province whose name appears in it, else None (the caller picks a default and
flags it on the timeline).
"""

from __future__ import annotations

from functools import cache

from grievance import reference
from grievance.khmer import khmer_key

# Checked in this order: the most sensitive first, so it is never filed as something milder.
KEYWORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("harassment_retaliation", ("harass", "retaliat", "យាយី", "សងសឹក")),
    ("maternity", ("maternity", "pregnan", "មាតុភាព", "ផ្ទៃពោះ")),
    ("employment_injury", ("injur", "accident", "គ្រោះថ្នាក់")),
    ("pension", ("pension", "សោធន")),
    ("healthcare_quality", ("hospital", "clinic", "health centre", "មន្ទីរពេទ្យ", "គ្លីនិក")),
    ("contributions", ("contribution", "deduct", "វិភាគទាន")),
    ("registration", ("regist", "nssf card", "ចុះបញ្ជី", "ប័ណ្ណ")),
)


@cache
def _keys(words: tuple[str, ...]) -> frozenset[str]:
    return frozenset(khmer_key(w) for w in words)


def guess_category(text: str) -> str:
    """Keywords and message compared as canonical keys (grievance.khmer.khmer_key): a Khmer
    keyword typed in another code-point order, or in capitals, still counts."""
    lowered = khmer_key(text)
    for code, words in KEYWORDS:
        if any(w in lowered for w in _keys(words)):
            return code
    return "other"


def guess_province(text: str) -> str | None:
    lowered = khmer_key(text)
    names = []
    for code, province in reference.current().provinces.items():
        names += [(khmer_key(province.name_en), code), (khmer_key(province.name_km), code)]
    # Longest first: "Preah Sihanouk" before a shorter name it contains.
    for name, code in sorted(names, key=lambda pair: -len(pair[0])):
        if name and name in lowered:
            return code
    return None
