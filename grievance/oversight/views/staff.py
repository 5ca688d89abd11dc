"""Oversight pages for staff: unsuppressed figures without identities, league tables,
SLA compliance by month, redacted case drill-down and case exports."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import (
    Response,
    abort,
    redirect,
    render_template,
    request,
    send_file,
    stream_with_context,
    url_for,
)
from flask_login import current_user
from werkzeug.wrappers import Response as WerkzeugResponse

from grievance.auth.decorators import roles_required
from grievance.i18n import lang
from grievance.oversight import exports, figures, redacted, snapshots
from grievance.oversight.forms import CsvForm, SearchForm, XlsxForm
from grievance.oversight.views.blueprint import bp
from grievance.oversight.views.public import DIMENSIONS, current_snapshot

OVERSIGHT = ("oversight", "supervisor", "admin")


@bp.get("/oversight")
@roles_required(*OVERSIGHT)
def oversight_dashboard() -> str:
    row = current_snapshot()
    dims = snapshots.figures(row)
    tables = {d: figures.table(dims, d, lang(), public=False) for d in DIMENSIONS}
    return render_template(
        "oversight/dashboard.html",
        snapshot=row,
        totals=figures.totals(dims, public=False),
        tables=tables,
        workers=figures.workers_table(dims, lang(), public=False),
        provinces=figures.league(tables["province"]),
        categories=figures.league(tables["category"]),
        crosses=[figures.cross_table(dims, name, lang()) for name in figures.CROSS_TITLES],
        stays=figures.state_times(snapshots.state_times(), public=False),
        min_ranked=figures.MIN_RANKED,
        drill=drill,
    )


def drill(dimension: str, key: str, state: str | None = None) -> str:
    """Link from a figure to the (redacted) cases behind it."""
    args: dict[str, Any] = {dimension: key} if dimension in ("province", "category") else {}
    if state:
        args["state"] = state
    return url_for(".case_list", **args)


@bp.get("/oversight/cases")
@roles_required(*OVERSIGHT)
def case_list() -> str:
    form = SearchForm(lang(), formdata=request.args)
    form.validate()
    page = request.args.get("page", 1, type=int) or 1
    filters = form.filters().seen_by(current_user)
    found, more = redacted.list_cases(filters, form.state.data or None, page)
    args = {k: v for k, v in request.args.items() if k != "page"}
    return render_template(
        "oversight/cases.html",
        form=form,
        cases=found,
        more=more,
        page=page,
        args=args,
        names=redacted.names(lang()),
    )


@bp.get("/oversight/cases/<reference>")
@roles_required(*OVERSIGHT)
def case_show(reference: str) -> str:
    summary, steps = redacted.get_case(reference, exports.viewer_provinces(current_user))
    return render_template(
        "oversight/case.html",
        case=summary,
        steps=steps,
        names=redacted.names(lang()),
        step_label=redacted.step_label,
    )


@bp.get("/oversight/exports")
@roles_required(*OVERSIGHT)
def export_index() -> str:
    return render_template(
        "oversight/exports.html",
        csv_form=CsvForm(lang(), formdata=None),
        xlsx_form=XlsxForm(lang()),
        recent=exports.recent_exports(current_user.id),
    )


@bp.get("/oversight/exports/cases.csv")
@roles_required(*OVERSIGHT)
def export_csv() -> Response:
    form = CsvForm(lang(), formdata=request.args)
    if not form.validate():
        abort(400)
    chunks = stream_with_context(exports.csv_chunks(form.filters().seen_by(current_user), lang()))
    response = Response(chunks, mimetype="text/csv")
    name = f"samleng-cases-{date.today().isoformat()}.csv"
    response.headers["Content-Disposition"] = f"attachment; filename={name}"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/oversight/exports")
@roles_required(*OVERSIGHT)
def export_xlsx() -> WerkzeugResponse | tuple[str, int]:
    form = XlsxForm(lang())
    if not form.validate():
        page = render_template(
            "oversight/exports.html",
            csv_form=CsvForm(lang(), formdata=None),
            xlsx_form=form,
            recent=exports.recent_exports(current_user.id),
        )
        return page, 400
    export = exports.start_xlsx(current_user.id, form.filters().seen_by(current_user), lang())
    return redirect(url_for(".export_progress", export_id=export.id))


def _own_export(export_id: int) -> exports.CaseExport:
    return exports.get_export(export_id, current_user.id)


@bp.get("/oversight/exports/<int:export_id>")
@roles_required(*OVERSIGHT)
def export_progress(export_id: int) -> str:
    export = _own_export(export_id)
    return render_template("oversight/export_progress.html", export=export)


@bp.get("/oversight/exports/<int:export_id>/download")
@roles_required(*OVERSIGHT)
def export_download(export_id: int) -> Response:
    export = _own_export(export_id)
    path = exports.file_path(export)
    if export.status != "done" or not path.exists():
        abort(404)
    response = send_file(
        path,
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        as_attachment=True,
        download_name=f"samleng-cases-{export.created_at.date().isoformat()}.xlsx",
    )
    response.headers["Cache-Control"] = "no-store"
    return response
