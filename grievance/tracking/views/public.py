"""The public status page: find a case with its reference and secret (or a one-time link),
read where it stands, and take the steps open to the complainant.

After a lookup the signed session holds only the case id and an expiry, so no later page
needs the secret and no URL carries the reference or the secret.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from grievance import uow
from grievance.cases.models import Case, CaseView, TimelineEvent
from grievance.cases.transitions import StaleCase
from grievance.errors import DomainError, NotFound
from grievance.ratelimit import limiter, setting
from grievance.tracking import links, presenters, recovery, services
from grievance.tracking import session as tracking_session
from grievance.tracking.forms import (
    STEP_FORMS,
    LookupForm,
    NewSecretRequestForm,
    RateForm,
    StepForm,
)
from grievance.tracking.views import steps
from grievance.types import utcnow
from workflows import MissingInput, WorkflowError

bp = Blueprint("tracking", __name__, url_prefix="/track")
T = TypeVar("T")
SESSION_SECONDS = tracking_session.SECONDS


@bp.context_processor
def _helpers() -> dict[str, Any]:
    return {"session_minutes": SESSION_SECONDS // 60}


@bp.after_request
def _private(response: Response) -> Response:
    # A case's state on a shared phone must not come back from a cache or the history.
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


# -- the session ------------------------------------------------------------------------


def _tracked(load: Callable[[int], T]) -> T | None:
    """What `load` finds of the case this browser has open, or None (none open, or gone)."""
    case_id = tracking_session.tracked_id()
    if case_id is None:
        return None
    try:
        found = load(case_id)
    except NotFound:
        tracking_session.forget()
        return None
    tracking_session.renew(case_id)  # each visit gives another half hour
    return found


def _session_case() -> Case | None:
    return _tracked(services.get_case)


def _ask_again() -> Response:
    flash(
        _(
            "Please type your tracking reference and secret. For your safety, your case page "
            "closes after %(minutes)s minutes.",
            minutes=SESSION_SECONDS // 60,
        ),
        "info",
    )
    return redirect(url_for("tracking.lookup"), 303)


# -- lookup -------------------------------------------------------------------------------


@bp.route("", methods=["GET", "POST"])
@limiter.limit(setting("TRACK_LIMIT_PER_CLIENT"), methods=["POST"])
def lookup() -> ResponseReturnValue:
    form = LookupForm()
    found = None
    if form.validate_on_submit():
        found = services.look_up(form.reference.data or "", form.secret.data or "")
        if found.case_id is not None:
            tracking_session.remember(found.case_id)
            return redirect(url_for("tracking.status"), 303)
    form.secret.data = ""  # never sent back, not even when it was wrong
    page = render_template(
        "tracking/lookup.html",
        form=form,
        not_found=found is not None and not found.too_many,
        too_many=found is not None and found.too_many,
        open_case=tracking_session.tracked_id(),
    )
    # A 429 keeps nothing of the request (the boundary rolls back): nothing needs keeping.
    return page, 429 if found is not None and found.too_many else 200


@bp.route("/new-secret", methods=["GET", "POST"])
@limiter.limit(setting("TRACK_LIMIT_PER_CLIENT"), methods=["POST"])
def new_secret() -> ResponseReturnValue:
    """A new secret by SMS to the phone given when filing. The answer is the same whether
    or not reference and number match a case: the page confirms nothing."""
    form = NewSecretRequestForm()
    if form.validate_on_submit():
        recovery.request_by_phone(form.reference.data or "", form.phone.data or "")
        return render_template("tracking/new_secret.html", form=None, asked=True)
    return render_template("tracking/new_secret.html", form=form, asked=False)


# -- one-time links -----------------------------------------------------------------------


def _link_gone(gone: links.LinkGone) -> ResponseReturnValue:
    if gone.case_id is not None and gone.case_id == tracking_session.tracked_id():
        return redirect(url_for("tracking.status"), 303)  # the same phone tapping the link again
    if gone.code == "link_used":
        notice = _("This link was already used. Please type your tracking reference and secret.")
    else:
        notice = _("This link no longer works. Please type your tracking reference and secret.")
    form = LookupForm(formdata=None)
    return render_template("tracking/lookup.html", form=form, notice=notice), 410


@bp.get("/l/<token>")
@limiter.limit(setting("TRACK_LIMIT_PER_CLIENT"))
def link(token: str) -> ResponseReturnValue:
    # Opening only shows a button: message apps that fetch links to preview them must
    # not spend the link before the complainant taps it.
    try:
        links.check_link(token)
    except links.LinkGone as gone:
        return _link_gone(gone)
    return render_template("tracking/link.html", token=token)


@bp.post("/l/<token>")
@limiter.limit(setting("TRACK_LIMIT_PER_CLIENT"))
def open_link(token: str) -> ResponseReturnValue:
    try:
        case_id = links.use_link(token)
    except links.LinkGone as gone:
        uow.discard()
        return _link_gone(gone)
    tracking_session.remember(case_id)
    return redirect(url_for("tracking.status"), 303)


# -- the status page and the complainant's steps ------------------------------------------


def _render(
    case: CaseView,
    forms: dict[str, StepForm] | None = None,
    rate_form: RateForm | None = None,
    status: int = 200,
    events: Sequence[TimelineEvent] | None = None,
) -> ResponseReturnValue:
    """The page; `forms` (by step) and `rate_form` are forms sent back with their errors."""
    page = presenters.status_page(case, utcnow(), events=events)
    sent: dict[str, StepForm] = {**(forms or {}), **({steps.RATE: rate_form} if rate_form else {})}
    shown = [*page.actions, *([steps.RATE] if page.can_rate else [])]
    sections = steps.sections(shown, case.version, sent)
    return render_template("tracking/case.html", page=page, steps=sections), status


def _stale(case_id: int) -> ResponseReturnValue:
    uow.discard()
    flash(_("Your case changed while you were looking at it. Here is the latest."), "error")
    return _render(services.get_case(case_id), status=409)


@bp.get("/case")
def status() -> ResponseReturnValue:
    uow.read_only()  # the page reads the case and its timeline, and writes nothing
    found = _tracked(services.case_for_page)
    return _ask_again() if found is None else _render(found[0], events=found[1])


def _done_message(name: str) -> str:
    messages = {
        "provide_information": _("Thank you. We have received your answer."),
        "ask_follow_up": _("Thank you. We have received your question."),
        "accept_resolution": _("Thank you. Your case is now closed."),
        "accept_answer": _("Thank you. Your case is now closed."),
        "appeal": _("We have received your appeal. A different officer will review your case."),
        "withdraw": _("Your case has been withdrawn."),
        "add_information": _("Thank you. The officer has your information."),
    }
    return messages[name]


@bp.post("/act/<name>")
def act(name: str) -> ResponseReturnValue:
    case = _session_case()
    if case is None:
        return _ask_again()
    form_class = STEP_FORMS.get(name) or abort(404)
    form = form_class(prefix=name)
    if not form.validate():
        return _render(case, {name: form}, status=400)
    try:
        services.take_step(
            case,
            name,
            form.inputs(),
            expected_version=form.version_number(),
            evidence=getattr(form, "evidence", []),
        )
    except StaleCase:
        return _stale(case.id)
    except MissingInput:
        uow.discard()
        flash(_("Please fill in this field."), "error")
        return _render(case, {name: form}, status=400)
    except WorkflowError as error:
        uow.discard()
        flash(_(error.message), "error")
        return _render(case, status=error.http_status)
    except DomainError as error:
        uow.discard()
        flash(_("This action is not possible."), "error")
        return _render(case, status=error.status)
    flash(_done_message(name), "info")
    return redirect(url_for("tracking.status"), 303)


@bp.post("/rate")
def rate() -> ResponseReturnValue:
    case = _session_case()
    if case is None:
        return _ask_again()
    form = RateForm(prefix="rate")
    if not form.validate():
        return _render(case, rate_form=form, status=400)
    try:
        services.rate(
            case,
            int(form.rating.data),
            form.comment.data,
            expected_version=form.version_number(),
        )
    except StaleCase:
        return _stale(case.id)
    except DomainError as error:
        uow.discard()
        flash(_("You have already told us how happy you are. Thank you."), "info")
        return _render(case, status=error.status)
    flash(_("Thank you for telling us."), "info")
    return redirect(url_for("tracking.status"), 303)


@bp.post("/done")
def forget() -> Response:
    tracking_session.forget()
    flash(_("Your case page is closed."), "info")
    return redirect(url_for("tracking.lookup"), 303)
