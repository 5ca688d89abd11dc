"""Pictures from anonymous uploads are decoded in a separate process (a fresh interpreter)
with a memory and a time limit, never in the web process: an image decoder bug or a
decompression bomb then costs one short-lived child, not the worker serving everyone.

`reencode(data, fmt)` returns the picture saved again (upright, every piece of metadata
dropped: EXIF with its GPS position, comments, text chunks, colour profiles, trailing
bytes) or raises `Undecodable` with a reason code: "too_large" (over MAX_PIXELS, read from
the header before any decoding), "unreadable", "limits" (the child hit its memory or time
limit, or died).
"""

from __future__ import annotations

import resource
import subprocess
import sys
import warnings
from io import BytesIO

MAX_PIXELS = 25_000_000  # 25 megapixels: a phone's full-size photo, not a poster scan
MEMORY_BYTES = 768 * 1024 * 1024  # address space of the decoding child
SECONDS = 10.0  # wall time for one picture, the child's start included
CPU_SECONDS = 8
FORMATS = ("JPEG", "PNG", "WEBP")
REFUSED = 3  # the child's exit status for a picture it refuses (the reason on stderr)


class Undecodable(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def reencode(data: bytes, fmt: str) -> bytes:
    """The picture re-encoded by a fresh interpreter running this file alone (no Flask, no
    app): no shared memory, no inherited connections, limits set before it reads."""
    if fmt not in FORMATS:
        raise Undecodable("unreadable")
    try:
        done = subprocess.run(  # noqa: S603  (our own module, a fixed argument list)
            [sys.executable, "-I", __file__, fmt],
            input=data,
            capture_output=True,
            timeout=SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise Undecodable("limits") from None
    if done.returncode == 0 and done.stdout:
        return done.stdout
    if done.returncode == REFUSED:
        raise Undecodable(done.stderr.decode("ascii", "replace").strip() or "unreadable")
    raise Undecodable("limits")  # killed at a limit, or crashed


def main() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS))
    fmt = sys.argv[1] if len(sys.argv) > 1 else ""
    try:
        if fmt not in FORMATS:
            raise Undecodable("unreadable")
        out = _reencode(sys.stdin.buffer.read(), fmt)
    except Undecodable as refused:
        _refuse(refused.reason)
    except MemoryError:
        _refuse("limits")
    except Exception:  # any decoder error: the file is not a picture we can keep
        _refuse("unreadable")
    sys.stdout.buffer.write(out)


def _refuse(reason: str) -> None:
    sys.stderr.write(reason)
    sys.exit(REFUSED)


def _reencode(data: bytes, fmt: str) -> bytes:
    from PIL import Image, ImageOps

    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(BytesIO(data), formats=[fmt])
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise Undecodable("too_large") from None
        with image:
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise Undecodable("too_large")
            image.load()
            upright = ImageOps.exif_transpose(image)
    if upright.mode == "P":
        upright = upright.convert("RGBA")
    elif upright.mode not in ("RGB", "RGBA", "L", "LA"):
        upright = upright.convert("RGB")
    clean = Image.new(upright.mode, upright.size)
    clean.paste(upright)  # pixels only: nothing of the original's info travels along
    out = BytesIO()
    if fmt == "JPEG":
        if clean.mode not in ("RGB", "L"):
            clean = clean.convert("RGB")
        clean.save(out, "JPEG", quality=88)
    elif fmt == "WEBP":
        clean.save(out, "WEBP", quality=88)
    else:
        clean.save(out, "PNG")
    return out.getvalue()


if __name__ == "__main__":
    main()
