"""Message texts, one catalogue file per language (notifications/messages.<lang>.json).

Messages are rendered in the recipient's language, often in a background job with no
request, so they are kept as explicit per-language texts rather than request-bound gettext.
To add a template: add the same key with the parts its channels need (see rules.PARTS) to
every language file; tests check that each file has every part the rules require and that
every SMS fits in two segments.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

DIRECTORY = Path(__file__).parent
LANGUAGES = ("km", "en")
FALLBACK = "km"


class MissingMessage(LookupError):
    pass


@cache
def catalogue(language: str) -> dict[str, dict[str, str]]:
    path = DIRECTORY / f"messages.{language if language in LANGUAGES else FALLBACK}.json"
    data: dict[str, dict[str, str]] = json.loads(path.read_text(encoding="utf-8"))
    return data


def has(template: str, part: str, language: str) -> bool:
    return part in catalogue(language).get(template, {})


BY_REPRESENTATIVE = "_by_representative"


def text(template: str, part: str, language: str, **values: Any) -> str:
    """One part ("sms", "title", "text") of a template, filled with `values`. A step a
    representative took for the member (`by` in the context) is told as the
    representative's when the template has such a part."""
    if values.get("by") == "representative" and has(template, part + BY_REPRESENTATIVE, language):
        part += BY_REPRESENTATIVE
    try:
        raw = catalogue(language)[template][part]
    except KeyError:
        raise MissingMessage(f"{language}:{template}:{part}") from None
    return raw.format_map(values)


def needs(template: str, part: str, name: str, language: str = FALLBACK) -> bool:
    """Whether a part uses a placeholder (e.g. the filed SMS and {secret})."""
    return has(template, part, language) and "{" + name + "}" in catalogue(language)[template][part]
