"""Open311 GeoReport v2 use cases: services (our categories) and service requests (cases).

The public request list exposes no one: it is drawn from the dashboard's snapshot, one
item per case, only from the cells (province x type of problem x month filed x status) the
disclosure rules allow (suppression.listed_cells: at least 5 cases, in no province, type of
problem or month whose public count is hidden), with no reference (`service_request_id`
is null), the month filed as `requested_datetime` (the first day, 00:00 Phnom Penh) and no
update or expected time. Cases whose confidentiality is not "normal" are never listed.
A request by id (`requests/<id>` or `service_request_id=`) answers only the viewer's own:
the partner whose api_key filed it, or the complainant whose tracking session has it open;
anyone else's reference answers as if it did not exist. `description` is null: a
narrative can carry names and phone numbers, so it is never published. We record the
province, not a point: `address` is the province's name, `address_id` its ISO 3166-2:KH
code, `lat`/`long` are null (JSON) or left out (XML). `agency_responsible` is always the
NSSF (free-text agency names typed by officers are not published; one's own referred
request says so in `status_notes`).
`media_url` is null: evidence is never public. `status` is "open" while the case's state is
not final in its workflow, "closed" once it is.

POST requests (filed through the intake pipeline, `submission` below being the Open311
channel adapter) need the api_key of an active partner client (the JSON API's partners,
grievance/intake/models.PartnerClient: the same token). Location must name a province
(address_id, or address_string as a province name or code), or else lat/long, which is
placed in the province whose provincial town is nearest (places.py) and flagged with an
internal note for the officer to confirm: a request is never refused for giving a point.
Open311 has no consent field: a phone number given
with a request is taken as consent to be contacted about that request. The tracking
secret is not returned: a complainant who gave a phone number receives it by SMS, as with
every channel.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import or_, select

from grievance import reference
from grievance.cases.comments import add_comment
from grievance.cases.models import Case, Category, Province
from grievance.domain import KINDS
from grievance.extensions import db
from grievance.i18n import label
from grievance.intake import pipeline
from grievance.intake.models import PartnerCase, PartnerClient
from grievance.intake.partners import token_hash
from grievance.intake.submission import Problem, Submission
from grievance.oversight import figures, snapshots
from grievance.oversight.places import Placed, nearest_province
from grievance.oversight.suppression import listed_cells
from grievance.sla.calendar import PHNOM_PENH
from grievance.types import utcnow
from workflows import get_workflow

MAX_RESULTS = 1000
MAX_SPAN = timedelta(days=90)


class Open311Error(Exception):
    def __init__(self, code: int, description: str) -> None:
        super().__init__(code, description)
        self.code = code
        self.description = description


def w3c(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(PHNOM_PENH).isoformat(timespec="seconds")


def services(lang: str) -> list[dict[str, Any]]:
    categories = db.session.scalars(
        select(Category).where(Category.active.is_(True)).order_by(Category.id)
    )
    return [
        {
            "service_code": c.code,
            "service_name": c.name(lang),
            "description": c.name(lang),
            "metadata": False,
            "type": "realtime",
            "keywords": "",
            "group": label(KINDS[c.kind]),
        }
        for c in categories
    ]


def definition(code: str) -> dict[str, Any]:
    if not db.session.scalar(select(Category.id).where(Category.code == code)):
        raise Open311Error(404, _("There is no service with this code."))
    return {"service_code": code, "attributes": []}


@dataclass
class Query:
    ids: list[str]
    codes: list[str]
    start: datetime | None
    end: datetime | None
    statuses: list[str]


def _date(raw: str | None, name: str) -> datetime | None:
    if not raw:
        return None
    try:
        value = datetime.fromisoformat(raw.strip().replace(" ", "+"))
    except ValueError:
        value = None
    if value is None or value.tzinfo is None:
        raise Open311Error(400, _("%(name)s must be a W3C date and time with a zone.", name=name))
    return value


def _list(raw: str | None) -> list[str]:
    return [v.strip() for v in (raw or "").split(",") if v.strip()]


def parse_query(args: dict[str, str]) -> Query:
    statuses = _list(args.get("status"))
    if any(s not in ("open", "closed") for s in statuses):
        raise Open311Error(400, _("status must be open or closed."))
    query = Query(
        ids=_list(args.get("service_request_id")),
        codes=_list(args.get("service_code")),
        start=_date(args.get("start_date"), "start_date"),
        end=_date(args.get("end_date"), "end_date"),
        statuses=statuses,
    )
    if query.start and query.end and query.end - query.start > MAX_SPAN:
        raise Open311Error(400, _("start_date and end_date may not span more than 90 days."))
    return query


@dataclass(frozen=True)
class Viewer:
    """Who asks: a partner with its api_key, and the case this browser has open (the
    complainant's tracking session). Either may read its own requests by id."""

    partner_id: int | None = None
    case_id: int | None = None


PUBLIC = Viewer()


def requests(query: Query, lang: str, viewer: Viewer = PUBLIC) -> list[dict[str, Any]]:
    if query.ids:  # the standard: with ids given, the other parameters are ignored
        return own_requests(query.ids, lang, viewer)
    return public_list(query, lang)


def own_requests(ids: list[str], lang: str, viewer: Viewer) -> list[dict[str, Any]]:
    """The viewer's own requests among `ids`; another person's looks the same as none."""
    mine = []
    if viewer.case_id is not None:
        mine.append(Case.id == viewer.case_id)
    if viewer.partner_id is not None:
        filed = select(PartnerCase.case_id).where(PartnerCase.partner_id == viewer.partner_id)
        mine.append(Case.id.in_(filed))
    if not mine:
        return []
    stmt = (
        select(Case, Category, Province)
        .join(Category, Category.id == Case.category_id)
        .join(Province, Province.code == Case.province_code)
        .where(Case.reference.in_([i.strip().upper() for i in ids]), or_(*mine))
        .order_by(Case.created_at.desc(), Case.id.desc())
        .limit(MAX_RESULTS)
    )
    return [_request(c, cat, p, lang) for c, cat, p in db.session.execute(stmt)]


def _months(query: Query) -> tuple[str, str]:
    """The first and last month (YYYY-MM, Phnom Penh) the query's dates touch."""
    end = query.end or utcnow()
    start = query.start or end - MAX_SPAN
    return (
        start.astimezone(PHNOM_PENH).strftime("%Y-%m"),
        end.astimezone(PHNOM_PENH).strftime("%Y-%m"),
    )


def public_list(query: Query, lang: str) -> list[dict[str, Any]]:
    """What anyone may list: one item per case, drawn from the dashboard's snapshot and
    only from the cells the disclosure rules allow (suppression.listed_cells), with no
    reference, the month filed instead of a time, and nothing typed by a person. Filters
    select whole cells (dates by the month), so no two answers differ by fewer than
    THRESHOLD cases of one cell."""
    row = snapshots.latest()
    dims = snapshots.figures(row)
    cells = listed_cells(snapshots.listing(), figures.blocked_groups(dims))
    first, last = _months(query)
    chosen = [
        cell
        for cell in cells
        if first <= cell[2] <= last
        and (not query.codes or cell[1] in query.codes)
        and (not query.statuses or cell[3] in query.statuses)
    ]
    chosen.sort(key=lambda c: (c[2], c[0], c[1], c[3]), reverse=True)
    provinces = {p.code: p for p in db.session.scalars(select(Province))}
    categories = {c.code: c for c in db.session.scalars(select(Category))}
    items: list[dict[str, Any]] = []
    for province, category, month, status, size in chosen:
        if len(items) + size > MAX_RESULTS:
            break  # whole cells only
        item = _listed(provinces[province], categories[category], month, status, lang)
        items.extend(dict(item) for _ in range(size))
    return items


def _listed(
    province: Province, category: Category, month: str, status: str, lang: str
) -> dict[str, Any]:
    filed = datetime(int(month[:4]), int(month[5:]), 1, tzinfo=PHNOM_PENH)
    return {
        "service_request_id": None,
        "status": status,
        "status_notes": None,
        "service_name": category.name(lang),
        "service_code": category.code,
        "description": None,
        "agency_responsible": _("National Social Security Fund"),
        "service_notice": None,
        "requested_datetime": filed.isoformat(timespec="seconds"),
        "updated_datetime": None,
        "expected_datetime": None,
        "address": province.name(lang),
        "address_id": province.code,
        "zipcode": None,
        "lat": None,
        "long": None,
        "media_url": None,
    }


def one_request(reference: str, lang: str, viewer: Viewer = PUBLIC) -> list[dict[str, Any]]:
    found = own_requests([reference], lang, viewer)
    if not found:
        raise Open311Error(404, _("There is no public service request with this id."))
    return found


def _request(case: Case, category: Category, province: Province, lang: str) -> dict[str, Any]:
    workflow = get_workflow(case.workflow)
    is_open = not workflow.is_final(case.state)
    return {
        "service_request_id": case.reference,
        "status": "open" if is_open else "closed",
        "status_notes": label(workflow.state(case.state).label),
        "service_name": category.name(lang),
        "service_code": category.code,
        "description": None,
        "agency_responsible": _("National Social Security Fund"),
        "service_notice": None,
        "requested_datetime": w3c(case.created_at),
        "updated_datetime": w3c(case.updated_at),
        "expected_datetime": w3c(case.resolve_due_at) if is_open else None,
        "address": province.name(lang),
        "address_id": province.code,
        "zipcode": None,
        "lat": None,
        "long": None,
        "media_url": None,
    }


def partner_for(api_key: str | None) -> PartnerClient:
    partner = None
    if api_key:
        partner = db.session.scalar(
            select(PartnerClient).where(PartnerClient.token_hash == token_hash(api_key.strip()))
        )
    if partner is None or not partner.active:
        raise Open311Error(403, _("A valid api_key is required."))
    return partner


def _named_place(form: dict[str, str]) -> str:
    return (form.get("address_id") or form.get("address_string") or "").strip()


def placed(form: dict[str, str]) -> Placed | None:
    """The province of the request's point, when it names no place but gives lat/long."""
    if _named_place(form):
        return None
    raw = [(form.get(k) or "").strip() for k in ("lat", "long")]
    if not all(raw):
        return None
    try:
        lat, long = (float(v) for v in raw)
    except ValueError:
        lat = long = float("nan")
    if not (-90 <= lat <= 90 and -180 <= long <= 180):  # NaN fails both
        raise Open311Error(400, _("lat and long must be decimal degrees (WGS84)."))
    return nearest_province(lat, long)


def _province(form: dict[str, str]) -> str:
    """The province code for address_id or address_string (a code or a name, either
    script), or else the province of the point lat/long; what names no province is passed
    on as typed, for the rules to refuse."""
    wanted = _named_place(form)
    point = placed(form)
    if point is not None:
        return point.province
    if not wanted:
        raise Open311Error(
            400,
            _("Give the province as address_id or address_string, or the point as lat and long."),
        )
    # Matched in the rules snapshot, not in SQL: the text is the client's, as typed.
    for code, province in reference.current().provinces.items():
        if wanted.upper() == code.upper() or wanted.lower() == province.name_en.lower():
            return code
        if wanted == province.name_km:
            return code
    return wanted


def submission(form: dict[str, str], partner: PartnerClient) -> Submission:
    """A GeoReport POST as a Submission (the Open311 channel adapter). Open311 has no
    consent field: a phone number given with a request is taken as consent to be contacted
    about that request."""
    first, last = (form.get(k, "").strip() for k in ("first_name", "last_name"))
    phone = (form.get("phone") or "").strip()
    return Submission(
        description=form.get("description") or "",
        category=(form.get("service_code") or "").strip(),
        province=_province(form),
        channel="open311",
        name=" ".join(n for n in (first, last) if n),
        phone=phone,
        consent_to_contact=bool(phone),
        partner_id=partner.id,
    )


def refusal(problem: Problem) -> Open311Error:
    """A rule's refusal as a GeoReport error, naming the specification's field."""
    if problem.field == "category":
        return Open311Error(400, _("service_code is missing or unknown."))
    if problem.field == "province":
        return Open311Error(400, _("The address must be a Cambodian province."))
    if problem.field == "description" and problem.code == "required":
        return Open311Error(400, _("Please describe the problem in description."))
    if problem.field == "phone" and problem.code == "invalid":
        return Open311Error(400, _("phone is not a Cambodian phone number."))
    name = {"name": "first_name"}.get(problem.field, problem.field)
    return Open311Error(400, _("%(name)s is too long or contains control characters.", name=name))


def _ask_to_confirm(case: Case, point: Placed) -> None:
    """An internal note on the case: the province came from a point, not from a name."""
    texts = []
    for language in ("km", "en"):
        with force_locale(language):
            texts.append(
                _(
                    "The request gave only a point on the map. It was placed in the province "
                    "whose provincial town is nearest (%(km)s km away): please confirm the "
                    "province with the complainant.",
                    km=point.km,
                )
            )
    add_comment(case, actor_id=None, actor_role="system", text="\n\n".join(texts), public=False)


def create(form: dict[str, str]) -> list[dict[str, Any]]:
    partner = partner_for(form.get("api_key"))
    try:
        filed = pipeline.file(submission(form, partner), pipeline.PARTNER)
    except pipeline.Invalid as exc:
        raise refusal(exc.problems[0]) from None
    point = placed(form)
    if point is not None:
        _ask_to_confirm(filed.case, point)
    notice = _(
        "Keep this number to follow the request: %(reference)s.", reference=filed.case.reference
    )
    return [
        {"service_request_id": filed.case.reference, "service_notice": notice, "account_id": None}
    ]
