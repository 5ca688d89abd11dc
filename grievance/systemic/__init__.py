"""Systemic issues: registries of employers and health facilities, the entry each case
concerns (matched at filing, confirmed by officers), duplicate hints, clusters that become
systemic cases, and weekly spike alerts.

Filing calls `links.link_filed` (intake's pipeline); the case page shows
`queries.case_panel`; the cluster sweep and the spike job run on every scheduler tick.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from grievance import nav
    from grievance.effects import subscribe
    from grievance.jobs import periodic
    from grievance.systemic import clusters, imports, models, services, spikes, views  # noqa: F401
    from grievance.systemic.cli import registry_cli
    from workflows.i18n import N_

    with app.app_context():
        subscribe(services.on_notice)
    app.register_blueprint(views.bp)
    app.cli.add_command(registry_cli)
    periodic(clusters.cluster_sweep_job)
    periodic(spikes.spike_job)

    @app.context_processor
    def names() -> dict[str, object]:
        from grievance.systemic.duplicates import REASONS
        from grievance.systemic.models import CLUSTER_STATES, ENTITY_KINDS, SERIES

        return {
            "hint_reasons": REASONS,
            "cluster_states": CLUSTER_STATES,
            "entity_kinds": ENTITY_KINDS,
            "series_names": SERIES,
        }

    nav.add("systemic.clusters", N_("Systemic cases"), *views.WATCHERS, order=62)
    nav.add(
        "systemic.figures_page",
        N_("Complaints by employer and facility"),
        *views.WATCHERS,
        order=63,
    )
    nav.add("systemic.registry_index", N_("Employers and facilities"), "admin", order=92)
