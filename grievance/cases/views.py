"""Officers' case pages: a list, one case with its actions and timeline, comments."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from grievance import uow
from grievance.auth.decorators import roles_required
from grievance.auth.models import User, UserRole
from grievance.cases import comments, policy, queries, transitions
from grievance.cases.forms import CommentForm, TransitionForm
from grievance.cases.models import Case
from grievance.errors import DomainError
from grievance.extensions import db
from grievance.i18n import lang
from grievance.khmer import sorted_choices
from grievance.queues.forms import BreakGlassForm
from grievance.refusals import explain
from grievance.security import normalize_reference
from grievance.systemic.forms import EntityForm
from grievance.systemic.queries import case_panel
from grievance.tracking import recovery
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


def _officers() -> list[tuple[str, str]]:
    rows = db.session.scalars(
        select(User)
        .join(UserRole)
        .where(UserRole.role.in_(("officer", "supervisor")), User.active.is_(True))
        .distinct()
    )
    return sorted_choices(((str(u.id), u.name) for u in rows), lang())


def _render(case: Case, form: TransitionForm | None = None, failed: str = "", status: int = 200):  # type: ignore[no-untyped-def]
    actor = transitions.actor_for(current_user)
    form = form or TransitionForm(version=case.version, seen=case.event_count)
    form.assignee_id.choices = _officers()
    return (
        render_template(
            "cases/show.html",
            case=case,
            workflow=get_workflow(case.workflow),
            actions=transitions.available(case, actor),
            form=form,
            failed=failed,
            comment_form=CommentForm(),
            show_identity=policy.can_see_identity(current_user, case),
            may_recover=recovery.may_recover(current_user, case),
            systemic=case_panel(case, current_user),
            entity_form=EntityForm(),
        ),
        status,
    )


@bp.get("/<reference>")
@roles_required(*STAFF)
def show(reference: str):  # type: ignore[no-untyped-def]
    case = queries.case_by_reference(reference)
    if case is not None and policy.may_break_glass(current_user, case):
        # Restricted: only with a reason, which is logged and reported ("break glass").
        form = BreakGlassForm()
        return render_template("queues/break_glass.html", case=case, form=form), 403
    return _render(_load(reference))


@bp.post("/<reference>/act/<name>")
@roles_required(*STAFF)
def act(reference: str, name: str):  # type: ignore[no-untyped-def]
    case = _load(reference)
    form = TransitionForm()
    form.assignee_id.choices = _officers()
    if not form.validate():
        return _render(case, form, failed=name, status=400)
    try:
        transitions.apply(
            case,
            name,
            transitions.actor_for(current_user),
            form.inputs(),
            expected_version=int(form.version.data or -1),
        )
    except transitions.StaleCase:
        uow.discard()
        case = _load(reference)
        since = transitions.changes_since(case, int(form.seen.data or 0))
        return render_template("cases/stale.html", case=case, since=since), 409
    except MissingInput as error:
        getattr(form, error.field).errors = [_("Please fill in this field.")]
        return _refused(reference, form, name, 400)
    except WorkflowError as error:
        flash(_(error.message), "error")
        return _refused(reference, form, name, error.http_status)
    except DomainError as error:
        flash(explain(error), "error")
        return _refused(reference, form, name, 400)
    flash(_("Done."), "info")
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


def _refused(reference: str, form: TransitionForm, name: str, status: int):  # type: ignore[no-untyped-def]
    """The step was refused: show the case as it stands, with what was typed kept."""
    uow.discard()
    return _render(_load(reference), form, failed=name, status=status)
