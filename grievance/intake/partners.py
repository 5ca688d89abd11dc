"""Partner JSON API use cases: token check, filing with idempotency keys, reading cases.

Idempotency: the first answer to (partner, key) is kept with a hash of its request. The
same key and body get that answer again; the same key with another body gets 422. The
stored answer never holds the tracking secret: for a case filed with a key, the secret is
derived from the key with the server key (HMAC), so a retry can repeat it without it ever
being stored. Without the server key the stored rows reveal nothing.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from flask_babel import force_locale
from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError

from grievance.cases.models import Case, Category, Province
from grievance.errors import NotFound
from grievance.extensions import db
from grievance.i18n import label
from grievance.intake import api_schema, pipeline
from grievance.intake.checks import has_control_chars
from grievance.intake.models import IdempotencyRecord, PartnerCase, PartnerClient
from grievance.intake.submission import Submission
from grievance.keys import server_mac
from grievance.security import ALPHABET, SECRET_LENGTH, normalize_reference
from workflows import ALL_STATES, get_workflow

TOKEN_PREFIX = "spk_"
MAX_PER_PAGE = 100
MAX_PAGE = 50  # page numbers for the first few pages; `cursor` for walking further
MAX_CASE_ID = 2**31 - 1  # case ids are 32-bit integers
COUNT_CAP = 1000  # counted exactly up to here; beyond, "at least" (total_capped)
FILTERS = ("state", "category", "province", "since", "page", "per_page", "cursor")


@dataclass
class Answer:
    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


def error(status: int, code: str, message: str, **extra: Any) -> Answer:
    return Answer(status, {"error": code, "message": message, **extra})


def token_hash(token: str) -> str:
    # The token is 256 random bits: a plain SHA-256 is enough, no stretching needed.
    return hashlib.sha256(token.encode()).hexdigest()


def create_partner(name: str) -> tuple[PartnerClient, str]:
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    partner = PartnerClient(name=name, token_hash=token_hash(token), active=True)
    db.session.add(partner)
    db.session.flush()
    return partner, token


def authenticate(header: str | None) -> PartnerClient | None:
    scheme, _, token = (header or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    partner = db.session.scalar(
        select(PartnerClient).where(PartnerClient.token_hash == token_hash(token.strip()))
    )
    return partner if partner is not None and partner.active else None


def request_hash(raw: bytes) -> str:
    """Equal JSON bodies hash equal whatever their key order or spacing."""
    try:
        canonical = json.dumps(json.loads(raw), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()
    except ValueError:
        return hashlib.sha256(raw).hexdigest()


def derived_secret(partner_id: int, key: str) -> str:
    n = int.from_bytes(server_mac("api_secret", f"{partner_id}|{key}"), "big")
    chars = []
    for _ in range(SECRET_LENGTH):
        n, r = divmod(n, len(ALPHABET))
        chars.append(ALPHABET[r])
    raw = "".join(chars)
    return "-".join(raw[i : i + 4] for i in range(0, SECRET_LENGTH, 4))


def create_case(partner: PartnerClient, payload: Any, raw: bytes, key: str | None) -> Answer:
    if key is None:
        return _create(partner, payload, None)[0]
    if not 1 <= len(key) <= 255 or not key.isascii() or not key.isprintable():
        return error(
            400,
            "bad_idempotency_key",
            "Idempotency-Key must be 1 to 255 printable ASCII characters.",
        )
    digest = request_hash(raw)
    try:
        with db.session.begin_nested():
            record = IdempotencyRecord(partner_id=partner.id, key=key, request_hash=digest)
            db.session.add(record)
    except IntegrityError:
        return _replay(partner, key, digest)
    answer, case_id = _create(partner, payload, derived_secret(partner.id, key))
    record.status_code = answer.status
    record.response = {k: v for k, v in answer.body.items() if k != "secret"}
    record.case_id = case_id
    return answer


def _replay(partner: PartnerClient, key: str, digest: str) -> Answer:
    record = db.session.scalar(
        select(IdempotencyRecord).where(
            IdempotencyRecord.partner_id == partner.id, IdempotencyRecord.key == key
        )
    )
    if record is None or record.status_code is None:
        return error(
            409, "in_progress", "A request with this Idempotency-Key is still being processed."
        )
    if record.request_hash != digest:
        return error(
            422,
            "idempotency_key_reused",
            "This Idempotency-Key was already used with a different request body.",
        )
    body = dict(record.response or {})
    headers = {"Idempotent-Replayed": "true"}
    if record.status_code == 201:
        body["secret"] = derived_secret(partner.id, key)
        headers["Location"] = f"/api/v1/cases/{body.get('reference')}"
    return Answer(record.status_code, body, headers)


def _create(partner: PartnerClient, payload: Any, secret: str | None) -> tuple[Answer, int | None]:
    checked = validate(payload)
    if isinstance(checked, Answer):
        return checked, None
    sub, external_id = checked
    sub.partner_id, sub.external_id = partner.id, external_id
    try:
        filed = pipeline.file(sub, pipeline.PARTNER, secret=secret)
    except pipeline.Invalid as exc:
        return refused(exc), None
    body = case_json(filed.case, external_id)
    body["secret"] = filed.secret
    location = {"Location": f"/api/v1/cases/{filed.case.reference}"}
    return Answer(201, body, location), filed.case.id


def category_codes() -> list[str]:
    """The category codes the API accepts now."""
    return list(db.session.scalars(select(Category.code).where(Category.active.is_(True))))


def province_codes() -> list[str]:
    return list(db.session.scalars(select(Province.code)))


def validate(payload: Any) -> tuple[Submission, str | None] | Answer:
    """The payload checked against the documented schema, as a Submission."""
    if not isinstance(payload, dict):
        return error(422, "validation_failed", "The body must be a JSON object.", fields={})
    schema = api_schema.new_case(category_codes(), province_codes())
    problems = api_schema.check(payload, schema)
    if problems:
        return error(422, "validation_failed", "Some fields are not valid.", fields=problems)
    person = payload.get("complainant") or {}
    sub = Submission(
        description=payload["description"],
        category=payload["category"],
        province=payload["province"],
        channel="api",
        name=person.get("name"),
        phone=person.get("phone"),
        sex=person.get("sex", "not_stated"),
        language=payload.get("language", "km"),
        consent_to_contact=person.get("consent_to_contact", False),
        confidential=payload.get("confidential", False),
        prefers_woman_officer=payload.get("prefers_woman_officer", False),
        # JSON has one number type: 12.0 is the integer 12 (the schema checked it is whole).
        affected_count=int(payload.get("affected_count", 1)),
        concerned_name=payload.get("concerned_name"),
    )
    external_id = (payload.get("external_id") or "").strip() or None
    return sub, external_id


# Submission fields -> the API's names for them (the complainant's are nested).
API_FIELDS = {f: f"complainant.{f}" for f in ("name", "phone", "sex", "consent_to_contact")}


def refused(exc: pipeline.Invalid) -> Answer:
    """The intake rules refused what the schema let through (a category switched off
    between the document and the request)."""
    fields = {API_FIELDS.get(p.field, p.field): f"Refused: {p.code}." for p in exc.problems}
    return error(422, "validation_failed", "Some fields are not valid.", fields=fields)


def _iso(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def case_json(case: Case, external_id: str | None) -> dict[str, Any]:
    state = get_workflow(case.workflow).state(case.state)
    labels = {}
    for lang in ("en", "km"):
        with force_locale(lang):
            labels[lang] = label(state.label)
    return {
        "reference": case.reference,
        "external_id": external_id,
        "kind": case.kind,
        "state": case.state,
        "status": labels,
        "category": case.category.code,
        "province": case.province_code,
        "channel": case.channel,
        "affected_count": case.affected_count,
        "confidentiality": case.confidentiality,
        "created_at": _iso(case.created_at),
        "updated_at": _iso(case.updated_at),
    }


def get_case(partner: PartnerClient, reference: str) -> dict[str, Any]:
    ref = normalize_reference(reference)
    row = db.session.execute(
        select(Case, PartnerCase.external_id)
        .join(PartnerCase, PartnerCase.case_id == Case.id)
        .where(Case.reference == (ref or ""), PartnerCase.partner_id == partner.id)
    ).first()
    if row is None:
        raise NotFound("case_not_found")  # another partner's case looks the same as none
    return case_json(row[0], row[1])


@dataclass
class Filters:
    state: str | None = None
    category: str | None = None
    province: str | None = None
    since: datetime | None = None
    page: int = 1
    per_page: int = 20
    cursor: str | None = None  # a next_cursor: the cases filed before that page's last one


def _cursor_mask(partner_id: int) -> int:
    return int.from_bytes(server_mac("list_cursor", str(partner_id))[:6], "big")


def cursor_for(partner_id: int, case_id: int) -> str:
    """Digits that stand for a case of the partner without showing its internal id."""
    return str(case_id ^ _cursor_mask(partner_id))


def case_id_of(partner_id: int, cursor: str) -> int:
    """The case a cursor stands for; a made-up cursor gives an id past every case."""
    return min(int(cursor) ^ _cursor_mask(partner_id), MAX_CASE_ID)


def parse_filters(args: dict[str, str]) -> Filters | Answer:
    # An unknown parameter is refused, not ignored: "provnce=KH-12" must not list everything.
    problems = {name: "Unknown query parameter." for name in args if name not in FILTERS}
    filters = Filters(
        state=args.get("state") or None,
        category=args.get("category") or None,
        province=args.get("province") or None,
    )
    for name in ("category", "province"):
        if has_control_chars(args.get(name) or "", multiline=False):
            problems[name] = "Contains control characters."
    if "state" in args and args["state"] not in ALL_STATES:
        problems["state"] = "Unknown state."
    if "since" in args:
        try:
            since = datetime.fromisoformat(args["since"].replace("Z", "+00:00"))
            if since.tzinfo is None:
                raise ValueError
            filters.since = since.astimezone(UTC)
        except (ValueError, OverflowError):  # OverflowError: year 1 at +16:00 is before UTC's
            problems["since"] = "An ISO 8601 date-time with a time zone, e.g. 2026-01-31T00:00:00Z."
    for name, low, high in (("page", 1, MAX_PAGE), ("per_page", 1, MAX_PER_PAGE)):
        raw = args.get(name)
        if raw is None:
            continue
        if not raw.isdigit() or not low <= int(raw) <= high:
            problems[name] = f"A whole number from {low} to {high}."
        else:
            setattr(filters, name, int(raw))
    cursor = args.get("cursor")
    if cursor is not None and not (cursor.isascii() and cursor.isdigit() and len(cursor) <= 18):
        problems["cursor"] = "Not a cursor this API gave (use next_cursor as it is)."
    elif cursor is not None:
        filters.cursor = cursor
    if problems:
        return error(
            422, "validation_failed", "Some query parameters are not valid.", fields=problems
        )
    return filters


def list_cases(partner: PartnerClient, f: Filters) -> dict[str, Any]:
    """Newest filed first. The index on (partner, case) serves the filter and the order, so
    a page costs the same for a partner with 100 cases as for one with 100,000: keyset
    pages (`next_cursor`), and a count that stops at COUNT_CAP."""
    query = matching(partner.id, f)
    before = case_id_of(partner.id, f.cursor) if f.cursor else None
    if f.state or f.category or f.province or f.since:
        counted = query.with_only_columns(PartnerCase.case_id)
    else:  # no condition on the case: the partner's links alone (each names a case)
        counted = select(PartnerCase.case_id).where(PartnerCase.partner_id == partner.id)
    capped = counted.limit(COUNT_CAP + 1).subquery()
    total = db.session.scalar(select(func.count()).select_from(capped)) or 0
    rows = db.session.execute(page_query(query, f, before)).all()
    more = len(rows) > f.per_page
    items = [case_json(case, external_id) for case, external_id in rows[: f.per_page]]
    return {
        "items": items,
        "page": f.page,
        "per_page": f.per_page,
        "total": min(total, COUNT_CAP),
        "total_capped": total > COUNT_CAP,
        "next_cursor": cursor_for(partner.id, rows[f.per_page - 1][0].id) if more else None,
    }


def page_query(query: Select[Any], f: Filters, before: int | None) -> Select[Any]:
    """One page and one row more (is there a next page?), in the index's order; after a
    cursor, page numbers do not count."""
    if before is not None:
        query = query.where(PartnerCase.case_id < before)
    offset = (f.page - 1) * f.per_page if before is None else 0
    return query.order_by(PartnerCase.case_id.desc()).limit(f.per_page + 1).offset(offset)


def matching(partner_id: int, f: Filters) -> Select[Any]:
    query = (
        select(Case, PartnerCase.external_id)
        .join(PartnerCase, PartnerCase.case_id == Case.id)
        .where(PartnerCase.partner_id == partner_id)
    )
    if f.state:
        query = query.where(Case.state == f.state)
    if f.category:
        query = query.join(Category, Category.id == Case.category_id).where(
            Category.code == f.category
        )
    if f.province:
        query = query.where(Case.province_code == f.province)
    if f.since:
        query = query.where(Case.updated_at >= f.since)
    return query
