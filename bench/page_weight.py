"""Page weight and round trips on a phone: `python -m bench.page_weight [ROOT]`.

For the public pages a complainant opens (landing, form, tracking), what a first visit
downloads (the page compressed as the browser asks, its stylesheet, icon and Khmer font)
and how many requests each later page costs (the page itself plus every static file the
browser must revalidate because it may not keep it). ROOT serves another checkout (a git
worktree of an earlier commit) to compare before and after.
"""

from __future__ import annotations

import gzip
import importlib
import re
import sys
import tempfile
from pathlib import Path
from typing import Any

PAGES = ("/", "/file", "/track")
HEADERS = {"Accept-Encoding": "gzip, deflate", "Accept": "text/html"}


def _app(root: Path) -> Any:
    sys.path.insert(0, str(root))
    config = importlib.import_module("grievance.config").Config
    try:
        factory = importlib.import_module("grievance.app").create_app
    except (ImportError, AttributeError):
        factory = importlib.import_module("grievance").create_app
    instance = tempfile.mkdtemp(prefix="samleng-weight-")
    app = factory(config(ENV="testing", INSTANCE_PATH=instance, SECRET_KEY="weight"))
    with app.app_context():  # a migrated SQLite file with the reference data the form lists
        importlib.import_module("flask_migrate").upgrade(revision="heads")
        importlib.import_module("grievance.seed.reference").seed_reference()
        importlib.import_module("grievance.extensions").db.session.commit()
    return app


def _fonts(client: Any, css_url: str) -> list[str]:
    text = client.get(css_url).get_data().decode()
    base = css_url.rsplit("/", 2)[0]
    found = []
    for raw in re.findall(r"url\(([^)]+)\)", text):
        url = raw.strip("'\"")
        if "Regular" in url and url.startswith("../"):
            found.append(base + "/" + url[3:])
    return found


def weigh(root: Path) -> list[str]:
    client = _app(root).test_client()
    lines = []
    for page in PAGES:
        response = client.get(page, headers=HEADERS)
        body = response.get_data()
        compressed = response.headers.get("Content-Encoding") == "gzip"
        html = (gzip.decompress(body) if compressed else body).decode()
        assets = re.findall(r'(?:href|src)="(/static/[^"]+)"', html)
        for css in [a for a in assets if a.endswith(".css")]:
            assets += _fonts(client, css)
        first, later = len(body), 1
        for url in assets:
            asset = client.get(url, headers=HEADERS)
            first += len(asset.get_data())
            if "immutable" not in asset.headers.get("Cache-Control", ""):
                later += 1  # asked for again (at least revalidated) on every later page
        lines.append(
            f"{page:7} first visit {first / 1024:5.1f} KB in {1 + len(assets)} requests; "
            f"each later page {later} round trip(s); the page itself {len(body) / 1024:.1f} KB"
        )
    return lines


if __name__ == "__main__":
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent
    print("\n".join(weigh(root)))
