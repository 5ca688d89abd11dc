"""The queue rules screen: routing rules, members, automatic assignment."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from grievance import uow
from grievance.auth import roles_required
from grievance.cases.models import Category, Province
from grievance.domain import CONFIDENTIALITY, KINDS, SEXES
from grievance.errors import Conflict, DomainError, Forbidden
from grievance.extensions import db
from grievance.queues import rules
from grievance.queues.filters import category_choices, province_choices
from grievance.queues.forms import QueueForm
from grievance.queues.models import Queue
from grievance.queues.routing import members_of
from grievance.refusals import explain

bp = Blueprint("rules", __name__, url_prefix="/rules")
EDITORS = ("supervisor", "admin")


@bp.get("/")
@roles_required(*EDITORS)
def index() -> str:
    return render_template(
        "queues/rules.html",
        queues=rules.editable(current_user),
        categories={c.id: c for c in db.session.scalars(select(Category))},
        provinces={p.code: p for p in db.session.scalars(select(Province))},
    )


def _form(queue: Queue | None) -> QueueForm:
    form = QueueForm(obj=None)
    anything = ("", _("Any"))
    form.province.choices = [anything, *province_choices()]
    form.category.choices = [anything, *category_choices()]
    form.kind.choices = [anything, *((k, _(v)) for k, v in KINDS.items())]
    form.confidentiality.choices = [anything, *((k, _(v)) for k, v in CONFIDENTIALITY.items())]
    form.members.choices = [
        (u.id, f"{u.name} ({u.username}, {_(SEXES.get(u.sex, u.sex))})")
        for u in rules.eligible_members()
    ]
    if queue is not None and request.method == "GET":
        form.code.data, form.name_en.data = queue.code, queue.name_en
        form.name_km.data = queue.name_km
        form.position.data, form.level.data = queue.position, str(queue.level)
        form.province.data = queue.province_code or ""
        form.category.data = str(queue.category_id or "")
        form.kind.data, form.confidentiality.data = queue.kind or "", queue.confidentiality or ""
        form.restricted.data, form.auto_assign.data = queue.restricted, queue.auto_assign
        form.active.data = queue.active
        form.members.data = [u.id for u in members_of(queue)]
    return form


def _rules(form: QueueForm) -> rules.QueueRules:
    def known(value: str | None, choices: object) -> str | None:
        keys = {str(k) for k, _label in choices}  # type: ignore[attr-defined]
        return value if value and value in keys else None

    category = known(form.category.data, form.category.choices)
    return rules.QueueRules(
        code=(form.code.data or "").strip(),
        name_en=(form.name_en.data or "").strip(),
        name_km=(form.name_km.data or "").strip(),
        position=int(form.position.data or 0),
        level=int(form.level.data or 0),
        province_code=known(form.province.data, form.province.choices),
        category_id=int(category) if category else None,
        kind=known(form.kind.data, form.kind.choices),
        confidentiality=known(form.confidentiality.data, form.confidentiality.choices),
        restricted=bool(form.restricted.data),
        auto_assign=bool(form.auto_assign.data),
        active=bool(form.active.data),
        member_ids=list(form.members.data or []),
    )


def _edit(queue: Queue | None) -> Response | tuple[str, int]:
    if queue is not None and not rules.can_edit(current_user, queue):
        abort(403)
    form = _form(queue)
    if request.method == "POST" and form.validate():
        try:
            saved = rules.save_queue(queue, _rules(form), current_user)
        except Forbidden:
            uow.discard()
            abort(403)
        except (Conflict, DomainError) as error:
            uow.discard()
            flash(explain(error), "error")
            return render_template("queues/rule_form.html", form=form, queue=queue), 400
        flash(_("Queue %(code)s saved.", code=saved.code), "info")
        return redirect(url_for("queues.rules.index"))
    status = 400 if request.method == "POST" else 200
    return render_template("queues/rule_form.html", form=form, queue=queue), status


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*EDITORS)
def new() -> Response | tuple[str, int]:
    return _edit(None)


@bp.route("/<int:queue_id>", methods=["GET", "POST"])
@roles_required(*EDITORS)
def edit(queue_id: int) -> Response | tuple[str, int]:
    queue = db.session.get(Queue, queue_id)
    if queue is None:
        abort(404)
    return _edit(queue)
