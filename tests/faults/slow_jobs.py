"""Jobs for the worker-outage tests, run by a real RQ worker (imported by name)."""

from __future__ import annotations

import time
from pathlib import Path


def mark(path: str, seconds: float = 0.0) -> str:
    """Say it started, take `seconds`, say it finished."""
    Path(path + ".started").write_text("started", encoding="utf-8")
    time.sleep(seconds)
    Path(path + ".done").write_text("done", encoding="utf-8")
    return path
