"""Forum screens for intake staff: forums, their concerns, and sheet imports."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from grievance import uow
from grievance.auth.decorators import roles_required
from grievance.errors import DomainError
from grievance.i18n import lang
from grievance.intake import forums, pipeline, sheets
from grievance.intake.forum_forms import ConcernForm, ForumForm, ImportForm
from grievance.intake.models import Forum, ForumImport

bp = Blueprint("forums", __name__, url_prefix="/forums")
STAFF = ("intake", "supervisor", "admin")


def _forum(forum_id: int) -> Forum:
    """The forum, if it is one of the user's provinces' (else 404: not even its title)."""
    try:
        forum = forums.get_forum(forum_id)
    except DomainError:
        abort(404)
    if not forums.in_scope(current_user, forum):
        abort(404)
    return forum


@bp.get("/")
@roles_required(*STAFF)
def index() -> str:
    return render_template("intake/forums.html", forums=forums.forums(current_user))


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*STAFF)
def new() -> Response | str | tuple[str, int]:
    form = ForumForm(lang())
    form.province.choices = forums.provinces_for_new_forum(current_user, form.province.choices)
    if form.validate_on_submit():
        try:
            forum = forums.create_forum(form.data_for_service())
        except DomainError:
            form.title.errors = [_("A forum with this title already exists.")]
        else:
            flash(_("The forum has been saved."), "info")
            return redirect(url_for(".show", forum_id=forum.id))
    page = render_template("intake/forum_new.html", form=form)
    return (page, 400) if form.is_submitted() else page


@bp.route("/<int:forum_id>", methods=["GET", "POST"])
@roles_required(*STAFF)
def show(forum_id: int) -> Response | str | tuple[str, int]:
    forum = _forum(forum_id)
    form = ConcernForm(lang(), current_user, forum.id)
    if not form.is_submitted():
        form.province.data = forum.province_code
    elif form.validate():
        try:
            filed = pipeline.file(form.submission(), form.filer())
        except pipeline.Invalid as exc:  # the lists changed since the form was checked
            uow.discard()
            form.show(exc.problems)
        else:
            reference = filed.case.reference
            flash(_("Concern recorded as case %(reference)s.", reference=reference), "info")
            return redirect(url_for(".show", forum_id=forum.id))
    concerns, hidden = forums.concerns_of(forum, current_user)
    page = render_template(
        "intake/forum.html", forum=forum, concerns=concerns, hidden=hidden, form=form
    )
    return (page, 400) if form.is_submitted() else page


@bp.route("/<int:forum_id>/import", methods=["GET", "POST"])
@roles_required(*STAFF)
def import_sheet(forum_id: int) -> Response | str | tuple[str, int]:
    forum = _forum(forum_id)
    form = ImportForm()
    if form.validate_on_submit():
        upload = form.sheet.data
        data = upload.stream.read(sheets.MAX_BYTES + 1)
        imp = forums.start_import(forum, data, upload.filename or "", current_user)
        return redirect(url_for(".preview", import_id=imp.id))
    page = render_template("intake/forum_import.html", forum=forum, form=form)
    return (page, 400) if form.is_submitted() else page


def _import(import_id: int) -> ForumImport:
    try:
        imp = forums.get_import(import_id)
    except DomainError:
        abort(404)
    _forum(imp.forum_id)  # a sheet belongs to its forum's province
    return imp


@bp.get("/imports/<int:import_id>")
@roles_required(*STAFF)
def preview(import_id: int) -> str:
    imp = _import(import_id)
    if imp.status not in ("checking", "preview"):
        return progress(import_id)
    return render_template(
        "intake/forum_preview.html",
        imp=imp,
        forum=forums.get_forum(imp.forum_id),
        messages=sheets.MESSAGES,
        bad_lines=len({e["line"] for e in imp.errors}),
    )


@bp.post("/imports/<int:import_id>/confirm")
@roles_required(*STAFF)
def confirm(import_id: int) -> Response:
    imp = _import(import_id)
    try:
        forums.confirm_import(imp)
    except DomainError:
        flash(_("There is no good line to import. Correct the sheet and upload it again."), "error")
        return redirect(url_for(".preview", import_id=import_id))
    return redirect(url_for(".progress", import_id=import_id))


@bp.get("/imports/<int:import_id>/progress")
@roles_required(*STAFF)
def progress(import_id: int) -> str:
    imp = _import(import_id)
    return render_template(
        "intake/forum_progress.html",
        imp=imp,
        forum=forums.get_forum(imp.forum_id),
        messages=sheets.MESSAGES,
        running=imp.status in ("queued", "running"),
    )
