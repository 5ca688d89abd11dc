"""Officers' case pages: a list, one case with its actions and timeline, comments."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from werkzeug.wrappers import Response

from grievance import uow
from grievance.auth.decorators import roles_required
from grievance.cases import (
    approvals,
    comments,
    contact,
    eligibility,
    evidence,
    people,
    policy,
    presenters,
    queries,
    replies,
    transitions,
)
from grievance.cases.forms import (
    CallForm,
    CommentForm,
    DecisionForm,
    MessageForm,
    ReplyTemplateForm,
    TransitionForm,
)
from grievance.cases.models import Case, CaseEvent, Province, ReplyTemplate
from grievance.domain import SEXES
from grievance.errors import DomainError
from grievance.extensions import db
from grievance.i18n import lang
from grievance.queues.forms import BreakGlassForm
from grievance.refusals import explain
from grievance.security import normalize_reference
from grievance.systemic.forms import EntityForm
from grievance.systemic.queries import case_panel
from grievance.tracking import recovery
from grievance.types import utcnow
from workflows import MissingInput, WorkflowError, get_workflow

bp = Blueprint("cases", __name__, url_prefix="/cases")
STAFF = policy.CASE_ROLES


def _load(reference: str) -> Case:
    return queries.load_case(reference, current_user)


@bp.get("/")
@roles_required(*STAFF)
def index() -> str | Response:
    wanted = request.args.get("q", "").strip()
    if wanted:
        ref = normalize_reference(wanted)
        if ref:
            return redirect(url_for("cases.show", reference=ref))
        flash(_("That is not a valid case reference."), "error")
    return render_template("cases/index.html", cases=queries.newest_visible(current_user, 50))


def _officer_choices(case: Case) -> list[tuple[str, str]]:
    """Only officers who may hold the case, least loaded first; nothing preselected."""
    keep = () if case.assignee_id is None else (case.assignee_id,)
    found = eligibility.candidates(case, exclude=keep)
    return [("", _("Choose an officer")), *((str(c.user.id), _candidate(c)) for c in found)]


def _candidate(c: eligibility.Candidate) -> str:
    provinces = eligibility.officer_provinces(c.user)
    where = (
        _("all provinces")
        if provinces is None
        else ", ".join(sorted(p.name(lang()) for p in _provinces(provinces)))
    )
    load = ngettext("%(num)d open case", "%(num)d open cases", c.open_cases)
    return f"{c.user.name} · {_(SEXES.get(c.user.sex, c.user.sex))} · {where} · {load}"


def _provinces(codes: set[str]) -> list[Province]:
    return [p for code in codes if (p := db.session.get(Province, code)) is not None]


def _render(  # type: ignore[no-untyped-def]
    case: Case,
    form: TransitionForm | None = None,
    failed: str = "",
    status: int = 200,
    conflict: list[CaseEvent] | None = None,
    reply: ReplyTemplate | None = None,
):
    actor = transitions.actor_for(current_user)
    form = form or TransitionForm(version=case.version, seen=case.event_count)
    message_form = MessageForm()
    if reply is not None:  # the officer starts from a template, in the case's language
        target = message_form.text if reply.purpose == "message" else None
        target = target or getattr(form, replies.FIELDS[reply.purpose])
        target.data = reply.body(case.language)
    if form.errors or conflict:
        form.version.data, form.seen.data = case.version, case.event_count
    actions = presenters.ordered_actions(case.state, transitions.available(case, actor))
    if any("assignee_id" in a.inputs for a in actions):
        form.assignee_id.choices = _officer_choices(case)
    waiting = approvals.pending(case)
    if waiting is not None:  # one request at a time: no second ask while one waits
        actions = [a for a in actions if a.second_person is None]
    refusal = None
    if any(a.name == "claim" for a in actions):
        refusal = eligibility.why_not(current_user, case)
        if refusal is not None:
            actions = [a for a in actions if a.name != "claim"]
    return (
        render_template(
            "cases/show.html",
            case=case,
            workflow=get_workflow(case.workflow),
            actions=actions,
            claim_refusal=explain(eligibility.NotEligible(refusal)) if refusal else None,
            form=form,
            failed=failed,
            conflict=conflict,
            comment_form=CommentForm(),
            message_form=message_form,
            reply=reply,
            reply_templates=replies.active(),
            reply_purposes=replies.PURPOSES,
            call_form=CallForm(),
            may_contact=case.assignee_id == current_user.id or current_user.has_role("supervisor"),
            show_identity=policy.can_see_identity(current_user, case),
            files=evidence.items(current_user, case),
            head=presenters.header(case, utcnow()),
            person_channels=people.channels_of(case.complainant) if case.complainant else [],
            may_recover=recovery.may_recover(current_user, case),
            systemic=case_panel(case, current_user),
            entity_form=EntityForm(),
            waiting=waiting,
            may_decide=waiting is not None and approvals.why_not(current_user, waiting) is None,
            decision_form=DecisionForm(),
        ),
        status,
    )


@bp.route("/replies", methods=["GET", "POST"])
@roles_required("admin")
def reply_templates():  # type: ignore[no-untyped-def]
    form = ReplyTemplateForm()
    form.purpose.choices = [(k, _(v)) for k, v in replies.PURPOSES.items()]
    status = 200
    if request.method == "POST":
        try:
            if not form.validate():
                raise DomainError("comment_too_long")
            raw_id = form.template_id.data or ""
            saved = replies.save(
                current_user,
                template_id=int(raw_id) if raw_id.isdigit() else None,
                title=form.title.data or "",
                purpose=form.purpose.data or "",
                body_km=form.body_km.data or "",
                body_en=form.body_en.data or "",
                active=bool(form.active.data),
            )
        except DomainError as error:
            flash(explain(error), "error")
            status = 400
        else:
            flash(_("Reply template “%(title)s” saved.", title=saved.title), "info")
            return redirect(url_for("cases.reply_templates"))
    elif (edit := request.args.get("edit", "")).isdigit():
        found = db.session.get(ReplyTemplate, int(edit))
        if found is not None:
            form = ReplyTemplateForm(obj=found, template_id=str(found.id))
            form.purpose.choices = [(k, _(v)) for k, v in replies.PURPOSES.items()]
    html = render_template(
        "cases/replies.html", form=form, templates=replies.every(), purposes=replies.PURPOSES
    )
    return html, status


@bp.get("/<reference>")
@roles_required(*STAFF)
def show(reference: str):  # type: ignore[no-untyped-def]
    case = queries.case_by_reference(reference)
    if case is not None and policy.may_break_glass(current_user, case):
        # Restricted: only with a reason, which is logged and reported ("break glass").
        form = BreakGlassForm()
        return render_template("queues/break_glass.html", case=case, form=form), 403
    case = queries.checked(case, current_user)
    raw = request.args.get("reply", "")
    reply = db.session.get(ReplyTemplate, int(raw)) if raw.isdigit() else None
    return _render(case, reply=reply if reply is not None and reply.active else None)


@bp.get("/<reference>/files/<int:attachment_id>")
@roles_required(*STAFF)
def evidence_file(reference: str, attachment_id: int) -> Response:
    case = _load(reference)
    play = request.args.get("play") == "1"  # a voice note's copy browsers can play
    try:
        attachment, path, content_type = evidence.file_of(
            current_user, case, attachment_id, playable=play
        )
    except DomainError:
        abort(404)
    download = request.args.get("download") == "1"
    name = f"{case.reference}-{evidence_number(case, attachment.id)}.{path.suffix.lstrip('.')}"
    response = send_file(  # ranges served: a long note can be played from any point
        path,
        mimetype=content_type,
        as_attachment=download,
        download_name=name,
        conditional=True,
        etag=False,
        max_age=0,
    )
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def evidence_number(case: Case, attachment_id: int) -> int:
    found = [
        i.number for i in evidence.items(current_user, case) if i.attachment.id == attachment_id
    ]
    return found[0] if found else 0


@bp.post("/<reference>/act/<name>")
@roles_required(*STAFF)
def act(reference: str, name: str):  # type: ignore[no-untyped-def]
    case = _load(reference)
    form = TransitionForm()
    if not form.validate():
        return _render(case, form, failed=name, status=400)
    try:
        done = _take_or_ask(case, name, form)
    except transitions.StaleCase:
        # A real conflict: show what changed, and the case with the typed text kept.
        uow.discard()
        case = _load(reference)
        since = transitions.changes_since(case, int(form.seen.data or 0))
        return _render(case, form, failed=name, status=409, conflict=since)
    except MissingInput as error:
        getattr(form, error.field).errors = [_("Please fill in this field.")]
        return _refused(reference, form, name, 400)
    except WorkflowError as error:
        flash(_(error.message), "error")
        return _refused(reference, form, name, error.http_status)
    except DomainError as error:
        flash(explain(error), "error")
        return _refused(reference, form, name, 400)
    flash(done, "info")
    if request.form.get("back") == "inbox":  # acted from the supervisor's inbox
        return redirect(url_for("queues.inbox"))
    return redirect(url_for("cases.show", reference=case.reference))


def _take_or_ask(case: Case, name: str, form: TransitionForm) -> str:
    """Take the step, or ask for it when it needs a second person; what happened, in words."""
    version, seen = int(form.version.data or -1), int(form.seen.data or 0)
    if approvals.held(case, name):
        approvals.ask(
            case, current_user, name, form.inputs(), expected_version=version, seen_events=seen
        )
        return _(
            "Asked. A supervisor must approve this before it takes effect; until then the "
            "case stays as it is."
        )
    actor = transitions.actor_for(current_user)
    transitions.apply(case, name, actor, form.inputs(), expected_version=version, seen_events=seen)
    return presenters.done_message(case, get_workflow(case.workflow).transition(name))


@bp.post("/<reference>/requests/<int:approval_id>")
@roles_required(*STAFF)
def decide(reference: str, approval_id: int):  # type: ignore[no-untyped-def]
    """A supervisor approves or refuses a request that needs a second person."""
    case = _load(reference)
    form = DecisionForm()
    approve = form.decision.data == "approve"
    try:
        if not form.validate() or (approve and not form.confirm.data):
            raise DomainError("confirm_required")
        asked = approvals.find(case, approval_id)
        event = approvals.decide(
            asked, current_user, approve=approve, reason=form.reason.data or ""
        )
    except WorkflowError as error:
        flash(_(error.message), "error")
        return _refused(reference, TransitionForm(), "", error.http_status)
    except DomainError as error:
        flash(explain(error), "error")
        return _refused(reference, TransitionForm(), "", error.status)
    if approve:
        step = get_workflow(case.workflow).transition(str(event.data["transition"]))
        flash(presenters.done_message(case, step), "info")
    else:
        flash(_("Refused. The colleague who asked is told, with your reason."), "info")
    if form.back.data == "inbox":
        return redirect(url_for("queues.inbox"))
    return redirect(url_for("cases.show", reference=case.reference))


@bp.post("/<reference>/comment")
@roles_required(*STAFF)
def comment(reference: str) -> Response:
    case = _load(reference)
    form = CommentForm()
    try:
        if not form.validate():
            raise DomainError("comment_too_long")
        comments.add_comment(
            case,
            actor_id=current_user.id,
            actor_role=transitions.actor_role(current_user),
            text=form.text.data or "",
            public=bool(form.public.data),
        )
    except DomainError as error:
        flash(explain(error), "error")
        return redirect(url_for("cases.show", reference=case.reference))
    flash(_("Comment added."), "info")
    return redirect(url_for("cases.show", reference=case.reference) + "#timeline")


@bp.post("/<reference>/message")
@roles_required(*STAFF)
def message(reference: str) -> Response:
    case = _load(reference)
    form = MessageForm()
    try:
        if not form.validate():
            raise DomainError("comment_too_long")
        sent = contact.message_complainant(case, current_user, form.text.data or "")
    except DomainError as error:
        flash(explain(error), "error")
        return redirect(url_for("cases.show", reference=case.reference))
    if sent.by_sms:
        flash(_("Message sent to the complainant by SMS and shown on her status page."), "info")
    else:
        flash(
            _(
                "Message shown on the complainant's status page. No SMS: there is no phone "
                "number, or she did not agree to be contacted."
            ),
            "info",
        )
    return redirect(url_for("cases.show", reference=case.reference) + "#timeline")


@bp.post("/<reference>/call")
@roles_required(*STAFF)
def call(reference: str) -> Response:
    case = _load(reference)
    form = CallForm()
    try:
        if not form.validate():
            raise DomainError("comment_too_long")
        contact.log_call(case, current_user, form.direction.data or "", form.note.data or "")
    except DomainError as error:
        flash(explain(error), "error")
        return redirect(url_for("cases.show", reference=case.reference))
    flash(_("The call is on the case's timeline (staff only)."), "info")
    return redirect(url_for("cases.show", reference=case.reference) + "#timeline")


def _refused(reference: str, form: TransitionForm, name: str, status: int):  # type: ignore[no-untyped-def]
    """The step was refused: show the case as it stands, with what was typed kept."""
    uow.discard()
    return _render(_load(reference), form, failed=name, status=status)
