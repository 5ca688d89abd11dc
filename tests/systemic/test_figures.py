"""Figures per employer for oversight; on the public page only above the threshold."""

from __future__ import annotations

from grievance.systemic import figures
from tests.systemic.helpers import SPELLINGS, employer, file


def test_oversight_sees_every_employer_and_the_public_only_those_with_5_complaints(
    client,  # type: ignore[no-untyped-def]
    auth,
) -> None:
    employer()
    employer("E-000555", name_km="រោងចក្រ អង្គរ", name_latin="Angkor Shoes", aliases=[])
    for n in range(5):
        file(SPELLINGS[n % 4], phone=f"+8551234560{n}")
    for n in range(4):
        file("Angkor Shoes", phone=f"+8551234561{n}", category="registration")
    found = {f.entry.code: f for f in figures.per_entry()}
    assert (found["E-000123"].complaints, found["E-000555"].complaints) == (5, 4)
    assert found["E-000555"].categories[0][1] == 4

    public = client.get("/systemic/employers?lang=en").get_data(as_text=True)
    assert "Khmer Women Garment" in public and "Angkor Shoes" not in public
    assert "+855" not in public

    auth.login("oversight")
    page = client.get("/systemic/figures").get_data(as_text=True)
    assert "Khmer Women Garment" in page and "Angkor Shoes" in page
    assert "Employer registration and NSSF card (4)" in page


def test_a_median_from_fewer_than_5_closed_cases_is_withheld() -> None:
    entry = employer()
    row = figures.EntryFigures(entry=entry, complaints=9, closed=3, median_days=4.0)
    [public] = figures.public_rows([row], "en")
    assert figures.suppress is not None and str(public["median_days"]) == "too few cases"
    row.closed = 5
    [public] = figures.public_rows([row], "en")
    assert public["median_days"] == 4.0 and "closed" not in public
