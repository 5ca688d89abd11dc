"""`python -m bench.profile form|track|status [--scale 10k] [--db NAME] [--requests 500]`

In-process look at one request path, for finding where its time goes (the suite measures;
this explains). It uses the suite's database `samleng_bench_<scale>` (made as `python -m
bench` makes it), builds the app as the benchmark servers do (rate limits off, jobs to RQ
on Redis db 13 when one answers) and sends the requests through Flask's test client, so the
HTTP server's own work (the same for app and floor) is left out. It prints:

- the median time of a request of the app and of the bare floor endpoint, and their ratio;
- the SQL statements one request sends, in order;
- with `--profiler pyinstrument` (the default) or `cprofile`, where the time goes.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import statistics
import tempfile
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import event

from bench import scenarios
from bench.__main__ import (
    DEFAULT_REDIS,
    SCALES,
    _empty_queues,
    _local_app,
    _redis_url,
    prepare_extras,
)
from bench.datagen import prepare_database, server_url
from bench.serve import PINGS_SQL, bare_app
from grievance.extensions import db

Send = Callable[[int], Any]


def _track_sender(client: Any, url: str) -> Send:
    import psycopg

    with psycopg.connect(url) as conn:
        reference, secret = conn.execute(
            "SELECT reference, secret FROM bench_track LIMIT 1"
        ).fetchone()  # type: ignore[misc]
    page = client.get("/track?lang=en").get_data(as_text=True)
    token = scenarios.TOKEN.search(page)
    if token is None:
        raise RuntimeError("GET /track showed no CSRF token")

    def send(_i: int) -> Any:
        response = client.post(
            "/track",
            data={"csrf_token": token.group(1), "reference": reference, "secret": secret},
        )
        if response.status_code != 303:
            raise RuntimeError(f"POST /track answered {response.status_code}")
        return response

    return send


def _status_sender(client: Any, url: str) -> Send:
    """The status page of one tracked case, its session opened by a real lookup (an
    answered case when one is tracked: its page shows the most)."""
    import psycopg

    with psycopg.connect(url) as conn:
        _id, reference, secret = conn.execute(scenarios.STATUS_CASES_SQL).fetchone()  # type: ignore[misc]
    token = scenarios.TOKEN.search(client.get("/track?lang=en").get_data(as_text=True))
    if token is None:
        raise RuntimeError("GET /track showed no CSRF token")
    fields = {"csrf_token": token.group(1), "reference": reference, "secret": secret}
    if client.post("/track", data=fields).status_code != 303:
        raise RuntimeError("the lookup failed")

    def send(_i: int) -> Any:
        response = client.get("/track/case")
        if response.status_code != 200:
            raise RuntimeError(f"GET /track/case answered {response.status_code}")
        return response

    return send


def _floor_sender(client: Any, path: str) -> Send:
    def send(i: int) -> Any:
        response = client.post(path, data={"note": f"n{i}", "id": "1"})
        if response.status_code not in (200, 404):
            raise RuntimeError(f"POST {path} answered {response.status_code}")
        return response

    return send


def timed(send: Send, n: int, start: int = 0) -> float:
    """Median seconds per request over n requests (after 20 to warm up)."""
    for i in range(20):
        send(start + 10**6 + i)
    times = []
    for i in range(n):
        began = time.perf_counter()
        send(start + i)
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def statements(engine: Any, send: Send) -> list[str]:
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(" ".join(statement.split())[:160])

    event.listen(engine, "before_cursor_execute", record)
    try:
        send(10**7)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return seen


def profiled(send: Send, n: int, profiler: str) -> str:
    if profiler == "cprofile":
        prof = cProfile.Profile()
        prof.enable()
        for i in range(n):
            send(2 * 10**7 + i)
        prof.disable()
        out = io.StringIO()
        stats = pstats.Stats(prof, stream=out)
        stats.sort_stats(os.environ.get("PROFILE_SORT", "cumulative"))
        stats.print_stats(int(os.environ.get("PROFILE_LINES", "60")))
        if os.environ.get("PROFILE_CALLERS"):
            stats.print_callers(os.environ["PROFILE_CALLERS"])
        return out.getvalue()
    from pyinstrument import Profiler

    pyi = Profiler(interval=0.0002)
    pyi.start()
    for i in range(n):
        send(2 * 10**7 + i)
    pyi.stop()
    return str(pyi.output_text(unicode=True, color=False, show_all=False))


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.profile",
                                     description=(__doc__ or "").splitlines()[0])  # fmt: skip
    parser.add_argument("path", choices=["form", "track", "status"])
    parser.add_argument("--scale", choices=sorted(SCALES), default="10k")
    parser.add_argument("--db", default="", help="database name (default samleng_bench_SCALE)")
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--profiler", choices=["pyinstrument", "cprofile", "none"],
                        default="pyinstrument")  # fmt: skip
    parser.add_argument("--redis-url", default=DEFAULT_REDIS, help="'' for in-process jobs")
    args = parser.parse_args()

    name = args.db or f"samleng_bench_{args.scale}"
    url = prepare_database(server_url(), name, SCALES[args.scale])
    redis_url = _redis_url(args.redis_url)
    # The floor app reads its database from the environment, as under gunicorn.
    os.environ.update(DATABASE_URL=url, RATELIMIT_ENABLED="0")
    app = _local_app(url, tempfile.mkdtemp(prefix="samleng-profile-"), redis_url)
    if args.path in ("track", "status"):
        prepare_extras(app, url)
    floor = bare_app()
    with floor.app_context(), floor.extensions["sqlalchemy"].engine.begin() as conn:
        conn.exec_driver_sql(PINGS_SQL)
    client = app.test_client()
    senders = {"form": scenarios.form_sender, "track": lambda c: _track_sender(c, url),
               "status": lambda c: _status_sender(c, url)}  # fmt: skip
    send = senders[args.path](client)
    floor_send = _floor_sender(floor.test_client(), "/insert" if args.path == "form" else "/pk")

    app_s, floor_s = timed(send, args.requests), timed(floor_send, args.requests)
    with app.app_context():
        sql = statements(db.engine, send)
    print(f"{args.path}: app {app_s * 1000:.2f} ms, floor {floor_s * 1000:.2f} ms (medians); "
          f"ratio {floor_s / app_s:.3f} (in-process, no HTTP server)")  # fmt: skip
    print(f"{len(sql)} SQL statements in one request:")
    for line in sql:
        print("  ", line)
    if args.profiler != "none":
        print(profiled(send, args.requests, args.profiler))
    _empty_queues(redis_url)


if __name__ == "__main__":
    main()
