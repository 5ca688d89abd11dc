"""A typed employer or facility name -> the registry entries it most likely means.

Two keys, one per script: Khmer names compare by `khmer_key` (the same visible name typed
in any cluster order is one key); Latin names by a key without punctuation and company
suffixes ("Co., Ltd."), then by RapidFuzz's token-sort ratio for spellings and typos. One
pass reads the registry's keys once per process (again only when the registry changed)
and compares a name with those of its own script; the same key scores 100. The answer for a
key is kept with the keys it was found in (a case page shown again, a factory named in the
same words by many workers), and goes with them when the registry changes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process
from sqlalchemy import func, select

from grievance.extensions import db
from grievance.khmer import khmer_key
from grievance.systemic.models import RegistryEntry, RegistryName

# Scores out of 100. A suggestion at or above AUTO is linked at filing (the officer still
# confirms it); candidates down to SHOWN are offered to the officer.
AUTO = 90
SHOWN = 70
KEPT_ANSWERS = 2000  # per registry kind, forgotten all at once when full
_SUFFIXES = re.compile(
    r"\b(co|company|ltd|limited|plc|inc|corp|corporation|enterprise|enterprises|"
    r"manufacturing|mfg|group|the)\b"
)
_PUNCT = re.compile(r"[^\w\s]")
_SPACE = re.compile(r"\s+")


def name_key(text: str) -> str:
    """The matching key of a name, in either script."""
    key = _PUNCT.sub(" ", khmer_key(text))
    if key.isascii():
        key = _SUFFIXES.sub(" ", key)
    return _SPACE.sub(" ", key).strip()


@dataclass(frozen=True)
class Candidate:
    entry_id: int
    score: int


@dataclass
class _Keys:
    stamp: object
    # Per script ("latin", "khmer"): each key with its words sorted, so that a plain ratio
    # is the token-sort ratio without sorting 50,000 keys on every call; and its entry.
    keys: dict[str, list[str]]
    entry_ids: dict[str, list[int]]
    answers: dict[tuple[str, int], list[Candidate]] = field(default_factory=dict)


_cache: dict[str, _Keys] = {}


def _script(key: str) -> str:
    return "latin" if key.isascii() else "khmer"


def _sorted_words(key: str) -> str:
    return " ".join(sorted(key.split()))


def _stamp(kind: str) -> object:
    """Changes whenever an entry of `kind` does (entries are deactivated, never deleted):
    one step down the index on updated_at."""
    query = select(func.max(RegistryEntry.updated_at)).where(RegistryEntry.kind == kind)
    return db.session.scalar(query)


def _keys(kind: str) -> _Keys:
    stamp = _stamp(kind)
    cached = _cache.get(kind)
    if cached is None or cached.stamp != stamp:
        rows = db.session.execute(
            select(RegistryName.key, RegistryName.entry_id)
            .join(RegistryEntry, RegistryEntry.id == RegistryName.entry_id)
            .where(RegistryName.kind == kind, RegistryEntry.active.is_(True))
        ).all()
        cached = _Keys(stamp, {"latin": [], "khmer": []}, {"latin": [], "khmer": []})
        for key, entry_id in rows:
            script = _script(key)
            cached.keys[script].append(_sorted_words(key))
            cached.entry_ids[script].append(entry_id)
        _cache[kind] = cached
    return cached


def candidates(name: str, kind: str, limit: int = 5) -> list[Candidate]:
    """The entries of `kind` a typed name may mean, best first (at most `limit`)."""
    key = name_key(name or "")
    if len(key) < 2:
        return []
    keys = _keys(kind)
    kept = keys.answers.get((key, limit))
    if kept is None:
        kept = _fuzzy(keys, key, limit)
        if len(keys.answers) >= KEPT_ANSWERS:
            keys.answers.clear()
        keys.answers[(key, limit)] = kept
    return list(kept)


def _fuzzy(keys: _Keys, key: str, limit: int) -> list[Candidate]:
    # One pass over the keys of the name's script finds the exact key too (ratio 100).
    script = _script(key)
    found: dict[int, int] = {}
    for _match, score, index in process.extract(
        _sorted_words(key),
        keys.keys[script],
        scorer=fuzz.ratio,
        processor=None,
        score_cutoff=SHOWN,
        limit=limit * 2,
    ):
        entry_id = keys.entry_ids[script][index]
        found[entry_id] = max(found.get(entry_id, 0), int(score))
    ranked = sorted(found.items(), key=lambda item: (-item[1], item[0]))
    return [Candidate(entry_id, score) for entry_id, score in ranked[:limit]]


def best(name: str, kind: str) -> Candidate | None:
    """The one entry a name surely means (score at least AUTO), or None."""
    found = candidates(name, kind, limit=2)
    if not found or found[0].score < AUTO:
        return None
    if len(found) > 1 and found[1].score == found[0].score:
        return None  # two entries equally likely: the officer decides
    return found[0]
