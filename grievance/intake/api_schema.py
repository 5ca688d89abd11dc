"""The partner API's request schema: one object that the OpenAPI document shows
(`grievance.intake.openapi`) and that every request is validated against (`check`), so the
API accepts exactly what its document says, types and nullability included.

Its limits are the intake rules' own (`grievance.intake.submission`); a request that fits
the schema then passes those rules as a `Submission` (the pipeline checks it again).
"""

from __future__ import annotations

from typing import Any

from jsonschema import Draft202012Validator, ValidationError

from grievance.domain import SEXES
from grievance.intake.checks import MAX_AFFECTED, MAX_NARRATIVE, MAX_SHORT
from grievance.intake.submission import LANGUAGES, MAX_EXTERNAL_ID
from grievance.phones import KH_PHONE_PATTERN

# What the API accepts, said in the schema so a partner's validator (and a fuzzer) agree
# with the server: no control characters (tab and line breaks only in the narrative),
# something besides spaces in the narrative, and the Cambodian numbers the phone check
# accepts (grievance.phones.KH_PHONE_PATTERN).
ONE_LINE = "^[^\\x00-\\x1f\\x7f-\\x9f]*$"
NARRATIVE = (
    "^[^\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f]*"
    "[^\\s\\x00-\\x1f\\x7f-\\x9f]"
    "[^\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f]*$"
)


def _one_line(limit: int, nullable: bool = True) -> dict[str, Any]:
    # Optional text may be null or left out: both mean "not given".
    kinds: Any = ["string", "null"] if nullable else "string"
    return {"type": kinds, "maxLength": limit, "pattern": ONE_LINE}


def _codes(codes: list[str] | None, description: str) -> dict[str, Any]:
    """The codes in use now (reference data: an admin may switch a category off)."""
    schema: dict[str, Any] = {"type": "string", "description": description}
    if codes is not None:
        schema["enum"] = sorted(codes)
    return schema


def new_case(categories: list[str] | None, provinces: list[str] | None) -> dict[str, Any]:
    """The body of POST /api/v1/cases (unknown properties are ignored)."""
    return {
        "type": "object",
        "properties": {
            "description": {
                "type": "string",
                "minLength": 1,
                "maxLength": MAX_NARRATIVE,
                "pattern": NARRATIVE,
            },
            "category": _codes(categories, "Category code, e.g. maternity."),
            "province": _codes(provinces, "ISO 3166-2:KH code."),
            "external_id": _one_line(MAX_EXTERNAL_ID),
            "concerned_name": _one_line(MAX_SHORT),
            "affected_count": {"type": "integer", "minimum": 1, "maximum": MAX_AFFECTED},
            "language": {"type": "string", "enum": list(LANGUAGES)},
            "confidential": {"type": "boolean"},
            "prefers_woman_officer": {"type": "boolean"},
            "complainant": {
                "type": ["object", "null"],
                "properties": {
                    "name": _one_line(MAX_SHORT),
                    "phone": {
                        "type": ["string", "null"],
                        "pattern": KH_PHONE_PATTERN,
                        "description": "A Cambodian number, e.g. 012 345 678 or +85512345678.",
                    },
                    "sex": {"type": "string", "enum": sorted(SEXES)},
                    "consent_to_contact": {"type": "boolean"},
                },
            },
        },
        "required": ["description", "category", "province"],
    }


TYPE_WORDS = {
    "string": "a string",
    "integer": "a whole number",
    "boolean": "true or false",
    "object": "an object",
    "null": "null",
}
PATTERN_MESSAGES = {
    "description": "Must contain text, without control characters.",
    "complainant.phone": "Not a Cambodian phone number (e.g. 012 345 678 or +85512345678).",
}
ENUM_MESSAGES = {
    "category": "Unknown category code.",
    "province": "Unknown province code (ISO 3166-2:KH, e.g. KH-12).",
}


def check(payload: Any, schema: dict[str, Any]) -> dict[str, str]:
    """{field: message} for every field the payload gets wrong ("complainant.phone")."""
    problems: dict[str, str] = {}
    for error in Draft202012Validator(schema).iter_errors(payload):
        for name, message in _explain(error):
            problems.setdefault(name, message)
    return problems


def _explain(error: ValidationError) -> list[tuple[str, str]]:
    path = ".".join(str(part) for part in error.absolute_path)
    if error.validator == "required":
        missing = [p for p in error.validator_value if p not in error.instance]
        return [(_join(path, p), "Required.") for p in missing]
    return [(path, _message(path, error))]


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _message(path: str, error: ValidationError) -> str:
    rule, value = error.validator, error.validator_value
    if rule == "type":
        kinds = value if isinstance(value, list) else [value]
        return "Must be " + " or ".join(TYPE_WORDS.get(str(k), str(k)) for k in kinds) + "."
    if rule == "enum":
        return ENUM_MESSAGES.get(path, "One of " + ", ".join(map(str, value)) + ".")
    if rule == "minLength":
        return "Required."
    if rule == "maxLength":
        return f"At most {value} characters."
    if rule in ("minimum", "maximum"):  # affected_count is the one number
        return f"A whole number from 1 to {MAX_AFFECTED}."
    if rule == "pattern":
        return PATTERN_MESSAGES.get(path, "Contains control characters.")
    return "Not valid."
