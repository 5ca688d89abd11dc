"""Demo data: a living system for a newcomer. Idempotent (keyed on natural keys)."""

from __future__ import annotations

import random
import secrets
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from grievance.auth.models import Organisation, User
from grievance.auth.services import create_user
from grievance.cases.models import Case, Category, Province
from grievance.cases.services import NewCase, PersonData, file_case
from grievance.extensions import db
from grievance.intake.models import Forum
from grievance.queues.models import Queue
from grievance.seed.demo_voice import seed_voice_case
from grievance.seed.reference import rows
from grievance.systemic import registry
from grievance.systemic.links import link_filed
from grievance.types import utcnow

PP = ZoneInfo("Asia/Phnom_Penh")
DEMO_CASES = 300

MEMBER_NAMES = ["Chan Sreymom", "Dara Vuthy", "Kim Srey Leak", "Sok Phally", "Heng Bopha"]
AGREEMENTS = ["written", "verbal", "thumbprint"]
ORGANISATIONS = [
    ("Cambodian Garment Workers' Union", "សហជីពកម្មករកាត់ដេរកម្ពុជា", "union", "KH-12"),
    ("Informal Economy Workers' Association", "សមាគមកម្មករសេដ្ឋកិច្ចក្រៅប្រព័ន្ធ", "association", "KH-12"),
    ("Women Workers' Rights Network", "បណ្តាញសិទ្ធិកម្មករស្ត្រី", "ngo", "KH-17"),
]

# username, name, sex, language, roles (role, province)
USERS: list[tuple[str, str, str, str, list[tuple[str, str | None]]]] = [
    ("admin", "Sokha Admin", "female", "en", [("admin", None)]),
    ("supervisor", "Dara Supervisor", "male", "km", [("supervisor", None), ("officer", None)]),
    ("supervisor.pp", "Chenda Supervisor", "female", "km", [("supervisor", "KH-12")]),
    ("officer", "Sreymom Officer", "female", "km", [("officer", None)]),
    ("officer.pp", "Vuthy Officer", "male", "km", [("officer", "KH-12")]),
    ("officer.sr", "Bopha Officer", "female", "km", [("officer", "KH-17")]),
    ("intake", "Rathana Intake", "female", "km", [("intake", None)]),
    ("oversight", "Kosal Oversight", "male", "en", [("oversight", None)]),
    ("representative", "Srey Leak Representative", "female", "km", [("representative", None)]),
]

STORIES = [
    (
        "registration",
        "employer",
        "My employer never registered me with NSSF although I have worked there two years.",
    ),
    (
        "registration",
        "nssf",
        "My NSSF card has the wrong date of birth and the hospital refused it.",
    ),
    (
        "contributions",
        "employer",
        "The factory deducts NSSF contributions from our pay but NSSF says nothing was paid.",
    ),
    (
        "maternity",
        "nssf",
        "I gave birth three months ago and have not received the maternity allowance.",
    ),
    ("maternity", "employer", "My supervisor told me to resign when I said I was pregnant."),
    (
        "healthcare_quality",
        "health_facility",
        "The health centre asked me for money although I showed my NSSF card.",
    ),
    (
        "healthcare_quality",
        "health_facility",
        "The hospital refused to treat my child who is covered by the scheme.",
    ),
    ("health_equity_card", "nssf", "I work in a restaurant and cannot get a health equity card."),
    ("dependants_scheme", "nssf", "How can I enrol my mother in the voluntary healthcare scheme?"),
    (
        "employment_injury",
        "employer",
        "I hurt my hand at work and the compensation was never paid.",
    ),
    (
        "pension",
        "nssf",
        "I do not understand how many years of contributions I need for a pension.",
    ),
    (
        "harassment_retaliation",
        "employer",
        "After I complained, the line leader cut my overtime and shouts at me.",
    ),
    ("information", "nssf", "Which documents do I need to claim sickness allowance?"),
    ("suggestion", "nssf", "Please open the NSSF office on Saturday mornings for workers."),
    (
        "other",
        "other",
        "The NSSF office in my province is closed during lunch when workers can come.",
    ),
]
CHANNEL_WEIGHTS = {"web": 25, "hotline": 30, "sms": 15, "forum": 15, "walk_in": 10, "api": 5}
SEX_WEIGHTS = {"female": 68, "male": 27, "not_stated": 5}
Advance = Callable[[Case, random.Random, datetime], None]


def _org_ids() -> dict[str, int]:
    for name, name_km, kind, province in ORGANISATIONS:
        if not db.session.scalar(select(Organisation.id).where(Organisation.name == name)):
            db.session.add(
                Organisation(name=name, name_km=name_km, kind=kind, province_code=province)
            )
    db.session.flush()
    return {o.name: o.id for o in db.session.scalars(select(Organisation))}


def _users(org_ids: dict[str, int]) -> dict[str, str]:
    created: dict[str, str] = {}
    for username, name, sex, language, roles in USERS:
        if db.session.scalar(select(User.id).where(User.username == username)):
            continue
        password = secrets.token_urlsafe(12)
        org = org_ids[ORGANISATIONS[0][0]] if username == "representative" else None
        create_user(
            username, password, name, roles, language=language, sex=sex, organisation_id=org
        )
        created[username] = password
    return created


# Queue memberships; the restricted queue's members are its designated (women) officers.
QUEUE_MEMBERS = {
    "officer": ["restricted", "national", "office-kh-12"],
    "officer.pp": ["office-kh-12"],
    "officer.sr": ["office-kh-17"],
    "supervisor": ["national"],
}


