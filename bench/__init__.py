"""Benchmark scenarios; run each as `python -m bench.<name>`."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def write_report(out: str | Path, name: str, text: str) -> Path:
    """Print a run's report and write it to `out`/`name` (the folder made if need be)."""
    print("\n" + text)
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    print(f"written to {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    return path
