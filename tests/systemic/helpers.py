"""A registry and complaints filed through the real intake pipeline, for the systemic tests."""

from __future__ import annotations

from datetime import datetime

from grievance.cases.models import Case
from grievance.intake import pipeline
from grievance.intake.submission import Submission
from grievance.systemic import registry
from grievance.systemic.models import RegistryEntry
from grievance.systemic.queries import entry_by_code

# One factory, named in four spellings: two Khmer typing orders of ស្ត្រី / ស្រ្តី, two Latin.
REGISTERED_KM = "រោងចក្រកាត់ដេរ ស្ត្រីខ្មែរ"
OTHER_ORDER_KM = "រោងចក្រកាត់ដេរ ស្រ្តីខ្មែរ"
SPELLINGS = (REGISTERED_KM, OTHER_ORDER_KM, "KHMER WOMEN GARMENT CO LTD", "Khmer Woman Garments")


def employer(code: str = "E-000123", **fields: object) -> RegistryEntry:
    data = registry.EntryData(
        kind="employer",
        code=code,
        name_km=str(fields.pop("name_km", REGISTERED_KM)),
        name_latin=str(fields.pop("name_latin", "Khmer Women Garment Co., Ltd.")),
        aliases=list(fields.pop("aliases", ["KWG Factory"])),  # type: ignore[call-overload]
        province_code=str(fields.pop("province_code", "KH-12")),
        sector="garment",
        size=1200,
    )
    registry.save(data, None, "import")
    entry = entry_by_code(("employer",), code)
    assert entry is not None
    return entry


def file(
    name: str | None,
    *,
    phone: str | None = "+85512345678",
    category: str = "contributions",
    province: str = "KH-12",
    consent: bool = True,
    description: str = "The factory deducts NSSF money from our pay but never pays it.",
    confidential: bool = False,
    at: datetime | None = None,
) -> Case:
    sub = Submission(
        description=description,
        category=category,
        province=province,
        channel="web",
        phone=phone,
        consent_to_contact=consent,
        concerned_name=name,
        confidential=confidential,
    )
    return pipeline.file(sub, pipeline.COMPLAINANT, at=at).case
