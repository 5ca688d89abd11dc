"""The workspace (/workspace: my cases, queues, claim-next, workload, reassignment) and,
under it, the queue rules screen (/workspace/rules)."""

from __future__ import annotations

from grievance.queues.views import rules, workspace

bp = workspace.bp
bp.register_blueprint(rules.bp)
