"""`flask worker`'s loop: an RQ worker that outlives Redis.

RQ itself retries while it waits for a job, but a worker that is busy when Redis goes away
(it watches its work horse through Redis), or that starts while Redis is down, exits. Here
that is one round: the loop waits for Redis with a growing pause (1 s doubling up to
10 s), then starts a fresh RQ worker on the same queues. Only a stop request (SIGTERM or
Ctrl+C; twice for a cold stop) ends it.

Nothing is lost meanwhile: a job whose outcome could not be recorded in Redis recorded it
in the database or left its obligation there (an outbox row, an SLA mark), and the
scheduler's sweeps hand it out again.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from redis import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from rq import Queue, Worker
from rq.exceptions import StopRequested

log = logging.getLogger(__name__)
FIRST_PAUSE = 1.0
LONGEST_PAUSE = 10.0
CONNECT_TIMEOUT = 5.0
REDIS_ERRORS = (RedisConnectionError, RedisTimeoutError, OSError)


class StoppableWorker(Worker):
    """RQ's forking worker that also tells the loop a stop was asked for (RQ's own signal
    handlers stay in charge: a warm stop waits for the running job)."""

    stop_asked: threading.Event

    def request_stop(self, signum: Any, frame: Any) -> None:
        self.stop_asked.set()
        super().request_stop(signum, frame)


def connect(url: str) -> Redis:
    # No read timeout: RQ waits for jobs with a blocking pop longer than any sane one.
    return Redis.from_url(url, socket_connect_timeout=CONNECT_TIMEOUT, socket_keepalive=True)


def redis_answers(connection: Redis) -> bool:
    try:
        return bool(connection.ping())
    except Exception:  # any failure means "not usable now"
        return False


def serve(
    url: str,
    queue_names: Sequence[str],
    burst: bool = False,
    sleep: Callable[[float], bool] | None = None,
    worker_class: type[StoppableWorker] = StoppableWorker,
) -> int:
    """Work the queues until asked to stop (or, with `burst`, until they are empty while
    Redis answers). Returns how many rounds it took (1 if Redis never went away)."""
    stop = threading.Event()
    wait = sleep or stop.wait
    pause, rounds = FIRST_PAUSE, 0
    while not stop.is_set():
        rounds += 1
        started = time.monotonic()
        connection = connect(url)
        try:
            # Building the worker already talks to Redis (it names its connection).
            worker = worker_class(
                [Queue(n, connection=connection) for n in queue_names], connection=connection
            )
            worker.stop_asked = stop
            worker.work(burst=burst, with_scheduler=False)
        except StopRequested:
            stop.set()
        except REDIS_ERRORS as error:
            log.warning("worker lost redis: %s", type(error).__name__)
        if stop.is_set():
            break
        try:
            if burst and redis_answers(connection):
                break
            if time.monotonic() - started > LONGEST_PAUSE:
                pause = FIRST_PAUSE  # a long round: this is a new outage, not the same one
            log.warning("worker round %s ended; starting again in %.0f s", rounds, pause)
            reap_horses()
            wait(pause)
            pause = min(pause * 2, LONGEST_PAUSE)
        except StopRequested:  # a signal between rounds, through RQ's handler
            stop.set()
        finally:
            with contextlib.suppress(Exception):
                connection.close()
    return rounds


def reap_horses() -> None:
    """Collect work horses whose worker round ended while they ran (they finish their job
    on their own; their exit status is of no use any more)."""
    while True:
        try:
            pid, _status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
