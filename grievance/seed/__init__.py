"""Reference data (provinces, categories, default policies and queues) and the demo."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from grievance.seed.cli import seed

    app.cli.add_command(seed)
