"""Static files for phones on 2G: one content hash in every static URL, so a file is
cached for a year and never asked for again until it changes; responses compressed
(gzip/deflate for plain HTTP, Brotli or Zstandard where the browser offers them); a
favicon, so no page costs a 404."""

from __future__ import annotations

import hashlib
from pathlib import Path

from flask import Flask, Response, current_app, send_from_directory
from flask_compress import Compress

from grievance.config import PROJECT_ROOT

STATIC = PROJECT_ROOT / "static"
YEAR = 365 * 24 * 3600
# Text the browser can unpack; fonts (woff2) and images are compressed already.
COMPRESSIBLE = [
    "text/html",
    "text/css",
    "text/csv",
    "text/plain",
    "text/xml",
    "application/json",
    "application/javascript",
    "text/javascript",
    "application/xml",
    "image/svg+xml",
]
compress = Compress()


def build_id(folder: Path = STATIC) -> str:
    """A hash of every static file's name and content: part of every static URL."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(folder)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


def static_url_path() -> str:
    return "/static/" + build_id()


def favicon() -> Response:
    response = send_from_directory(
        current_app.static_folder or str(STATIC), "favicon.ico", max_age=24 * 3600
    )
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


def init_app(app: Flask) -> None:
    app.config.setdefault("COMPRESS_MIMETYPES", COMPRESSIBLE)
    app.config.setdefault("COMPRESS_MIN_SIZE", 500)
    compress.init_app(app)
    app.add_url_rule("/favicon.ico", "favicon", favicon)
