"""The one-word commands people send on a message channel, in Khmer, Latin letters and
the Romanized spellings Khmer speakers type on a Latin keyboard, compared as canonical
keys (any case, any Khmer spelling order, Khmer or Latin digits).

The opt-out and opt-in words are the full sets Twilio documents for SMS (a carrier acts on
them too): an opt-out word alone in a message always stops our messages, even from a
number we have never seen; an opt-in word lifts it. None of them ever opens a case.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from grievance.khmer import khmer_key

STATUS = ("STATUS", "ស្ថានភាព", "STHANAPHEAP", "STHANAPHAP", "STANAPHEAP", "SATHANAPHEAP")
STOP = (
    "STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "OPTOUT", "REVOKE",
    "ឈប់", "CHHOB", "CHHOP", "CHOB", "CHOP", "CHHUP",
)  # fmt: skip
START = ("START", "UNSTOP", "YES", "OPTIN", "ចាប់ផ្តើម", "CHABPHDAM", "CHAP PHDAM")
HELP = ("HELP", "INFO", "ជំនួយ", "CHUMNUOY", "JUMNUOY")
WORDS = {"status": STATUS, "stop": STOP, "start": START, "help": HELP}


@dataclass(frozen=True)
class Command:
    name: str  # status | stop | start | help
    rest: str  # what follows the word (STATUS <reference> [secret])


@cache
def _index() -> dict[str, str]:
    return {khmer_key(word): name for name, words in WORDS.items() for word in words}


def command(text: str) -> Command | None:
    """The command a message is, if any. STATUS takes what follows it; the others count
    only as a message of one word (so "please stop the employer..." is a complaint)."""
    stripped = text.strip()
    if not stripped:
        return None
    whole = _index().get(khmer_key(stripped))
    if whole is not None:
        return Command(whole, "")
    first, _, rest = stripped.partition(" ")
    if _index().get(khmer_key(first)) == "status":
        return Command("status", rest.strip())
    return None
