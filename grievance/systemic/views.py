"""Pages: the entry a case concerns (on the case page's panel), clusters and systemic
cases, spike alerts, and the registries for administrators."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from grievance import reference as rules
from grievance.auth.decorators import roles_required
from grievance.cases import policy, transitions
from grievance.cases.queries import load_case
from grievance.errors import DomainError
from grievance.i18n import lang
from grievance.intake.sheets import MAX_BYTES
from grievance.refusals import explain
from grievance.systemic import figures, imports, links, queries, registry, services
from grievance.systemic.forms import (
    ButtonForm,
    EntityForm,
    EntryForm,
    ImportForm,
    OpenSystemicForm,
)
from grievance.systemic.models import CONTRACT_STATUSES, ENTITY_KINDS
from grievance.types import utcnow

bp = Blueprint("systemic", __name__, url_prefix="/systemic")
WATCHERS = ("supervisor", "oversight", "admin")


@bp.post("/cases/<reference>/entity")
@roles_required(*policy.CASE_ROLES)
def entity(reference: str) -> Response:
    case = load_case(reference, current_user)
    form = EntityForm()
    if not form.validate():
        abort(400)
    entry_id: int | None = None
    if form.code.data:
        found = queries.entry_by_code(links.kinds_for(case), form.code.data)
        if found is None:
            flash(_("No active employer or facility has that code."), "error")
            return redirect(url_for("cases.show", reference=case.reference))
        entry_id = found.id
    elif form.entry_id.data and form.entry_id.data != "none":
        entry_id = int(form.entry_id.data) if form.entry_id.data.isdigit() else -1
    try:
        links.confirm(case, entry_id, current_user.id, transitions.actor_role(current_user))
    except DomainError as error:
        flash(explain(error), "error")
        return redirect(url_for("cases.show", reference=case.reference))
    flash(_("Saved: the employer or facility of this case."), "info")
    return redirect(url_for("cases.show", reference=case.reference) + "#entity")


@bp.get("/clusters")
@roles_required(*WATCHERS)
def clusters() -> str:
    return render_template(
        "systemic/clusters.html", clusters=queries.cluster_list(), alerts=queries.alerts(20)
    )


@bp.get("/clusters/<int:cluster_id>")
@roles_required(*WATCHERS)
def cluster(cluster_id: int) -> str:
    found = services.get_cluster(cluster_id)
    view = queries.cluster_view(found, current_user)
    name = found.entry.name(lang())
    form = OpenSystemicForm(
        description=_(
            "%(count)s complaints about %(name)s (%(category)s): one answer for all of them.",
            count=view.total,
            name=name,
            category=found.category.name(lang()),
        )
    )
    return render_template(
        "systemic/cluster.html",
        view=view,
        form=form,
        button=ButtonForm(),
        may_decide=current_user.has_role("supervisor") and services.may_decide(current_user, found),
    )


@bp.post("/clusters/<int:cluster_id>/open")
@roles_required("supervisor")
def open_case(cluster_id: int) -> Response:
    found = services.get_cluster(cluster_id)
    form = OpenSystemicForm()
    if not form.validate():
        flash(_("Say what the systemic case is about."), "error")
        return redirect(url_for("systemic.cluster", cluster_id=cluster_id))
    parent = services.open_systemic(found, current_user, form.description.data or "")
    flash(_("Systemic case opened. Assign it to an officer."), "info")
    return redirect(url_for("cases.show", reference=parent.reference))


@bp.post("/clusters/<int:cluster_id>/dismiss")
@roles_required("supervisor")
def dismiss(cluster_id: int) -> Response:
    if not ButtonForm().validate():
        abort(400)
    services.dismiss(services.get_cluster(cluster_id), current_user)
    flash(_("Proposal dismissed."), "info")
    return redirect(url_for("systemic.clusters"))


@bp.get("/alerts")
@roles_required(*WATCHERS)
def alerts() -> str:
    found = queries.alerts()
    return render_template("systemic/alerts.html", alerts=found, names=_series_names())


def _series_names() -> dict[str, str]:
    current = rules.current()
    names = {code: c.name(lang()) for code, c in current.categories.items()}
    names.update({code: p.name(lang()) for code, p in current.provinces.items()})
    return names


@bp.get("/figures")
@roles_required(*WATCHERS)
def figures_page() -> str:
    return render_template("systemic/figures.html", figures=figures.per_entry())


@bp.get("/employers")
def public_figures() -> str:
    """Public: employers and facilities with at least 5 complaints in the 12 whole months
    before this one (disclosure control)."""
    period = figures.public_period(utcnow(), current_app.config["SAMLENG"].TIMEZONE)
    rows = figures.public_rows(figures.per_entry(period=period), lang())
    last_day = period[1] - timedelta(days=1)
    return render_template("systemic/public_figures.html", rows=rows, period=(period[0], last_day))


@bp.get("/registry")
@roles_required("admin")
def registry_index() -> str:
    wanted = request.args.get("q", "")
    form = ImportForm()
    form.kind.choices = _kinds()
    entries = queries.find_entries(wanted)
    return render_template("systemic/registry.html", entries=entries, q=wanted, form=form)


@bp.post("/registry/import")
@roles_required("admin")
def registry_import() -> Response:
    form = ImportForm()
    form.kind.choices = _kinds()
    if not form.validate() or form.kind.data not in ENTITY_KINDS:
        flash(_("Choose a registry and a sheet."), "error")
        return redirect(url_for("systemic.registry_index"))
    upload = form.sheet.data
    data = upload.stream.read(MAX_BYTES + 1)
    try:
        imp = imports.start(form.kind.data, data, upload.filename or "", current_user)
    except DomainError:
        flash(_("The file is larger than 5 MB."), "error")
        return redirect(url_for("systemic.registry_index"))
    return redirect(url_for("systemic.registry_import_page", import_id=imp.id))


@bp.get("/registry/imports/<int:import_id>")
@roles_required("admin")
def registry_import_page(import_id: int) -> str:
    imp = imports.get(import_id)
    return render_template(
        "systemic/import.html",
        imp=imp,
        messages=registry.MESSAGES,
        bad_lines=len({e["line"] for e in imp.errors}),
        running=imp.status in ("checking", "queued", "running"),
    )


@bp.post("/registry/imports/<int:import_id>/confirm")
@roles_required("admin")
def registry_import_confirm(import_id: int) -> Response:
    if not ButtonForm().validate():
        abort(400)
    try:
        imports.confirm(imports.get(import_id))
    except DomainError:
        flash(_("There is no good line to import. Correct the sheet and upload it again."), "error")
    return redirect(url_for("systemic.registry_import_page", import_id=import_id))


@bp.route("/registry/<int:entry_id>", methods=["GET", "POST"])
@roles_required("admin")
def registry_entry(entry_id: int) -> str | Response:
    entry = registry.get(entry_id)
    form = EntryForm(obj=entry if request.method == "GET" else None)
    if request.method == "GET":
        form.aliases.data = "\n".join(entry.aliases or [])
        form.province_code.data = entry.province_code or ""
        form.contract_status.data = entry.contract_status or ""
    form.province_code.choices = [("", _("Not known")), *rules.current().province_choices(lang())]
    form.contract_status.choices = [("", "-")] + [(k, _(v)) for k, v in CONTRACT_STATUSES.items()]
    if request.method == "POST" and form.validate():
        registry.save(_entry_data(entry.kind, entry.code, form), current_user.id, "admin")
        flash(_("Saved."), "info")
        return redirect(url_for("systemic.registry_entry", entry_id=entry.id))
    return render_template(
        "systemic/entry.html", entry=entry, form=form, history=registry.history(entry)
    )


def _entry_data(kind: str, code: str, form: EntryForm) -> registry.EntryData:
    aliases = [a.strip() for a in (form.aliases.data or "").splitlines() if a.strip()]
    status = form.contract_status.data or None
    if kind != "health_facility" or status not in CONTRACT_STATUSES:
        status = None
    return registry.EntryData(
        kind=kind,
        code=code,
        name_km=(form.name_km.data or "").strip() or None,
        name_latin=(form.name_latin.data or "").strip() or None,
        aliases=aliases,
        province_code=form.province_code.data or None,
        district=(form.district.data or "").strip() or None,
        sector=(form.sector.data or "").strip() or None,
        size=form.size.data,
        contract_status=status
        if kind == "health_facility" and status in CONTRACT_STATUSES
        else None,
        active=bool(form.active.data),
    )


def _kinds() -> list[tuple[str, str]]:
    return [(k, _(v)) for k, v in ENTITY_KINDS.items()]
