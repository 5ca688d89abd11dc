"""The coverage floor (`fail_under` in pyproject.toml, enforced by `make test`) only rises."""

from __future__ import annotations

import re
import subprocess
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FLOOR = re.compile(r"^\s*fail_under\s*=\s*([\d.]+)", re.MULTILINE)


def _floor(pyproject: str) -> float | None:
    match = FLOOR.search(pyproject)
    return float(match.group(1)) if match else None


def _git(*args: str) -> str:
    done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"no git history here: {done.stderr.strip()}")
    return done.stdout


def test_the_coverage_floor_never_goes_down() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    floor = float(config["tool"]["coverage"]["report"]["fail_under"])
    earlier = {}
    for commit in _git("log", "--format=%H", "--", "pyproject.toml").split():
        value = _floor(_git("show", f"{commit}:pyproject.toml"))
        if value is not None:
            earlier[commit[:10]] = value
    highest = max(earlier.values(), default=0.0)
    assert floor >= highest, f"the coverage floor went down to {floor} from {highest}: {earlier}"
