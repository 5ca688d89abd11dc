"""Light on 2G: static files under a content hash, cached for a year; pages and text
compressed; a favicon instead of a 404 on every page."""

from __future__ import annotations

import gzip
import re
import zlib

from flask.testing import FlaskClient

from grievance.site import assets


def _static_urls(page: str) -> list[str]:
    return re.findall(r'(?:href|src)="(/static/[^"]+)"', page)


def test_static_urls_carry_the_content_hash_and_are_kept_a_year(client: FlaskClient) -> None:
    page = client.get("/").get_data(as_text=True)
    urls = _static_urls(page)
    assert urls, "the landing page links its stylesheet and icon"
    for url in urls:
        assert url.startswith(f"/static/{assets.build_id()}/")
        response = client.get(url)
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert client.get("/static/css/app.css").status_code == 404  # no unversioned copy


def test_pages_and_stylesheets_are_compressed(client: FlaskClient) -> None:
    page = client.get("/", headers={"Accept-Encoding": "gzip, deflate"})
    assert page.headers["Content-Encoding"] == "gzip"
    html = gzip.decompress(page.get_data()).decode()
    assert "<html" in html and "Accept-Encoding" in page.headers["Vary"]
    css_url = next(u for u in _static_urls(html) if u.endswith(".css"))
    css = client.get(css_url, headers={"Accept-Encoding": "gzip, deflate"})
    assert css.headers["Content-Encoding"] in ("deflate", "gzip")
    encoding, body = css.headers["Content-Encoding"], css.get_data()
    text = zlib.decompress(body) if encoding == "deflate" else gzip.decompress(body)
    assert b"--brand" in text


def test_a_favicon_answers_instead_of_a_404(client: FlaskClient) -> None:
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response.mimetype in ("image/vnd.microsoft.icon", "image/x-icon")
    assert response.get_data()[:4] == b"\x00\x00\x01\x00"  # an ICO file
