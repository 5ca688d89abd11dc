"""The officer's workspace: my cases, queues and claim-next, workload, bulk reassignment,
and the reason form that opens a restricted case ("break glass")."""

from __future__ import annotations

from functools import lru_cache

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from werkzeug.wrappers import Response

from grievance import uow
from grievance.auth.decorators import roles_required
from grievance.cases import policy, queries, transitions
from grievance.errors import DomainError, NotFound
from grievance.extensions import db
from grievance.formats import time_formatter
from grievance.queues import assignment, overview, restricted, workspace
from grievance.queues import inbox as inbox_reads
from grievance.queues.filters import filters_from, with_choices
from grievance.queues.forms import BreakGlassForm, BulkReassignForm, CaseFilterForm, ClaimForm
from grievance.queues.models import Queue
from grievance.types import utcnow
from workflows import N_

bp = Blueprint("queues", __name__, url_prefix="/workspace")
WORKERS = ("officer", "supervisor")


@bp.context_processor
def _list_helpers() -> dict[str, object]:
    """Helpers for pages of 50 rows: the locale and time zone are looked up once, and each
    label is translated once per page instead of once per row."""
    short_time = time_formatter("short")
    return {"is_overdue": workspace.is_overdue, "short_time": short_time, "tr": lru_cache(_)}


SKIP_REASONS = {
    "not_eligible": N_("the chosen officer may not take this case"),
    "nobody_available": N_("no available officer in its queue"),
    "state": N_("it cannot be reassigned at this stage"),
}


@bp.route("/", methods=["GET", "POST"])
@roles_required(*WORKERS)
def my_cases() -> str:
    posted = request.method == "POST"
    form = with_choices(CaseFilterForm(formdata=request.form if posted else request.args))
    filters = filters_from(form, searching=posted)
    now = utcnow()
    page = workspace.case_list(current_user, filters)
    found = workspace.snippets(page, filters.text)
    return render_template(
        "queues/my_cases.html", form=form, filters=filters, page=page, now=now, snippets=found
    )


@bp.get("/queues")
@roles_required("officer", "supervisor", "admin")
def queues() -> str:
    now = utcnow()
    found = overview.overview(current_user, now)
    return render_template(
        "queues/queues.html",
        items=found.queues,
        member=found.member_of,
        claim_form=ClaimForm(),
        now=now,
    )


@bp.get("/queues/<code>")
@roles_required("officer", "supervisor", "admin")
def queue(code: str) -> str:
    now = utcnow()
    found = overview.queue_view(current_user, code, request.args.get("page", 1, int), now)
    return render_template(
        "queues/queue.html",
        summary=found.summary,
        page=found.page,
        member=found.member,
        claim_form=ClaimForm(queue=found.summary.queue.id),
        now=now,
    )


@bp.post("/claim")
@roles_required("officer")
def claim() -> Response:
    form = ClaimForm()
    form.validate()
    raw = form.queue.data or ""
    queue_ids = [int(raw)] if raw.isdigit() else None
    back = url_for("queues.queues")
    if queue_ids:
        queue = db.session.get(Queue, queue_ids[0])
        back = url_for("queues.queue", code=queue.code) if queue else back
    acknowledge = form.acknowledge.data == "1"
    try:
        case = assignment.claim_next(current_user, queue_ids, acknowledge=acknowledge)
    except DomainError as error:
        abort(error.status)
    except transitions.StaleCase:
        uow.discard()
        flash(_("Someone else took that case at the same moment. Please try again."), "error")
        return redirect(back)
    if case is None:
        for line in _why_nothing(assignment.why_nothing(current_user, queue_ids)):
            flash(line, "info")
        return redirect(back)
    if acknowledge and case.events[-2].data.get("transition") == "acknowledge":
        flash(
            _(
                "Case %(reference)s is acknowledged and now yours; the complainant is told "
                "it was received.",
                reference=case.reference,
            ),
            "info",
        )
    else:
        flash(_("Case %(reference)s is now yours.", reference=case.reference), "info")
    return redirect(url_for("cases.show", reference=case.reference))


