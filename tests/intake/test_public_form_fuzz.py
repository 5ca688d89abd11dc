"""Whatever is typed into the public form, the answer is never a server error."""

from __future__ import annotations

import io

from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grievance.ratelimit import limiter
from tests.intake.helpers import form_token

KHMER = st.characters(min_codepoint=0x1780, max_codepoint=0x17FF)
ANY_TEXT = st.text(alphabet=st.one_of(KHMER, st.characters(codec="utf-8")), max_size=300)
HUGE = st.sampled_from(["x" * 20_000, "ក" * 10_001, "\x00" * 5000])
VALUE = st.one_of(ANY_TEXT, HUGE, st.sampled_from(["", "KH-12", "other", "012 345 678"]))
FIELDS = (
    "description",
    "category",
    "province",
    "concerned_name",
    "name",
    "phone",
    "sex",
    "language",
    "consent_to_contact",
    "confidential",
    "prefers_woman_officer",
    "on_behalf",
    "affected_count",
    "nonce",
)
FILE = st.tuples(st.binary(max_size=200), st.text(st.characters(codec="utf-8"), max_size=40))


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    values=st.dictionaries(st.sampled_from(FIELDS), VALUE),
    files=st.lists(FILE, max_size=2),
    with_token=st.booleans(),
)
def test_public_form_never_answers_500(
    client: FlaskClient,
    values: dict[str, str],
    files: list[tuple[bytes, str]],
    with_token: bool,
) -> None:
    limiter.reset()  # sixty posts from one address would pass the per-client form limit
    data: dict[str, object] = dict(values)
    if with_token:
        data["csrf_token"], _nonce = form_token(client, "/file")
    if files:
        data["evidence"] = [(io.BytesIO(content), name or "f") for content, name in files]
    response = client.post("/file", data=data, content_type="multipart/form-data")
    assert response.status_code < 500, response.get_data(as_text=True)[:1000]
    assert response.status_code in (200, 400)
