"""Finding a case with its reference and secret: one neutral answer for every failure."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from grievance.khmer import khmer_digits
from grievance.ratelimit import limiter
from grievance.types import utcnow
from tests.conftest import csrf_from
from tests.factories import swapped
from tests.tracking.helpers import lookup, new_case, open_case

NEUTRAL = "We could not find a case with this reference and secret."


def test_right_reference_and_secret_open_the_case(client: FlaskClient) -> None:
    filed = new_case()
    response = lookup(client, filed.case.reference, filed.secret)
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/track/case")
    page = client.get("/track/case?lang=en").get_data(as_text=True)
    assert filed.case.reference in page
    assert "Received" in page
    assert "Contributions not paid or wrongly deducted" in page


def test_wrong_secret_and_unknown_reference_get_the_same_answer(client: FlaskClient) -> None:
    filed = new_case()
    other = new_case()
    wrong_secret = lookup(client, filed.case.reference, other.secret)
    # A well-formed reference (valid check character) that no case has.
    unknown = lookup(client, "2222-2222", filed.secret)
    malformed = lookup(client, "no such thing", filed.secret)
    bodies = []
    for response in (wrong_secret, unknown, malformed):
        assert response.status_code == 200
        body = response.get_data(as_text=True)
        assert NEUTRAL in body
        assert "/track/case" not in body or "Go back to the case" not in body
        bodies.append(body.replace(filed.case.reference, "REF").replace("2222-2222", "REF"))
    # Apart from the echoed reference and the CSRF token, the pages are identical.
    strip = [b.replace(csrf_from(b), "TOKEN") for b in bodies]
    assert strip[0] == strip[1]
    assert client.get("/track/case").status_code == 303  # nothing was opened


def test_reference_and_secret_typed_loosely(client: FlaskClient) -> None:
    filed = new_case()
    ref = filed.case.reference.lower().replace("-", " ")
    secret = " " + filed.secret.lower().replace("-", " ") + " "
    assert lookup(client, f"  {ref} ", secret).status_code == 303


def test_missing_fields_are_marked_beside_them(client: FlaskClient) -> None:
    response = lookup(client, "", "")
    page = response.get_data(as_text=True)
    assert "Please type your tracking reference." in page
    assert "Please type your secret." in page
    assert 'aria-invalid="true"' in page


def test_secret_never_appears_in_a_url_or_a_page_after_the_lookup(client: FlaskClient) -> None:
    filed = new_case()
    variants = {filed.secret, filed.secret.replace("-", ""), filed.secret.lower()}
    response = lookup(client, filed.case.reference, filed.secret)
    location = response.headers["Location"]
    assert filed.case.reference not in location
    assert not any(v in location for v in variants)
    for url in ("/track/case", "/track/case?lang=km", "/track"):
        page = client.get(url)
        body = page.get_data(as_text=True)
        assert not any(v in body for v in variants), url
        assert page.headers["Cache-Control"] == "no-store"
    # A failed attempt does not send the typed secret back either.
    failed = lookup(client, filed.case.reference, filed.secret[:-1] + "Z")
    assert filed.secret[:-1] not in failed.get_data(as_text=True)


def test_nothing_identifies_the_complainant(client: FlaskClient) -> None:
    filed = new_case(concerned_name="Golden Needle Garment Co", confidentiality="confidential")
    page = open_case(client, filed)
    for private in ("Chan Sreymom", "+85512345678", "12345678", "NSSF-998877", "Golden Needle"):
        assert private not in page
    # The description may name people: it is there only folded, behind "show what I wrote".
    folded = page[page.index("<details") : page.index("</details>")]
    assert "deducts NSSF money" in folded and "deducts NSSF money" not in page.replace(folded, "")


def test_case_page_closes_after_thirty_minutes(client: FlaskClient) -> None:
    filed = new_case()
    open_case(client, filed)
    with time_machine.travel(utcnow() + timedelta(minutes=31)):
        response = client.get("/track/case?lang=en")
        assert response.status_code == 303
        assert response.headers["Location"].endswith("/track")
        assert "closes after 30 minutes" in client.get("/track").get_data(as_text=True)


def test_closing_the_case_page(client: FlaskClient) -> None:
    filed = new_case()
    page = open_case(client, filed)
    response = client.post("/track/done", data={"csrf_token": csrf_from(page)})
    assert response.status_code == 303
    assert client.get("/track/case").status_code == 303


def test_landing_page_links_to_the_status_page(client: FlaskClient) -> None:
    page = client.get("/?lang=en").get_data(as_text=True)
    assert 'href="/track"' in page


@hsettings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=40)
@given(
    reference=st.text(st.characters(blacklist_categories=("Cs",)), max_size=60),
    secret=st.text(st.characters(blacklist_categories=("Cs",)), max_size=80),
)
def test_any_typed_text_never_breaks_the_lookup(
    client: FlaskClient, reference: str, secret: str
) -> None:
    limiter.reset()
    page = client.get("/track?lang=en").get_data(as_text=True)
    response = client.post(
        "/track", data={"csrf_token": csrf_from(page), "reference": reference, "secret": secret}
    )
    assert response.status_code in (200, 303)


def test_a_lookup_without_the_form_token_is_refused(client: FlaskClient) -> None:
    filed = new_case()
    response = client.post(
        "/track", data={"reference": filed.case.reference, "secret": filed.secret}
    )
    assert response.status_code == 400
    assert client.get("/track/case").status_code == 303


def test_a_typo_is_named_and_look_alikes_or_khmer_digits_open_the_case(
    client: FlaskClient,
) -> None:
    filed = new_case()
    ref = filed.case.reference
    typo = lookup(client, swapped(ref), filed.secret)
    assert typo.status_code == 200
    assert "This reference looks mistyped" in typo.get_data(as_text=True)

    as_read = khmer_digits(ref).replace("-", " ")  # the Khmer keyboard's number row
    as_read = as_read.replace("០", "O").replace("១", "I")  # and letters for 0 and 1
    assert lookup(client, as_read, filed.secret.lower()).status_code == 303
