"""Names typed at intake matched against the registry: Khmer by canonical key, Latin by
fuzzy matching; the officer confirms or corrects on the case page; registries versioned."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from grievance.extensions import db
from grievance.systemic import links, matching, queries, registry
from grievance.systemic.models import CaseEntity, RegistryChange
from tests.conftest import csrf_from
from tests.systemic.helpers import OTHER_ORDER_KM, SPELLINGS, employer, file


def test_every_spelling_of_one_employer_finds_it_and_other_names_do_not() -> None:
    entry = employer()
    employer("E-000999", name_km="រោងចក្រ អង្គរ", name_latin="Angkor Shoes Co., Ltd.", aliases=[])
    for spelling in (*SPELLINGS, "kwg factory"):
        found = matching.best(spelling, "employer")
        assert found is not None and found.entry_id == entry.id, spelling
    assert matching.best("Phnom Penh Bakery", "employer") is None
    assert matching.best("Khmer Women Garment", "health_facility") is None
    assert matching.best(OTHER_ORDER_KM, "employer").score == 100  # type: ignore[union-attr]


def test_a_filed_complaint_is_linked_to_its_employer_as_a_suggestion() -> None:
    entry = employer()
    case = file("Khmer Woman Garments")
    link = db.session.get(CaseEntity, case.id)
    assert link is not None and link.entry_id == entry.id and not link.confirmed
    assert db.session.get(CaseEntity, file("a bakery in Takhmao").id) is None
    assert db.session.get(CaseEntity, file(None).id) is None


def test_the_officer_confirms_or_corrects_the_employer_on_the_case_page(client, auth) -> None:  # type: ignore[no-untyped-def]
    entry = employer()
    other = employer("E-000777", name_km="រោងចក្រ អង្គរ", name_latin="Angkor Shoes", aliases=[])
    case = file("Khmer Woman Garments")
    auth.login("officer")
    page = client.get(f"/cases/{case.reference}").get_data(as_text=True)
    assert "E-000123" in page and "suggested from the name given" in page
    response = client.post(
        f"/systemic/cases/{case.reference}/entity",
        data={"csrf_token": csrf_from(page), "entry_id": str(entry.id), "code": ""},
    )
    assert response.status_code == 302
    link = db.session.get(CaseEntity, case.id)
    assert link is not None and link.confirmed and link.entry_id == entry.id
    page = client.get(f"/cases/{case.reference}").get_data(as_text=True)
    assert "confirmed by an officer" in page
    client.post(
        f"/systemic/cases/{case.reference}/entity",
        data={"csrf_token": csrf_from(page), "entry_id": "none", "code": "E-000777"},
    )
    db.session.expire_all()
    assert db.session.get(CaseEntity, case.id).entry_id == other.id  # type: ignore[union-attr]
    kinds = [e.kind for e in case.events]
    assert kinds.count("entity") == 2


def test_an_officer_who_may_not_see_the_case_cannot_set_its_employer(client, auth) -> None:  # type: ignore[no-untyped-def]
    entry = employer()
    case = file("Khmer Woman Garments", province="KH-12")
    auth.login("officer", province="KH-3")
    page = client.get("/cases/").get_data(as_text=True)
    response = client.post(
        f"/systemic/cases/{case.reference}/entity",
        data={"csrf_token": csrf_from(page), "entry_id": str(entry.id)},
    )
    assert response.status_code == 404
    assert not db.session.get(CaseEntity, case.id).confirmed  # type: ignore[union-attr]


def test_an_entry_keeps_who_changed_what_and_its_names_follow() -> None:
    entry = employer()
    data = registry.EntryData(
        kind="employer", code="E-000123", name_km=entry.name_km, name_latin="KW Garment", size=900
    )
    assert registry.save(data, None, "admin")
    assert not registry.save(data, None, "admin")  # nothing changed: no new version
    changes = list(db.session.scalars(select(RegistryChange).order_by(RegistryChange.version)))
    assert [c.version for c in changes] == [1, 2]
    assert changes[1].changes["name_latin"] == ["Khmer Women Garment Co., Ltd.", "KW Garment"]
    assert matching.best("KW Garment", "employer") is not None
    assert matching.best("Khmer Women Garment Co., Ltd.", "employer") is None


def test_a_sheet_is_imported_with_its_row_errors() -> None:
    sheet = (
        "NSSF employer id,Name KM,Name Latin,Aliases,Province,Size\n"
        "E-1,រោងចក្រ ក,Factory A,FA;A Factory,KH-12,100\n"
        ",រោងចក្រ ខ,Factory B,,KH-12,10\n"
        "E-3,,,,,\n"
        "E-4,,Factory D,,Atlantis,many\n"
        "E-5,,Factory E,,Kandal,\n"
    ).encode()
    changed, errors = registry.import_sheet(sheet, "employer", None)
    assert changed == 2
    assert sorted((e["line"], e["code"]) for e in errors.errors) == [
        (3, "required"),
        (4, "no_name"),
        (5, "bad_size"),
        (5, "unknown_province"),
    ]
    assert matching.best("A Factory", "employer") is not None
    assert links is not None


def test_the_success_page_says_which_employer_was_understood_and_nothing_more(client) -> None:  # type: ignore[no-untyped-def]
    from tests.intake.helpers import public_post

    employer()
    employer("E-000999", name_km="រោងចក្រ អង្គរ", name_latin="Angkor Shoes Co., Ltd.", aliases=[])
    page = public_post(client, concerned_name="Khmer Woman Garments").get_data(as_text=True)
    assert "We understood: Khmer Women Garment Co., Ltd." in page
    assert "Angkor" not in page and "E-000123" not in page
    page = public_post(client, concerned_name="").get_data(as_text=True)
    assert "We understood" not in page


def test_a_kept_answer_goes_when_the_registry_changes() -> None:
    first = employer()
    assert [c.entry_id for c in matching.candidates("Khmer Women Garment", "employer")] == [
        first.id
    ]
    later = first.updated_at + timedelta(seconds=1)  # the registry's stamp moves on
    registry.save(
        registry.EntryData("employer", "E-000777", name_latin="Khmer Women Garment Ltd"),
        None,
        "import",
        at=later,
    )
    found = matching.candidates("Khmer Women Garment", "employer")
    assert {c.entry_id for c in found} == {first.id, registry_entry("E-000777")}
    assert all(c.score == 100 for c in found)


def registry_entry(code: str) -> int:
    entry = queries.entry_by_code(("employer",), code)
    assert entry is not None
    return entry.id
