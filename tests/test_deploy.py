"""The supervised production formation (deploy/systemd): one unit per Procfile process,
each restarted when it exits, with resource limits, and none tied to another, so a dead
worker never stops the web."""

from __future__ import annotations

import configparser
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
UNITS = ROOT / "deploy" / "systemd"
SERVICES = {
    "web": "samleng-web.service",
    "worker": "samleng-worker@.service",
    "scheduler": "samleng-scheduler.service",
}


def unit(name: str) -> configparser.RawConfigParser:
    parser = configparser.RawConfigParser(strict=False)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(UNITS / name, encoding="utf-8")
    return parser


def procfile() -> dict[str, str]:
    lines = (ROOT / "Procfile").read_text(encoding="utf-8").splitlines()
    entries = [line.split(":", 1) for line in lines if line and not line.startswith("#")]
    return {name.strip(): command.strip() for name, command in entries}


def words(command: str) -> list[str]:
    """A command's words with variables and paths dropped: what runs, with which options."""
    command = re.sub(r"\$\{[A-Z_]+(:-[^}]*)?\}", "VAR", command).replace("'", "")
    return [w.rsplit("/", 1)[-1] for w in command.split()]


@pytest.mark.parametrize("kind", sorted(SERVICES))
def test_each_process_kind_is_a_supervised_unit(kind: str) -> None:
    service = unit(SERVICES[kind])
    assert words(service["Service"]["ExecStart"]) == words(procfile()[kind])
    assert service["Service"]["Restart"] == "always"
    assert service["Unit"]["StartLimitIntervalSec"] == "0"  # never gives up restarting
    assert service["Service"]["MemoryMax"] and service["Service"]["TasksMax"]
    assert service["Service"]["EnvironmentFile"] == "/etc/samleng/samleng.env"
    # Grouped by the target, but not bound to any other unit: one dying stops no other.
    assert service["Unit"]["PartOf"] == "samleng.target"
    for key in ("Requires", "BindsTo", "Requisite"):
        assert "samleng" not in service["Unit"].get(key, "")


def test_the_target_starts_the_web_four_workers_and_the_scheduler() -> None:
    wanted = unit("samleng.target")["Unit"]["Wants"].split()
    assert sorted(wanted) == [
        "samleng-scheduler.service",
        "samleng-web.service",
        *(f"samleng-worker@{n}.service" for n in range(1, 5)),
    ]


def test_a_worker_is_given_time_to_finish_its_job_when_stopped() -> None:
    from grievance.jobs.runtime import JOB_TIMEOUT

    service = unit(SERVICES["worker"])["Service"]
    assert int(service["TimeoutStopSec"]) > JOB_TIMEOUT
    assert service["KillSignal"] == "SIGTERM"  # RQ's warm stop
