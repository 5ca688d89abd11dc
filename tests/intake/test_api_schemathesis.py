"""Schemathesis against the partner API's own document, in-process (WSGI), with a real
partner token: per operation, 200 generated valid requests and 200 invalid ones. The API
must never answer 5xx, and every answer must match the document (status code, content
type, body schema, headers) and Schemathesis's checks (valid data accepted, invalid data
refused).

(Schemathesis's pytest plugin, `from_fixture`, does not run on pytest 9 yet: the
operations are driven here with `APIOperation.as_strategy` and Hypothesis directly.)"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.core.parameters import ParameterLocation

from grievance.extensions import db
from grievance.intake.partners import create_partner
from grievance.ratelimit import limiter

EXAMPLES = 200
OPERATIONS = (  # the document's own GET /api/openapi.json takes no input to generate
    ("POST", "/api/v1/cases"),
    ("GET", "/api/v1/cases"),
    ("GET", "/api/v1/cases/{reference}"),
)


@pytest.fixture
def api_schema(app: Flask) -> Iterator[schemathesis.BaseSchema]:
    # 400 requests from one token would pass the per-partner limit (tested in
    # tests/security/test_rate_limits.py); here every answer must be the API's own.
    enabled, limiter.enabled = limiter.enabled, False
    try:
        yield schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    finally:
        limiter.enabled = enabled


def test_the_document_lists_exactly_these_operations(api_schema: schemathesis.BaseSchema) -> None:
    found = {(op.ok().method.upper(), op.ok().path) for op in api_schema.get_all_operations()}
    assert found == set(OPERATIONS)


@pytest.mark.parametrize("mode", list(GenerationMode), ids=lambda m: m.value)
@pytest.mark.parametrize("method,path", OPERATIONS)
def test_the_api_matches_its_document_and_never_fails(
    api_schema: schemathesis.BaseSchema, method: str, path: str, mode: GenerationMode
) -> None:
    _partner, token = create_partner("schemathesis")
    db.session.flush()
    operations = {
        (op.ok().method.upper(), op.ok().path): op.ok() for op in api_schema.get_all_operations()
    }
    operation = operations[(method, path)]
    seen: list[int] = []
    auth = {"Authorization": f"Bearer {token}"}

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case: schemathesis.Case) -> None:
        key = (case.headers or {}).get("Idempotency-Key")
        if key is not None and mode is GenerationMode.POSITIVE:
            # Generated keys repeat across examples with other bodies, which the API rightly
            # refuses (422, tests/intake/test_api.py): one key per example here.
            case.headers["Idempotency-Key"] = f"{key[:240]}~{len(seen)}"
        # Given as the caller's own credentials: Schemathesis then also probes the same
        # request without them and with a wrong token, and expects a refusal. Unless the
        # headers were made invalid on purpose (the token left out): then none is added.
        # The WSGI transport does not undo a Content-Encoding as an HTTP client would.
        case.headers = {**(case.headers or {}), "Accept-Encoding": "identity"}
        negative_headers = case.meta is not None and case.meta.is_negative_at(
            ParameterLocation.HEADER
        )
        try:
            response = case.call_and_validate(headers=None if negative_headers else auth)
        finally:
            seen.append(0)
        assert response.status_code < 500, response.text[:1000]

    run()
    assert len(seen) >= EXAMPLES / 2  # Hypothesis ran it, not just a handful of times
