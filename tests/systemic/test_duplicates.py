"""Duplicate hints on the case page: same phone, same employer and category, or nearly the
same story, within 30 days; only what the officer may see; never across the restricted line."""

from __future__ import annotations

from datetime import timedelta

from grievance.systemic import duplicates
from grievance.types import utcnow
from tests.conftest import csrf_from
from tests.factories import make_user
from tests.systemic.helpers import employer, file

PHONE = "+85512345678"


def refs(case, viewer) -> set[str]:  # type: ignore[no-untyped-def]
    return {h.case.reference for h in duplicates.hints(case, viewer)}


def test_a_second_filing_from_the_same_phone_is_listed_on_both_cases() -> None:
    officer = make_user("officer")
    first = file(None, phone=PHONE, description="My card shows no contributions since March.")
    second = file(
        None, phone=PHONE, description="Maternity allowance refused.", category="maternity"
    )
    other = file(None, phone="+85598765432", description="Pension not paid.", category="pension")
    assert refs(first, officer) == {second.reference}
    assert refs(second, officer) == {first.reference}
    assert other.reference not in refs(first, officer)
    [hint] = duplicates.hints(first, officer)
    assert hint.reasons == ["phone"]


def test_filings_more_than_30_days_apart_are_not_hinted() -> None:
    officer = make_user("officer")
    old = file(None, phone=PHONE, at=utcnow() - timedelta(days=45))
    new = file(None, phone=PHONE)
    assert refs(new, officer) == set() and refs(old, officer) == set()


def test_same_employer_and_category_and_near_identical_stories_are_hinted() -> None:
    officer = make_user("officer")
    employer()
    a = file("Khmer Woman Garments", phone="+85512111111", description="Deducted, never paid.")
    b = file("KHMER WOMEN GARMENT CO LTD", phone="+85512222222", description="Card empty.")
    story = "Since March the factory takes 2% of my pay for NSSF but my card shows nothing."
    c = file(None, phone="+85512333333", description=story)
    d = file(None, phone="+85512444444", description=story.replace("2%", "2 %"))
    assert [h.reasons for h in duplicates.hints(a, officer) if h.case.id == b.id] == [["entity"]]
    assert [h.reasons for h in duplicates.hints(c, officer) if h.case.id == d.id] == [["narrative"]]


def test_hints_never_cross_the_restricted_line_nor_the_officers_provinces() -> None:
    designated_supervisor = make_user("supervisor")
    normal = file(None, phone=PHONE)
    restricted = file(None, phone=PHONE, category="harassment_retaliation")
    elsewhere = file(None, phone=PHONE, province="KH-3")
    local = make_user("officer", province="KH-12")
    assert restricted.confidentiality == "restricted"
    assert refs(normal, local) == set()  # the restricted one and the other province's: not hers
    assert restricted.reference not in refs(normal, designated_supervisor)
    assert normal.reference not in refs(restricted, designated_supervisor)
    assert elsewhere.reference in refs(normal, designated_supervisor)


def test_the_case_page_lists_the_hint_with_a_merge_button_that_merges(client, auth) -> None:  # type: ignore[no-untyped-def]
    first = file(None, phone=PHONE)
    second = file(None, phone=PHONE)
    auth.login("supervisor")
    page = client.get(f"/cases/{second.reference}").get_data(as_text=True)
    assert "Possibly the same complaint" in page and first.reference in page
    assert "Same phone number" in page and PHONE not in page.split("Possibly the same")[1]
    response = client.post(
        f"/cases/{second.reference}/act/merge",
        data={
            "csrf_token": csrf_from(page),
            "version": str(second.version),
            "seen": str(second.event_count),
            "merged_into": first.reference,
            "reason": "The same worker, the same unpaid contributions.",
        },
    )
    assert response.status_code == 302
    from grievance.cases import approvals
    from grievance.extensions import db

    db.session.expire_all()  # the request changed the case
    waiting = approvals.pending(second)  # a merge waits for a second supervisor
    assert waiting is not None
    approvals.decide(waiting, make_user("supervisor"), approve=True)
    page = client.get(f"/cases/{first.reference}").get_data(as_text=True)
    assert "No open case you may see looks like this one." in page
