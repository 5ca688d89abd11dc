"""The browser harness, shared by the browser tests and `make screenshots`: a live server
for an app in a thread of this process, and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask
from werkzeug.serving import make_server

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 800}


@contextmanager
def live_server(app: Flask) -> Iterator[str]:
    """Serves `app` on a free port of 127.0.0.1 until the block ends; yields its base URL.
    A thread of this process, so the tests' clock (time-machine) is the server's too."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()


@contextmanager
def chromium() -> Iterator[Any]:
    """A headless Chromium (Playwright's Browser); needs CHROMIUM."""
    from playwright.sync_api import sync_playwright

    if CHROMIUM is None:
        raise RuntimeError("no chromium installed (apt-get install chromium)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def run_queued_jobs(app: Flask, queue: str) -> None:
    """With Redis, let a worker run what the live server queued (in this process, on the
    live server's database); embedded mode has already run it after the commit."""
    from grievance.jobs.runtime import RQRunner, runner_of

    runner = runner_of(app)
    if not isinstance(runner, RQRunner):
        return
    from rq import SimpleWorker

    with app.app_context():
        SimpleWorker([runner.queue(queue)], connection=runner.connection).work(burst=True)


def empty_queues(app: Flask) -> None:
    """With Redis, drop whatever waits in the RQ queues of the app's Redis database."""
    from grievance.jobs.runtime import RQRunner, runner_of

    runner = runner_of(app)
    if isinstance(runner, RQRunner):
        from rq import Queue

        for queue in Queue.all(connection=runner.connection):
            queue.empty()
