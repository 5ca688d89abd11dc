"""Hostile pictures from anonymous uploads: answered with a clear message that keeps the
narrative, within a second and with bounded memory, decoded by the real Pillow in the
child process the app uses; nothing of the original's metadata survives re-encoding."""

from __future__ import annotations

import io
import resource
import struct
import zlib

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image

from grievance.intake import decoder
from grievance.intake.uploads import UploadRejected, inspect
from tests.intake.helpers import public_post

STORY = "My employer keeps my NSSF contributions. Zephyrquill."


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_bomb(width: int, height: int, depth: int = 1, colour: int = 0) -> bytes:
    """A PNG whose header claims width × height pixels, all zero: a few kB on the wire."""
    row = b"\x00" + bytes((width * depth + 7) // 8)
    compressor = zlib.compressobj(9)
    body = b"".join(compressor.compress(row) for _ in range(min(height, 2000)))
    body += compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, depth, colour, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", body)
        + _chunk(b"IEND", b"")
    )


def _cpu_seconds() -> float:
    own, children = (
        resource.getrusage(r) for r in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _children_peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


@pytest.mark.parametrize(
    ("width", "height", "depth", "colour"),
    [
        (20_000, 10_000, 1, 0),  # 200 megapixels, 1-bit: the decompression-bomb error
        (7_000, 7_000, 8, 2),  # 49 megapixels RGB: 1.5 s and 300 MB before
    ],
)
def test_a_picture_bomb_is_refused_quickly_with_bounded_memory(
    app: Flask, width: int, height: int, depth: int, colour: int
) -> None:
    bomb = png_bomb(width, height, depth, colour)
    assert len(bomb) < 2_000_000
    with app.test_request_context():  # the decoding process server starts once per process
        inspect(io.BytesIO(png_bomb(10, 10)), "warm-up.png")
    own_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    cpu_before = _cpu_seconds()
    with app.test_request_context("/?lang=en"), pytest.raises(UploadRejected, match="too large"):
        inspect(io.BytesIO(bomb), "payslip.png")
    # Processor time, this process and its children (wall time on a shared machine says
    # more about the neighbours than about the decoder).
    assert _cpu_seconds() - cpu_before < 1.0
    # Decoded in a child: this process did not grow, and no child came near its limit.
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - own_before < 50 * 1024
    assert _children_peak_mb() < decoder.MEMORY_BYTES / 1024 / 1024


def test_a_bomb_on_the_public_form_keeps_the_narrative(client: FlaskClient) -> None:
    response = public_post(
        client, files=[(png_bomb(20_000, 10_000), "payslip.png")], description=STORY
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "too large a picture" in page and STORY in page


def test_a_broken_picture_is_unreadable_not_a_500(client: FlaskClient) -> None:
    good = io.BytesIO()
    Image.new("RGB", (300, 300), (10, 200, 10)).save(good, "JPEG")
    broken = good.getvalue()[:400]  # the header promises more than there is
    response = public_post(client, files=[(broken, "photo.jpg")], description=STORY)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "could not be read as a picture" in page and STORY in page


def test_comments_text_and_profiles_do_not_survive(app: Flask) -> None:
    jpeg = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(
        jpeg, "JPEG", comment=b"Sokunthea Meas, Kandal", icc_profile=b"\x00" * 128
    )
    assert b"Sokunthea" in jpeg.getvalue()
    with app.test_request_context():
        stored = inspect(io.BytesIO(jpeg.getvalue()), "photo.jpg").data
    assert b"Sokunthea" not in stored
    with Image.open(io.BytesIO(stored)) as again:
        assert "comment" not in again.info and "icc_profile" not in again.info
        assert again.size == (40, 30)

    from PIL.PngImagePlugin import PngInfo

    text = PngInfo()
    text.add_text("Author", "Sokunthea Meas")
    png = io.BytesIO()
    Image.new("P", (20, 20), 3).save(png, "PNG", pnginfo=text)
    with app.test_request_context():
        stored = inspect(io.BytesIO(png.getvalue()), "scan.png").data
    assert b"Sokunthea" not in stored


def test_pillow_is_the_version_with_the_jpeg_fixes() -> None:
    import PIL

    assert tuple(int(p) for p in PIL.__version__.split(".")[:2]) >= (13, 0)
