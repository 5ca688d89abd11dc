"""The OpenAPI 3.1 description of the partner API, served at /api/openapi.json.

Answer schemas are closed (no undocumented properties), and tests validate real answers
against them; the request schema is the one requests are validated with
(`grievance.intake.api_schema`), so the document cannot drift from the code.
"""

from __future__ import annotations

from typing import Any

from grievance.domain import CHANNELS, CONFIDENTIALITY, KINDS
from grievance.intake import api_schema
from grievance.intake.api_schema import ONE_LINE
from grievance.intake.partners import COUNT_CAP, MAX_PAGE, MAX_PER_PAGE
from workflows import ALL_STATES

REF = {"type": "string", "pattern": "^[0-9A-Z]{4}-[0-9A-Z]{4}$"}
TIME = {"type": "string", "format": "date-time"}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _case_properties() -> dict[str, Any]:
    return {
        "reference": {**REF, "description": "Public tracking reference."},
        "external_id": {"type": ["string", "null"], "maxLength": 100},
        "kind": {"type": "string", "enum": sorted(KINDS)},
        "state": {"type": "string", "enum": sorted(ALL_STATES)},
        "status": {
            "type": "object",
            "description": "The state in plain words, in English and Khmer.",
            "properties": {"en": {"type": "string"}, "km": {"type": "string"}},
            "required": ["en", "km"],
            "additionalProperties": False,
        },
        "category": {"type": "string"},
        "province": {"type": "string", "description": "ISO 3166-2:KH code, e.g. KH-12."},
        "channel": {"type": "string", "enum": sorted(CHANNELS)},
        "affected_count": {"type": "integer", "minimum": 1},
        "confidentiality": {"type": "string", "enum": sorted(CONFIDENTIALITY)},
        "created_at": TIME,
        "updated_at": TIME,
    }


def schemas(
    categories: list[str] | None = None, provinces: list[str] | None = None
) -> dict[str, Any]:
    case_props = _case_properties()
    return {
        "Case": {
            "type": "object",
            "properties": case_props,
            "required": sorted(case_props),
            "additionalProperties": False,
        },
        "CaseCreated": {
            "type": "object",
            "properties": {
                **case_props,
                "secret": {
                    "type": "string",
                    "description": "Tracking secret. Returned only here (and to a retry with "
                    "the same Idempotency-Key): give it to the complainant, do not store it.",
                },
            },
            "required": [*sorted(case_props), "secret"],
            "additionalProperties": False,
        },
        "NewCase": api_schema.new_case(categories, provinces),
        "CaseList": {
            "type": "object",
            "properties": {
                "items": {"type": "array", "items": _ref("Case")},
                "page": {"type": "integer", "minimum": 1},
                "per_page": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
                "total": {
                    "type": "integer",
                    "minimum": 0,
                    "description": f"Cases matching the filters, counted up to {COUNT_CAP}.",
                },
                "total_capped": {
                    "type": "boolean",
                    "description": f"True when more than {COUNT_CAP} match (total is then "
                    f"{COUNT_CAP}: at least that many).",
                },
                "next_cursor": {
                    "type": ["string", "null"],
                    "description": "Pass as `cursor` for the next page; null on the last page.",
                },
            },
            "required": ["items", "page", "per_page", "total", "total_capped", "next_cursor"],
            "additionalProperties": False,
        },
        "Error": {
            "type": "object",
            "properties": {
                "error": {"type": "string"},
                "message": {"type": "string"},
                "fields": {"type": "object", "additionalProperties": {"type": "string"}},
            },
            "required": ["error", "message"],
            "additionalProperties": False,
        },
    }


def _errors(*codes: int) -> dict[str, Any]:
    text = {
        400: "Bad request (not JSON, or a bad Idempotency-Key).",
        401: "Missing or unknown partner token.",
        404: "No such case among this partner's cases.",
        409: "A request with this Idempotency-Key is still being processed.",
        422: "Invalid fields, or an Idempotency-Key reused with a different body.",
        429: "Too many requests with this token; wait for the seconds in Retry-After.",
        503: "The database was unavailable; nothing was saved. Try again (Retry-After).",
    }
    return {str(c): _json(_ref("Error"), text[c]) for c in codes}


def _query(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": schema,
        "description": description,
    }


def paths() -> dict[str, Any]:
    idem = {
        "name": "Idempotency-Key",
        "in": "header",
        "required": False,
        "schema": {"type": "string", "pattern": "^[\\x20-\\x7e]{1,255}$"},
        "description": "Makes retries safe: the same key and body return the first answer.",
    }
    return {
        "/api/v1/cases": {
            "post": {
                "operationId": "createCase",
                "summary": "File a case",
                "parameters": [idem],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": _ref("NewCase")}},
                },
                "responses": {
                    "201": _json(_ref("CaseCreated"), "Filed."),
                    **_errors(400, 401, 409, 422, 429, 503),
                },
            },
            "get": {
                "operationId": "listCases",
                "summary": "List the cases this partner filed, newest first",
                "parameters": [
                    _query(
                        "state",
                        {"type": "string", "enum": sorted(ALL_STATES)},
                        "Only cases in this state.",
                    ),
                    _query("category", {"type": "string", "pattern": ONE_LINE}, "Category code."),
                    _query(
                        "province", {"type": "string", "pattern": ONE_LINE}, "ISO 3166-2:KH code."
                    ),
                    _query("since", TIME, "Only cases changed at or after this time."),
                    _query(
                        "page",
                        {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1},
                        f"Page number, for the first {MAX_PAGE} pages; further, use cursor.",
                    ),
                    _query(
                        "cursor",
                        {"type": "string", "pattern": "^[0-9]{1,18}$"},
                        "The next_cursor of the previous page: pages that stay fast and "
                        "consistent however many cases there are (page is then ignored).",
                    ),
                    _query(
                        "per_page",
                        {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE, "default": 20},
                        "Page size.",
                    ),
                ],
                "responses": {
                    "200": _json(_ref("CaseList"), "One page of cases."),
                    **_errors(401, 422, 429, 503),
                },
            },
        },
        "/api/v1/cases/{reference}": {
            "get": {
                "operationId": "getCase",
                "summary": "Read one case this partner filed",
                "parameters": [
                    {
                        "name": "reference",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string"},
                    }
                ],
                "responses": {
                    "200": _json(_ref("Case"), "The case."),
                    **_errors(401, 404, 429, 503),
                },
            }
        },
        "/api/openapi.json": {
            "get": {
                "operationId": "openapi",
                "summary": "This document",
                "security": [],
                "responses": {
                    "200": {
                        "description": "OpenAPI 3.1 document.",
                        "content": {"application/json": {}},
                    }
                },
            }
        },
    }


def spec(categories: list[str] | None = None, provinces: list[str] | None = None) -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Samleng partner API",
            "version": "1.0.0",
            "description": "File and follow grievance cases from partner systems. "
            "Only the cases a partner filed are visible to it.",
        },
        "servers": [{"url": "/"}],
        "security": [{"bearerAuth": []}],
        "paths": paths(),
        "components": {
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
            "schemas": schemas(categories, provinces),
        },
    }
