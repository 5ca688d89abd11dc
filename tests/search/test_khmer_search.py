"""Word-aware search on the backend the suite runs on (SQLite FTS5 or PostgreSQL tsvector):
240 Khmer sentences written without spaces, their words typed in several code-point orders;
each word finds exactly the sentences made with it, whichever spelling is searched."""

from __future__ import annotations

import random

import pytest
from flask.testing import FlaskClient
from sqlalchemy import delete, func, select

from grievance.cases.models import Case
from grievance.cases.services import PersonData
from grievance.extensions import db
from grievance.queues.workspace import CaseFilters, case_list
from grievance.search.cli import reindex_batch, stale_ids
from grievance.search.models import CaseSearch
from tests.conftest import Auth, csrf_from
from tests.factories import make_case, make_user
from tests.khmer.corpus import VOCABULARY, sentences, spellings


def found(user: object, text: str) -> list[str]:
    page = case_list(user, CaseFilters(scope="all", text=text))  # type: ignore[arg-type]
    assert page.total == len(page.cases)  # every fixture word is on fewer than 50 sentences
    return [c.reference for c in page.cases]


def test_each_word_finds_exactly_the_sentences_that_contain_it() -> None:
    reader = make_user("supervisor")
    made = [(s, make_case(description=s.text).case) for s in sentences()]
    for typed, case in made:
        assert case.description.encode() == typed.text.encode()  # stored as typed
    rng = random.Random(7)
    for word in VOCABULARY:
        expected = sorted(c.reference for s, c in made if _canon(word) in s.words)
        assert expected, word
        for typed in {word, rng.choice(spellings(word))}:
            assert sorted(found(reader, typed)) == expected, typed


def _canon(word: str) -> str:
    from grievance.khmer import canonical_khmer

    return canonical_khmer(word)


def test_two_words_find_the_sentences_with_both() -> None:
    reader = make_user("supervisor")
    made = [(s, make_case(description=s.text).case) for s in sentences()[:120]]
    a, b = _canon("កម្មករ"), _canon("ប្រាក់")
    expected = sorted(c.reference for s, c in made if {a, b} <= s.words)
    assert sorted(found(reader, "កម្មករ ប្រាក់")) == expected


def test_glued_words_are_found_apart_and_together() -> None:
    reader = make_user("supervisor")
    glued = make_case(description="ក្រុមហ៊ុនមិនបានបង់ប្រាក់វិភាគទានទេ").case
    apart = make_case(description="ខ្ញុំ បង់ ប្រាក់ រួចហើយ").case
    assert sorted(found(reader, "បង់ប្រាក់")) == sorted([glued.reference, apart.reference])
    assert glued.reference in found(reader, "ប្រាក់")


def test_employer_and_name_matches_rank_first() -> None:
    reader = make_user("supervisor")
    in_text = make_case(description="រោងចក្រ​កាត់ដេរ​នេះ​មិន​បង់​ប្រាក់").case
    in_employer = make_case(description="មិន​បង់​ប្រាក់", concerned_name="រោងចក្រ​សុខា").case
    assert found(reader, "រោងចក្រ") == [in_employer.reference, in_text.reference]


def test_restricted_cases_and_hidden_names_stay_out() -> None:
    officer = make_user("officer", province="KH-12")
    hidden = make_case(
        description="ស្ត្រី​មាន​ផ្ទៃពោះ",
        confidentiality="confidential",
        complainant=PersonData(name="សុខ ស្រីនាង", phone="+85512000111"),
    ).case
    restricted = make_case(
        description="ការ​យាយី​ស្ត្រី",
        confidentiality="restricted",
        category_code="harassment_retaliation",
    ).case
    assert found(officer, "ផ្ទៃពោះ") == [hidden.reference]
    assert found(officer, "ស្រីនាង") == []  # the name of a confidential complainant
    assert restricted.reference not in found(officer, "ស្ត្រី")
    assert restricted.reference not in found(make_user("supervisor"), "យាយី")
    keeper = make_user("officer", province="KH-12")
    restricted.assignee_id = keeper.id
    hidden.assignee_id = officer.id
    db.session.flush()
    assert found(keeper, "យាយី") == [restricted.reference]
    assert found(officer, "ស្រីនាង") == [hidden.reference]


def test_search_page_marks_the_match_in_the_typed_spelling(client: FlaskClient, auth: Auth) -> None:
    auth.login("supervisor")
    make_case(description="កម្មការិនីជាស្រ្តីមានផ្ទៃពោះ")  # RO before TA, as typed
    page = client.get("/workspace/").get_data(as_text=True)
    html = client.post(
        "/workspace/", data={"csrf_token": csrf_from(page), "q": "ស្ត្រី", "scope": "all"}
    ).get_data(as_text=True)
    assert "<mark>ស្រ្តី</mark>" in html


def test_reindex_rebuilds_missing_terms() -> None:
    reader = make_user("supervisor")
    case = make_case(description="មន្ទីរពេទ្យ​មិន​ព្យាបាល").case
    db.session.execute(delete(CaseSearch).where(CaseSearch.case_id == case.id))
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.execute(db.text(f"DELETE FROM case_search_fts WHERE rowid = {case.id}"))
    assert found(reader, "មន្ទីរពេទ្យ") == []
    reindex_batch(stale_ids(0, everything=False))
    assert found(reader, "មន្ទីរពេទ្យ") == [case.reference]
    assert db.session.scalar(select(func.count()).select_from(Case)) >= 1


@pytest.mark.parametrize("typed", ["regist", "REGISTRATION", "card"])
def test_english_words_are_found_by_their_start(typed: str) -> None:
    reader = make_user("supervisor")
    case = make_case(description="Registration of my NSSF card was refused").case
    assert found(reader, typed) == [case.reference]


@pytest.mark.parametrize("newest", [1, 9_999, 10_000, 25_000, 400_000, 1_000_000, 1_009_999])
def test_search_windows_cover_every_id_once_newest_first(newest: int) -> None:
    from grievance.search.models import BUCKET
    from grievance.search.query import WINDOW_IDS, windows

    spans = windows(newest)
    buckets = [b for span in spans for b in span]
    assert buckets == sorted(set(buckets), reverse=True)  # disjoint, newest first
    assert buckets[0] == newest // BUCKET
    for span, ids in zip(spans, WINDOW_IDS, strict=False):
        # Each window reaches its number of ids below the newest case (or the first id),
        # however little of the newest bucket is filled.
        assert span[-1] * BUCKET <= max(0, newest - ids)
    assert windows(None) == []
