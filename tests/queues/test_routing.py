"""Routing table: a new case goes to the first matching queue, restricted cases only to
restricted queues, the woman-officer wish is honoured, the national unit catches the rest."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from grievance.cases.services import PersonData
from grievance.extensions import db
from grievance.queues.routing import route
from tests.factories import make_case, make_user
from tests.queues.helpers import category_id, make_queue, queue

Setup = Callable[[], None]


def nothing() -> None:
    pass


def maternity_queue() -> None:
    make_queue("maternity", position=20, category_id=category_id("maternity"))


def information_queue() -> None:
    make_queue("answers", position=20, kind="information_request")


def confidential_queue() -> None:
    make_queue("confidential", position=20, confidentiality="confidential")


def inactive_maternity_queue() -> None:
    make_queue("old", position=20, category_id=category_id("maternity"), active=False)


def no_phnom_penh_office() -> None:
    queue("office-kh-12").active = False


def catch_all_first() -> None:
    make_queue("everything", position=1)


def women_only_elsewhere() -> None:
    # An earlier queue for Phnom Penh has only a man; the province office has a woman.
    make_queue("pp-men", position=20, province_code="KH-12", members=[make_user("officer")])
    office = queue("office-kh-12")
    office.members.append(make_user("officer", sex="female"))


TABLE: list[tuple[str, Setup, dict[str, Any], str]] = [
    ("province office", nothing, {}, "office-kh-12"),
    ("other province", nothing, {"province_code": "KH-17"}, "office-kh-17"),
    (
        "harassment goes to the restricted queue",
        nothing,
        {"category_code": "harassment_retaliation"},
        "restricted",
    ),
    (
        "any restricted case goes to the restricted queue",
        nothing,
        {"confidentiality": "restricted", "category_code": "pension"},
        "restricted",
    ),
    (
        "category rule before the province",
        maternity_queue,
        {"category_code": "maternity"},
        "maternity",
    ),
    ("category rule does not catch others", maternity_queue, {}, "office-kh-12"),
    ("kind rule", information_queue, {"category_code": "information"}, "answers"),
    (
        "confidentiality rule",
        confidential_queue,
        {"confidentiality": "confidential"},
        "confidential",
    ),
    ("confidentiality rule does not catch normal cases", confidential_queue, {}, "office-kh-12"),
    (
        "inactive queues are skipped",
        inactive_maternity_queue,
        {"category_code": "maternity"},
        "office-kh-12",
    ),
    ("no match: the national unit", no_phnom_penh_office, {}, "national"),
    (
        "restricted cases skip ordinary queues",
        catch_all_first,
        {"confidentiality": "restricted"},
        "restricted",
    ),
    ("a catch-all queue first takes ordinary cases", catch_all_first, {}, "everything"),
    (
        "woman officer asked: the first queue with a woman",
        women_only_elsewhere,
        {"prefers_woman_officer": True},
        "office-kh-12",
    ),
    ("no wish: the first match", women_only_elsewhere, {}, "pp-men"),
]


@pytest.mark.parametrize(
    ("setup", "fields", "expected"), [t[1:] for t in TABLE], ids=[t[0] for t in TABLE]
)
def test_routing_table(setup: Setup, fields: dict[str, Any], expected: str) -> None:
    setup()
    db.session.flush()
    case = make_case(**fields).case
    assert case.queue_id == queue(expected).id
    assert route(case) is not None and route(case).code == expected


def test_filing_records_the_queue_on_the_case_for_every_channel() -> None:
    case = make_case(channel="hotline", complainant=PersonData(name="Dara")).case
    assert case.queue_id == queue("office-kh-12").id


def test_escalation_levels_never_take_new_cases() -> None:
    queue("national").position = 1
    queue("oversight").position = 1
    db.session.flush()
    assert make_case().case.queue_id == queue("office-kh-12").id