def _queue_members() -> None:
    for username, codes in QUEUE_MEMBERS.items():
        user = db.session.scalar(select(User).where(User.username == username))
        for code in codes:
            queue = db.session.scalar(select(Queue).where(Queue.code == code))
            if user is not None and queue is not None and user not in queue.members:
                queue.members.append(user)
    db.session.flush()


def _forums() -> None:
    for row in rows("forums.csv"):
        if db.session.scalar(select(Forum.id).where(Forum.title == row["title"])):
            continue
        db.session.add(
            Forum(
                title=row["title"],
                level=row["level"],
                province_code=row["province_iso"],
                venue=row["venue"],
                start_date=date.fromisoformat(row["start_date"]),
                end_date=date.fromisoformat(row["end_date"]),
                organisers=row["organisers"],
                title_km=row["title_km"],
                venue_km=row["venue_km"],
                organisers_km=row["organisers_km"],
                participants_total=int(row["participants_total"])
                if row["participants_total"]
                else None,
                notes=row["notes"],
            )
        )
    db.session.flush()


KHMER_LETTERS = "កខគឃងចឆជ"


def _registry() -> None:
    """The demo's employers (the "Factory A" to "H" its stories name), once."""
    for n, letter in enumerate("ABCDEFGH"):
        data = registry.EntryData(
            kind="employer",
            code=f"E-DEMO-{n + 1:03d}",
            name_km=f"រោងចក្រ {KHMER_LETTERS[n]}",
            name_latin=f"Factory {letter}",
            province_code="KH-12",
            sector="garment",
        )
        registry.save(data, None, "import")


def _pick(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _working_moment(rng: random.Random, day: date) -> datetime:
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    local = datetime.combine(day, time(7, 30), PP) + timedelta(minutes=rng.randrange(0, 600))
    return local.astimezone(ZoneInfo("UTC"))


def _cases(advance: Advance | None, now: datetime) -> int:
    existing = db.session.scalar(select(func.count()).select_from(Case)) or 0
    if existing >= DEMO_CASES:
        return 0
    rng = random.Random(2023 + existing)  # noqa: S311  (demo data, not security)
    provinces = list(db.session.scalars(select(Province.code)))
    weighted_provinces = (
        ["KH-12"] * 30 + ["KH-8", "KH-3", "KH-17", "KH-18", "KH-20"] * 4 + provinces
    )
    categories = {c.code: c for c in db.session.scalars(select(Category))}
    forums = list(db.session.scalars(select(Forum)))
    org_ids = list(db.session.scalars(select(Organisation.id)))
    made = 0
    for _ in range(DEMO_CASES - existing):
        code, concerned, story = rng.choice(STORIES)
        channel = _pick(rng, CHANNEL_WEIGHTS)
        forum = rng.choice(forums) if channel == "forum" and forums else None
        day = (now - timedelta(days=rng.randrange(0, 365))).date()
        if forum is not None:  # a forum's concerns are recorded during the forum
            day = forum.start_date + timedelta(
                days=rng.randrange(0, (forum.end_date - forum.start_date).days + 1)
            )
        at = _working_moment(rng, day)
        if at > now:
            at = now - timedelta(hours=1)
        anonymous = rng.random() < 0.15
        org_id = rng.choice(org_ids) if channel == "web" and rng.random() < 0.3 else None
        # A representative files for a named member who agreed (see intake.representation).
        member = rng.choice(MEMBER_NAMES) if org_id is not None and not anonymous else None
        consent = (
            {"by": None, "at": at.isoformat(), "how": rng.choice(AGREEMENTS)} if member else None
        )
        filed = file_case(
            NewCase(
                category_code=code,
                province_code=rng.choice(weighted_provinces),
                description=story,
                channel=channel,
                concerned_type=concerned,
                concerned_name=("Factory " + rng.choice("ABCDEFGH"))
                if concerned == "employer"
                else None,
                complainant=None
                if anonymous
                else PersonData(
                    name=member,
                    phone=f"+8551{rng.randrange(0, 10)}{rng.randrange(100000, 999999)}",
                    sex=_pick(rng, SEX_WEIGHTS),
                    worker_type=rng.choice(
                        ["garment", "garment", "informal", "entertainment", "farmer"]
                    ),
                    consent_to_contact=True,
                ),
                confidentiality="restricted" if code == "harassment_retaliation" else "normal",
                affected_count=rng.choice([1, 1, 1, 1, 3, 12, 40]),
                organisation_id=org_id,
                consent=consent,
                forum_id=forum.id if forum is not None else None,
            ),
            at=at,
        )
        link_filed(filed.case, at)  # as intake's pipeline does
        if advance is not None and categories[code].active:
            advance(filed.case, rng, now)
        made += 1
    return made


def seed_demo(
    instance_path: str, advance: Advance | None = None
) -> dict[str, int | dict[str, str]]:
    """Organisations, demo users (new passwords returned once), forums, ~300 cases and
    one told in a Telegram voice note."""
    org_ids = _org_ids()
    passwords = _users(org_ids)
    _queue_members()
    _forums()
    _registry()
    made = _cases(advance, utcnow())
    made += seed_voice_case(utcnow())
    db.session.flush()
    if passwords:
        _remember_logins(Path(instance_path), passwords)
    return {"users_created": passwords, "cases_created": made}


def _remember_logins(instance: Path, passwords: dict[str, str]) -> None:
    """Demo only: keep the generated logins beside the demo database so `make run` can show them."""
    path = instance / "demo-logins.txt"
    with path.open("a", encoding="utf-8") as handle:
        for username, password in passwords.items():
            handle.write(f"{username} {password}\n")
    path.chmod(0o600)
