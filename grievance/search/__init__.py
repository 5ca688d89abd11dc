"""Full-text search over cases: Khmer words found whatever their spelling order.

The filing service keeps each case's terms (`documents.index_case`); the officers'
workspace asks through `query.narrow`; `flask search reindex` rebuilds the index after a
change to the canonical key (grievance.khmer.KEY_VERSION) or for cases filed before it.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from grievance.search.cli import search_cli

    app.cli.add_command(search_cli)