def _why_nothing(found: assignment.Nothing) -> list[str]:
    """Why claim-next found nothing, each line with the number of cases it concerns."""
    if found.away:
        return [_("You are marked away, so no case is given to you. Ask your supervisor.")]
    lines = [_("No case is waiting that you can take in these queues.")]
    if n := found.not_acknowledged:
        lines.append(
            ngettext(
                '%(num)d case needs acknowledging first: use "Acknowledge and take".',
                '%(num)d cases need acknowledging first: use "Acknowledge and take".',
                n,
            )
        )
    if n := found.blocked.get("holder_not_woman", 0):
        lines.append(
            ngettext(
                "%(num)d case waits for a woman officer.",
                "%(num)d cases wait for a woman officer.",
                n,
            )
        )
    if n := found.blocked.get("holder_not_designated", 0):
        lines.append(
            ngettext(
                "%(num)d restricted case waits for an officer designated for restricted cases.",
                "%(num)d restricted cases wait for an officer designated for restricted cases.",
                n,
            )
        )
    if n := found.blocked.get("holder_out_of_province", 0):
        lines.append(
            ngettext(
                "%(num)d case is in a province you do not work in.",
                "%(num)d cases are in provinces you do not work in.",
                n,
            )
        )
    return lines


@bp.get("/inbox")
@roles_required("supervisor")
def inbox() -> str:
    found = inbox_reads.inbox(current_user, utcnow())
    return render_template("queues/inbox.html", inbox=found)


@bp.get("/workload")
@roles_required("supervisor")
def workload() -> str:
    found = overview.workload_view(current_user, utcnow())
    return render_template(
        "queues/workload.html",
        loads=found.loads,
        accesses=found.accesses,
        designated=found.designated,
    )


@bp.route("/reassign", methods=["GET", "POST"])
@roles_required("supervisor")
def bulk_reassign() -> tuple[str, int]:
    officers = {str(u.id): u for u in overview.officers_in_scope(current_user)}
    form = BulkReassignForm()
    names = [(k, u.name) for k, u in officers.items()]
    form.leaving.choices = names
    form.target.choices = [("", _("Share them out in each case's queue")), *names]
    if request.method == "GET" or not form.validate():
        return render_template("queues/reassign.html", form=form, result=None), (
            400 if request.method == "POST" else 200
        )
    leaving = officers.get(form.leaving.data or "")
    if leaving is None:
        abort(400)
    preview = form.confirmed.data != "1"
    try:
        result = assignment.reassign_all(
            leaving,
            officers.get(form.target.data or ""),
            form.reason.data or "",
            current_user,
            mark_away=bool(form.mark_away.data),
            preview=preview,
        )
    except transitions.StaleCase:
        uow.discard()
        flash(_("A case changed while we were moving it. Nothing was moved; try again."), "error")
        return render_template("queues/reassign.html", form=form, result=None), 409
    except DomainError as error:
        flash(_("This action is not possible."), "error")
        return render_template("queues/reassign.html", form=form, result=None), error.status
    if preview:
        form.confirmed.data = "1"
    return render_template(
        "queues/reassign.html", form=form, result=result, reasons=SKIP_REASONS
    ), 200


@bp.post("/restricted/<reference>")
@roles_required(*policy.CASE_ROLES)
def open_restricted(reference: str) -> Response | tuple[str, int]:
    case = queries.case_by_reference(reference)
    form = BreakGlassForm()
    if case is None or not policy.may_break_glass(current_user, case):
        abort(404)
    if not form.validate():
        return render_template("queues/break_glass.html", case=case, form=form), 400
    try:
        restricted.break_glass(case, current_user, form.reason.data or "")
    except NotFound:
        raise  # the error page, as for any case the user may not open
    except DomainError:
        return render_template("queues/break_glass.html", case=case, form=form), 400
    return redirect(url_for("cases.show", reference=case.reference))
