"""`flask worker`'s loop on the real Redis, behind a relay the test cuts: a worker started
while Redis is away, and one busy with a job when Redis goes away, keep running, and take
jobs again as soon as Redis is back. A stop request still stops it."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from redis import Redis
from rq import Queue

from tests.conftest import BACKENDS
from tests.faults.redis_proxy import RedisProxy
from tests.live import descendants, needs_redis

ROOT = Path(__file__).resolve().parents[2]
QUEUE = "default"


def wait_for(path: Path, process: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists():
        assert process.poll() is None, "the worker exited"
        assert time.monotonic() < deadline, f"{path.name} never appeared"
        time.sleep(0.05)


@pytest.fixture
def proxy() -> Iterator[RedisProxy]:
    needs_redis()
    redis = Redis.from_url(BACKENDS.redis_url)
    redis.flushdb()
    try:
        with RedisProxy(BACKENDS.redis_url) as relay:
            yield relay
    finally:
        redis.flushdb()


def start_worker(url: str, log: Path) -> subprocess.Popen[bytes]:
    code = "import sys; from grievance.jobs.worker import serve; serve(sys.argv[1], ['default'])"
    return subprocess.Popen(
        [sys.executable, "-c", code, url],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def enqueue(name: Path, seconds: float) -> None:
    queue = Queue(QUEUE, connection=Redis.from_url(BACKENDS.redis_url))
    queue.enqueue("tests.faults.slow_jobs.mark", str(name), seconds)


def test_a_worker_outlives_redis_going_away_and_coming_back(
    proxy: RedisProxy, tmp_path: Path
) -> None:
    proxy.cut()  # Redis is away when the worker starts
    log = tmp_path / "worker.log"
    worker = start_worker(proxy.url, log)
    try:
        time.sleep(3)
        assert worker.poll() is None, log.read_text()
        proxy.restore()
        enqueue(tmp_path / "first", 3.0)
        wait_for(tmp_path / "first.started", worker)

        proxy.cut()  # Redis goes away while the worker's horse is busy
        wait_for(tmp_path / "first.done", worker)
        time.sleep(4)  # the round ends on the lost connection; the loop waits for Redis
        assert worker.poll() is None, log.read_text()

        proxy.restore()  # back on the same address: the next job is taken
        enqueue(tmp_path / "second", 0.0)
        wait_for(tmp_path / "second.done", worker, seconds=60)
        assert worker.poll() is None
        text = log.read_text()
        # RQ gave up its round while watching the busy horse; the loop started another.
        gave_up = text.index("found an unhandled exception, quitting")
        assert text.rfind("ended; starting again") > gave_up
    finally:
        horses = descendants(worker.pid)
        if worker.poll() is None:
            os.kill(worker.pid, signal.SIGTERM)  # a stop request still stops it
        status = worker.wait(timeout=30)
        for pid in horses:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
    assert status == 0, log.read_text()
