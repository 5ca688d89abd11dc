"""A representative follows its organisation's cases, sees the member as filed and what the
member may see (never a note or an officer), and acts for the member: its answer counts as
the member's, accepting or appealing needs the member's agreement, and what it writes
reaches the member as the representative's."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from grievance.auth.models import Organisation, User
from grievance.cases.models import Case, CaseEvent
from grievance.cases.services import Filed, PersonData
from grievance.extensions import db
from grievance.intake import representation
from notifications import messages
from notifications.models import Notification
from tests.conftest import Auth, csrf_from
from tests.factories import make_case, make_user
from tests.tracking.helpers import open_case, reload, step, text_of, to_in_progress

MEMBER = PersonData(name="Chan Sreymom", phone="+85512345678", sex="female")
OFFICER_NAME = "Officer Vannak Sopheap"


def _sign_out(client: FlaskClient) -> None:
    page = client.get("/track").get_data(as_text=True)
    client.post("/logout", data={"csrf_token": csrf_from(page)})


def _org(name: str = "Garment Workers' Union") -> Organisation:
    org = Organisation(name=name, kind="union", province_code="KH-12")
    db.session.add(org)
    db.session.flush()
    return org


def _rep(auth: Auth, org: Organisation | None, name: str = "Sokha Rep") -> User:
    user: User = auth.login("representative")
    user.name = name
    user.organisation_id = org.id if org else None
    db.session.flush()
    return user


def _filed_for(org: Organisation | None, rep: User | None = None, **fields: Any) -> Filed:
    fields.setdefault("complainant", MEMBER)
    filed = make_case(
        organisation_id=org.id if org else None,
        consent={"by": rep.id if rep else None, "at": "2026-01-05T08:00:00", "how": "thumbprint"},
        **fields,
    )
    filed.case.filed_by_id = rep.id if rep else None
    db.session.flush()
    return filed


def _officer() -> User:
    return make_user("officer", "supervisor", name=OFFICER_NAME)


def _page(client: FlaskClient, case: Case) -> str:
    response = client.get(f"/representative/cases/{case.reference}?lang=en")
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def _version(page: str, prefix: str) -> str:
    match = re.search(rf'name="{prefix}-version"[^>]*value="(\d+)"', page) or re.search(
        rf'value="(\d+)"[^>]*name="{prefix}-version"', page
    )
    assert match, f"no {prefix} form on the page"
    return match.group(1)


def _act(client: FlaskClient, case: Case, name: str, **fields: str) -> Any:
    page = client.get(f"/representative/cases/{case.reference}?lang=en").get_data(as_text=True)
    data = {"csrf_token": csrf_from(page)}
    if f'name="{name}-version"' in page:
        data[f"{name}-version"] = _version(page, name)
    data.update({f"{name}-{k}": v for k, v in fields.items()})
    return client.post(f"/representative/cases/{case.reference}/{name}?lang=en", data=data)


# -- which cases ------------------------------------------------------------------------------


def test_the_organisation_follows_its_cases_and_another_gets_404_everywhere(
    client: FlaskClient, auth: Auth
) -> None:
    ours, theirs = _org(), _org("Informal Workers' Association")
    colleague = make_user("representative", organisation_id=ours.id)
    case = _filed_for(ours, colleague).case
    officer = _officer()
    to_in_progress(case, officer)
    step(case, officer, "request_information", comment="Which months are missing?")
    _rep(auth, theirs)
    for url in (f"/representative/cases/{case.reference}", "/representative/cases/NOPE-NOPE"):
        assert client.get(url).status_code == 404
    page = client.get("/representative/cases?lang=en").get_data(as_text=True)
    assert case.reference not in page and "Chan Sreymom" not in page
    token = csrf_from(page)
    for name in ("provide_information", "accept_resolution", "appeal", "add_information"):
        posted = client.post(
            f"/representative/cases/{case.reference}/{name}",
            data={
                "csrf_token": token,
                f"{name}-answer": "x",
                f"{name}-text": "x",
                f"{name}-reason": "x",
                f"{name}-agreed": "y",
                f"{name}-how": "verbal",
            },
        )
        assert posted.status_code == 404, name
    assert reload(case).state == "awaiting_complainant"


def test_follows_and_follows_case_agree(app: Any) -> None:
    ours, theirs = _org(), _org("Other")
    alone, member, other = (
        make_user("representative"),
        make_user("representative", organisation_id=ours.id),
        make_user("representative", organisation_id=theirs.id),
    )
    officer_too = make_user("officer", organisation_id=ours.id)
    cases = [
        _filed_for(ours, member).case,
        _filed_for(theirs, other).case,
        _filed_for(None, alone).case,
        _filed_for(None, None).case,
    ]
    for user in (alone, member, other, officer_too):
        in_sql = set(db.session.scalars(select(Case.id).where(representation.follows(user))))
        in_python = {c.id for c in cases if representation.follows_case(user, c)}
        assert in_sql & {c.id for c in cases} == in_python, user.username
    assert {c.id for c in cases if representation.follows_case(member, c)} == {cases[0].id}
    assert {c.id for c in cases if representation.follows_case(alone, c)} == {cases[2].id}
    # A representative who leaves the organisation no longer follows its cases.
    member.organisation_id = None
    assert not representation.follows_case(member, cases[0])
    member.active = False
    member.organisation_id = ours.id
    assert not representation.follows_case(member, cases[0])


# -- what it sees -------------------------------------------------------------------------------


def test_the_case_page_shows_the_member_and_what_the_member_sees_never_notes_or_officers(
    client: FlaskClient, auth: Auth
) -> None:
    from grievance.cases import comments

    org = _org()
    rep = _rep(auth, org)
    case = _filed_for(org, rep, concerned_name="Golden Garment Factory").case
    officer = _officer()
    to_in_progress(case, officer)
    comments.add_comment(
        case,
        actor_id=officer.id,
        actor_role="officer",
        text="Internal: the employer's HR manager is my cousin.",
        public=False,
    )
    step(case, officer, "request_information", comment="Which months are missing on the card?")
    db.session.flush()

    listing = client.get("/representative/cases?lang=en").get_data(as_text=True)
    assert "Chan Sreymom" in listing and "+85512345678" in listing
    assert "Your action needed" in listing
    page = text_of(_page(client, case))
    assert "Chan Sreymom" in page and "+85512345678" in page and "By thumbprint" in page
    assert "The officer's question Which months are missing on the card?" in page
    assert "Golden Garment Factory" in page
    assert "cousin" not in page and OFFICER_NAME not in page
    assert "Answer the officer's question for the member" in page
    assert "Add information" not in page  # while the question waits, the answer is the way
    # Written for the representative: the member's answer is awaited, not "yours".
    shown = unescape(page) + unescape(text_of(listing))
    assert shown.count("Waiting for the member's answer") >= 3  # heading, timeline, list
    assert "your answer" not in shown.lower()
    khmer = client.get(f"/representative/cases/{case.reference}?lang=km").get_data(as_text=True)
    assert "កំពុងរង់ចាំចម្លើយពីសមាជិក" in khmer and "ចម្លើយពីអ្នក" not in khmer


def test_no_heading_of_the_representatives_page_speaks_to_the_member(app: Any) -> None:
    """Every heading the member's own page can show (its timeline titles, state names and
    detail labels), as the representative's page words it: no "you", "your", "we" or
    "our", in English or in Khmer."""
    from flask_babel import force_locale, gettext

    from grievance.intake import rep_page
    from grievance.tracking import presenters
    from workflows import WORKFLOWS

    own = [(step, title) for step, title in presenters.OWN_STEPS.items()]
    others = [
        *presenters.FILED.values(),
        presenters.FROM_US,
        presenters.FROM_REPRESENTATIVE,
        presenters.SYSTEMIC_ANSWER,
        presenters.RATED,
        *(state.label for wf in WORKFLOWS.values() for state in wf.states),
    ]
    titles = [rep_page.title_for_representative(step, t) for step, t in own]
    titles += [rep_page.title_for_representative("", t) for t in others]
    details = [
        rep_page.DETAIL_LABELS.get(label, label)
        for inputs in presenters.PUBLIC_INPUTS.values()
        for _key, label in inputs
    ]
    second_person = re.compile(r"\b(you|your|we|our|us)\b", re.IGNORECASE)
    for msgid in [*titles, *details, rep_page.MEMBER_COMMENT]:
        assert not second_person.search(msgid), msgid
        with app.test_request_context(), force_locale("km"):
            khmer = gettext(msgid)
        # អ្នក alone is "you"; អ្នកតំណាង (representative) and អ្នកប្តឹង (complainant) are not.
        bare = khmer.replace("អ្នកតំណាង", "").replace("អ្នកប្តឹង", "")
        assert "អ្នក" not in bare and "យើង" not in khmer, (msgid, khmer)


def test_rejection_reason_and_referral_agency_show_and_nothing_more_can_be_added(
    client: FlaskClient, auth: Auth
) -> None:
    org = _org()
    rep = _rep(auth, org)
    officer, supervisor = _officer(), make_user("supervisor", name="Supervisor Dara")
    rejected, referred = _filed_for(org, rep).case, _filed_for(org, rep).case
    for case in (rejected, referred):
        to_in_progress(case, officer)
    step(rejected, officer, "propose_rejection", reason="The employer is not registered in NSSF.")
    step(rejected, supervisor, "approve_rejection")
    step(referred, officer, "refer", agency="Provincial labour inspectorate, Kandal")

    page = text_of(_page(client, rejected))
    assert "Why the complaint was not accepted" in page
    assert "The employer is not registered in NSSF." in page
    page = text_of(_page(client, referred))
    assert "Sent to Provincial labour inspectorate, Kandal" in page
    for case in (rejected, referred):
        assert "Add information" not in _page(client, case)
        assert _act(client, case, "add_information", text="More").status_code == 409
        assert not [e for e in reload(case).events if e.kind == "comment"]


# -- acting for the member ------------------------------------------------------------------------


def test_the_representatives_answer_counts_as_the_members(
    client: FlaskClient, auth: Auth, app: Any
) -> None:
    org = _org()
    rep = _rep(auth, org, name="Sokha Rep")
    filed = _filed_for(org, rep)
    case = filed.case
    officer = _officer()
    to_in_progress(case, officer)
    step(case, officer, "request_information", comment="Which months are missing?")
    assert reload(case).paused_at is not None

    response = _act(client, case, "provide_information", answer="March to June 2026.")
    assert response.status_code == 303, response.get_data(as_text=True)[:400]
    case = reload(case)
    assert case.state == "in_progress" and case.paused_at is None  # the clock runs again
    answer = [e for e in case.events if e.kind == "transition"][-1]
    assert (answer.actor_id, answer.actor_role) == (rep.id, "representative")
    assert answer.data["answer"] == "March to June 2026."
    told = db.session.scalars(
        select(Notification).where(
            Notification.case_id == case.id, Notification.template == "information_provided"
        )
    ).all()
    assert [n.user_id for n in told] == [officer.id]  # the officer is told, as the rep's
    values = {"reference": case.reference, **told[0].context}
    assert messages.text(told[0].template, "title", "en", **values) == (
        f"The member's representative answered your question on case {case.reference}."
    )
    page = text_of(_page(client, case))
    assert "Answered by Sokha Rep (representative) for the member" in page
    assert "March to June 2026." in page

    # The member's own status page: the answer is the representative's, not hers or ours.
    _sign_out(client)
    member_page = text_of(open_case(client, filed))
    assert "Your representative answered our question for you" in member_page
    assert "March to June 2026." in member_page
    assert "You sent your answer" not in member_page


def test_information_added_reaches_the_member_as_the_representatives(
    client: FlaskClient, auth: Auth
) -> None:
    org = _org()
    rep = _rep(auth, org)
    filed = _filed_for(org, rep)
    assert _act(client, filed.case, "add_information", text="Payslips follow.").status_code == 303
    comment = [e for e in reload(filed.case).events if e.kind == "comment"]
    assert [(c.actor_role, c.public, c.data["text"]) for c in comment] == [
        ("representative", True, "Payslips follow.")
    ]
    assert "Information added by Sokha Rep (representative)" in text_of(_page(client, filed.case))
    _sign_out(client)
    member_page = text_of(open_case(client, filed))
    assert "Message from your representative Payslips follow." in member_page
    assert "Message from us" not in member_page


@pytest.mark.parametrize("name", ["accept_resolution", "appeal"])
def test_accepting_or_appealing_needs_the_members_agreement(
    client: FlaskClient, auth: Auth, name: str
) -> None:
    org = _org()
    rep = _rep(auth, org)
    case = _filed_for(org, rep).case
    officer = _officer()
    to_in_progress(case, officer)
    step(case, officer, "propose_resolution", resolution="NSSF registered you from March.")
    page = text_of(_page(client, case))
    assert "NSSF's answer NSSF registered you from March." in page
    reason = {"reason": "Contributions before March are still missing."} if name == "appeal" else {}

    refused = _act(client, case, name, how="verbal", **reason)  # the box is not ticked
    assert refused.status_code == 400
    assert "only when the member has agreed" in refused.get_data(as_text=True)
    assert reload(case).state == "resolution_proposed"

    done = _act(client, case, name, agreed="y", how="verbal", **reason)
    assert done.status_code == 303, done.get_data(as_text=True)[:400]
    case = reload(case)
    assert case.state == ("closed" if name == "accept_resolution" else "appealed")
    agreed = [e for e in case.events if e.kind == "member_agreed"]
    assert [(e.data["step"], e.data["how"], e.actor_id) for e in agreed] == [
        (name, "verbal", rep.id)
    ]
    assert not agreed[0].public


def test_filing_gives_a_slip_whose_qr_link_opens_the_case_once(
    client: FlaskClient, auth: Auth
) -> None:
    from grievance.tracking.links import check_link

    _rep(auth, _org())
    page = client.get("/representative/file?lang=en").get_data(as_text=True)
    response = client.post(
        "/representative/file?lang=en",
        data={
            "csrf_token": csrf_from(page),
            "consent_given": "y",
            "consent_how": "written",
            "description": "Our member's NSSF card shows no contributions since March.",
            "category": "contributions",
            "province": "KH-8",
            "affected_count": "1",
            "name": "Srey Mom",
            "phone": "012 345 678",
            "sex": "female",
            "language": "km",
            "consent_to_contact": "y",
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200, html[:400]
    assert "<svg" in html and "Filed for Srey Mom by your representative." in html
    assert "the member will also get both codes by sms on +855•••••678" in text_of(html).lower()
    case = db.session.scalar(select(Case).order_by(Case.id.desc()).limit(1))
    assert case is not None
    link = re.search(r'class="slip-link" lang="en">[^<]*/t/([^<]+)<', html)
    assert link is not None  # printed under the QR code, which holds the same link
    assert check_link(link.group(1)).case_id == case.id
    sms = db.session.scalars(
        select(Notification).where(
            Notification.case_id == case.id, Notification.template == "filed"
        )
    ).all()
    assert [n.channel for n in sms] == ["sms"]  # the codes go to the member's phone too


def test_the_slips_link_opens_the_members_status_page_once(client: FlaskClient, auth: Auth) -> None:
    from grievance.intake import pipeline
    from grievance.intake.submission import Submission

    rep = _rep(auth, _org())
    sub = Submission(
        channel="web",
        category="contributions",
        province="KH-8",
        description="No contributions on the card since March.",
        name="Srey Mom",
        consent_how="verbal",
    )
    slip = representation.file_for_member(sub, pipeline.Filer("representative", rep))
    assert "Srey Mom" == slip.member_name and slip.sms_to is None
    path = slip.link.split("://", 1)[-1].split("/", 1)[1]
    _sign_out(client)
    page = client.get(f"/{path}").get_data(as_text=True)
    opened = client.post(f"/{path}", data={"csrf_token": csrf_from(page)})
    assert opened.status_code == 303 and opened.headers["Location"].endswith("/track/case")
    assert slip.reference in client.get("/track/case?lang=en").get_data(as_text=True)
    client.post("/track/done", data={"csrf_token": csrf_from(page)})
    again = client.post(f"/{path}", data={"csrf_token": csrf_from(page)})
    assert again.status_code == 410  # once only


def test_a_representatives_home_is_its_organisations_cases(client: FlaskClient, auth: Auth) -> None:
    _rep(auth, _org())
    response = client.get("/staff")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/representative/cases")


def test_the_organisation_view_filters_by_member_employer_state_and_deadline(
    client: FlaskClient, auth: Auth
) -> None:
    org = _org()
    rep = _rep(auth, org)
    mom = _filed_for(org, rep, concerned_name="Golden Garment").case
    dara = _filed_for(
        org, rep, complainant=PersonData(name="Dara Vuthy", phone="+85597111222", sex="male")
    ).case
    officer = _officer()
    to_in_progress(dara, officer)
    step(dara, officer, "request_information", comment="?")

    def listed(query: str) -> set[str]:
        page = client.get(f"/representative/cases?lang=en&{query}").get_data(as_text=True)
        return {ref for ref in (mom.reference, dara.reference) if ref in page}

    assert listed("") == {mom.reference, dara.reference}
    assert listed("member=sreymom") == {mom.reference}
    assert listed("member=097111") == {dara.reference}
    assert listed("employer=golden") == {mom.reference}
    assert listed("state=awaiting_complainant") == {dara.reference}
    assert listed("deadline=late") == set()
    page = client.get("/representative/cases?lang=en").get_data(as_text=True)
    assert page.index(dara.reference) < page.index(mom.reference)  # waiting for us: first
    assert db.session.scalar(select(CaseEvent.id).limit(1)) is not None


def test_the_list_shows_waiting_cases_first_then_the_newest_up_to_its_length(
    auth: Auth,
) -> None:
    org = _org()
    rep = _rep(auth, org)
    filed = [_filed_for(org, rep).case for _ in range(4)]
    officer = _officer()
    for case in (filed[0], filed[2]):  # the member's move: first, the newer of them first
        to_in_progress(case, officer)
        step(case, officer, "request_information", comment="?")
    listed = representation.organisation_cases(rep, limit=3)
    assert [row.case.id for row in listed] == [filed[2].id, filed[0].id, filed[3].id]
    assert [row.needs_action for row in listed] == [True, True, False]
    assert len(representation.organisation_cases(rep)) == 4


@pytest.mark.parametrize("waiting", [True, False])
def test_a_representatives_list_is_read_in_index_order_not_sorted(
    auth: Auth, waiting: bool
) -> None:
    """Both walks of the list read the organisation's index newest first and stop at the
    page: no sort of all of the organisation's cases (on PostgreSQL with sorting and
    sequential scans discouraged, so that either shows)."""
    from datetime import UTC, datetime

    from tests.plans import unsorted_plan

    rep = _rep(auth, _org())
    now = datetime(2026, 12, 7, tzinfo=UTC)
    filters = representation.Filters()
    plan = unsorted_plan(representation.list_query(rep, filters, now, waiting=waiting, limit=200))
    index = "ix_cases_organisation_waiting" if waiting else "ix_cases_organisation_newest"
    assert index in plan, plan


# -- several members at once --------------------------------------------------------------------


def _file_collective(client: FlaskClient, separately: bool, **extra: str) -> Any:
    page = client.get("/representative/file?lang=en").get_data(as_text=True)
    data = {
        "csrf_token": csrf_from(page),
        "consent_given": "y",
        "consent_how": "written",
        "description": "The factory deducted NSSF money from all of us but never paid it.",
        "category": "contributions",
        "province": "KH-8",
        "affected_count": "1",
        "concerned_name": "Golden Garment",
        "name": "Chan Sreymom",
        "phone": "012 345 678",
        "sex": "female",
        "language": "km",
        "others-0-name": "Dara Vuthy",
        "others-0-phone": "097 111 222",
        "others-0-sex": "male",
        "others-0-how": "verbal",
        "others-0-contact": "y",
        "others-1-name": "Kim Srey Leak",
        "others-1-sex": "female",
        "others-1-how": "thumbprint",
        "separately": "y" if separately else "",
    }
    data.update(extra)
    return client.post("/representative/file?lang=en", data=data)


def _newest(n: int) -> list[Case]:
    return list(db.session.scalars(select(Case).order_by(Case.id.desc()).limit(n)))[::-1]


def test_one_case_for_several_members_lists_each_with_how_they_agreed(
    client: FlaskClient, auth: Auth
) -> None:
    org = _org()
    _rep(auth, org)
    before = db.session.scalar(select(Case.id).order_by(Case.id.desc()).limit(1)) or 0
    response = _file_collective(client, separately=False)
    assert response.status_code == 200, response.get_data(as_text=True)[:400]
    (case,) = [c for c in _newest(3) if c.id > before]
    html = response.get_data(as_text=True)
    assert html.count('class="slip"') == 3  # one slip, and one link, for every member
    assert len(set(re.findall(r'class="slip-link" lang="en">([^<]+)<', html))) == 3
    assert case.affected_count == 3
    assert [(p.name, p.phone, p.sex) for p in case.affected] == [
        ("Dara Vuthy", "+85597111222", "male"),
        ("Kim Srey Leak", None, "female"),
    ]
    page = text_of(_page(client, case))
    for name, how in (
        ("Chan Sreymom", "In writing"),
        ("Dara Vuthy", "By word of mouth"),
        ("Kim Srey Leak", "By thumbprint"),
    ):
        assert f"Name {name}" in page and how in page
    listing = text_of(client.get("/representative/cases?lang=en").get_data(as_text=True))
    assert "Chan Sreymom" in listing and "Other members: 2" in listing


def test_every_member_who_gave_a_phone_and_agreed_gets_the_codes_on_their_own_phone(
    client: FlaskClient, auth: Auth
) -> None:
    from notifications import crypto
    from notifications.complainant_sms import body

    org = _org()
    _rep(auth, org)
    response = _file_collective(client, separately=False, consent_to_contact="y")
    html = response.get_data(as_text=True)
    assert response.status_code == 200, html[:400]
    (case,) = _newest(1)
    rows = db.session.scalars(
        select(Notification)
        .where(Notification.case_id == case.id, Notification.template == "filed")
        .order_by(Notification.id)
    ).all()
    # The first member and Dara (phone, agreed); Kim gave no phone: no text, nobody else's.
    assert [(r.channel, r.address) for r in rows] == [
        ("sms", "+85512345678"),
        ("sms", "+85597111222"),
    ]
    texts = [body(r, crypto.unseal(r.context.get("secret_sealed"))) for r in rows]
    links = [re.search(r"/t/([\w-]{16})", t) for t in texts]
    assert all(case.reference in t for t in texts)
    assert links[0] and links[1] and links[0].group(1) != links[1].group(1)  # one link each
    shown = text_of(html).lower()
    assert "+855•••••678" in shown and "+855•••••222" in shown


def test_one_case_per_member_when_their_problems_differ_linked_together(
    client: FlaskClient, auth: Auth
) -> None:
    org = _org()
    _rep(auth, org)
    response = _file_collective(client, separately=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200, html[:400]
    assert html.count('class="slip"') == 3  # a slip for each member
    cases = _newest(3)
    assert [c.complainant.name for c in cases if c.complainant] == [
        "Chan Sreymom",
        "Dara Vuthy",
        "Kim Srey Leak",
    ]
    assert [c.consent["how"] for c in cases if c.consent] == ["written", "verbal", "thumbprint"]
    page = text_of(_page(client, cases[1]))
    together = page[page.index("Filed together with:") :][:60]
    assert cases[0].reference in together and cases[2].reference in together
    assert "Dara Vuthy" in page and "Chan Sreymom" not in page


def test_another_member_without_consent_or_name_is_refused_and_nothing_is_filed(
    client: FlaskClient, auth: Auth
) -> None:
    _rep(auth, _org())
    count = db.session.scalar(select(func.count(Case.id)))
    response = _file_collective(
        client, separately=False, **{"others-1-how": "", "others-0-name": ""}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Please choose how the member agreed." in html
    assert "Please write the member&#39;s name." in html
    assert db.session.scalar(select(func.count(Case.id))) == count
