"""Open-loop burst of filings: `python -m bench.burst [--scale 100k] [--rate 10] [--duration 600]`.

Complainants arrive on a fixed schedule (arrival i at i / rate seconds), whatever the server
is doing: a closed-loop load waits for each answer before sending the next request and so
hides the queue that builds when the server falls behind; this does not. Each arrival is a
complainant's visit: `GET /file` (her own session and CSRF token), then `POST /file` with
the form scenario's complaint (bench/scenarios.py, with a phone number of her own and
consent, so every filing writes an SMS notice) and the page with her codes it redirects to
(`GET /file/done`). Its latency is counted from its SCHEDULED arrival to that page, so time
spent waiting for a free thread or socket counts.

The production shape on one machine: gunicorn with 2 sync workers (bench/serve.py), `--workers`
RQ workers (`flask worker`, on all queues), the production SMS backend (`SMS_BACKEND=twilio`)
pointed at a local stand-in gateway (bench/sms_gateway.py, `--gateway-latency` per message),
PostgreSQL and Redis. The scheduler is not run: its SLA sweep would act on the generated
cases' passed deadlines (the SLA scenario measures that) and its outbox sweep only re-drives
lost jobs. Rate limits are off (every arrival comes from 127.0.0.1).

Reports p50/p95/p99 from arrival (an arrival never answered counts with the time her phone
gave up), the share of arrivals served (the codes page showing the new case's secret within
TIMEOUT of her arrival), the SMS backlog (notices of the burst queued or pending, not yet
sent) every `--sample` seconds until it drains, and how the generator kept its schedule
(start lag, its own CPU time). Writes bench/results/<date>-burst.md. Targets: p95 < 800 ms,
100 % served, backlog drained within 2 minutes of the last arrival.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import psycopg

from bench import sms_gateway, write_report
from bench.datagen import database_url, drop_database, prepare_database, server_url
from bench.scenarios import TOKEN, form_fields, multipart
from bench.serve import ROOT, Server, free_port, server_env

SCALES = {"tiny": 200, "10k": 10_000, "100k": 100_000, "1m": 1_000_000}
DEFAULT_REDIS = "redis://127.0.0.1:6379/13"
TIMEOUT = 60.0  # seconds a complainant's phone waits for an answer
# Visits in flight at most (default): enough that arrivals leave on time even when the server
# falls minutes behind (the kernel's listen queue then holds them, as it would real phones'),
# and each phone gives up TIMEOUT seconds after it sent. An arrival beyond waits for a thread
# (shown as lag), its latency still counted from its scheduled time.
THREADS = 2048
SECRET = re.compile(r'class="secret-value"')


@dataclass
class Visit:
    scheduled: float  # seconds after the burst began
    started: float = 0.0  # when a thread took it (the generator's own lag)
    post_sent: float = 0.0
    done: float = 0.0
    answered: bool = False  # the codes page came back, however late
    error: str = ""

    @property
    def latency(self) -> float:
        return self.done - self.scheduled

    @property
    def served(self) -> bool:
        """Answered before her phone gave up (TIMEOUT after she arrived)."""
        return self.answered and self.latency <= TIMEOUT

    @property
    def post_latency(self) -> float:
        return self.done - self.post_sent


@dataclass
class Sample:
    at: float  # seconds after the burst began
    backlog: int  # SMS notices of the burst queued or pending
    sent: int
    written: int


@dataclass
class Run:
    visits: list[Visit] = field(default_factory=list)
    samples: list[Sample] = field(default_factory=list)
    cpu_seconds: float = 0.0
    burst_seconds: float = 0.0
    drained_at: float | None = None  # seconds after the last arrival


def request(conn: http.client.HTTPConnection, method: str, path: str, cookie: str = "",
            body: str = "", ctype: str = "") -> tuple[int, str, str]:  # fmt: skip
    headers = {"User-Agent": "samleng-bench"}
    if cookie:
        headers["Cookie"] = cookie
    if body:
        headers["Content-Type"] = ctype
    conn.request(method, path, body=body.encode() if body else None, headers=headers)
    response = conn.getresponse()
    page = response.read().decode("utf-8", "replace")
    for name, value in response.getheaders():
        if name.lower() == "set-cookie" and value.startswith("session="):
            cookie = value.split(";", 1)[0]
    return response.status, page, cookie


def visit(port: int, number: int, v: Visit, t0: float, sms: bool = True) -> None:
    """One complainant: the form page (her session), then her complaint (with her phone and
    consent, so that it writes an SMS notice, unless not `sms`)."""
    v.started = time.monotonic() - t0
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
    try:
        status, page, cookie = request(conn, "GET", "/file?lang=en")
        token = TOKEN.search(page)
        if status != 200 or token is None:
            v.error = f"GET /file {status}"
            return
        fields = form_fields(token.group(1))
        fields["nonce"] = f"burst{number:09d}"
        fields["phone"] = f"012 {100000 + number % 900000:06d}"  # her own phone
        if not sms:
            del fields["phone"], fields["consent_to_contact"]
        body, ctype = multipart(fields)
        v.post_sent = time.monotonic() - t0
        status, page, cookie = request(conn, "POST", "/file?lang=en", cookie, body, ctype)
        if status == 303:  # to the page with her codes, as her browser follows it
            status, page, cookie = request(conn, "GET", "/file/done?lang=en", cookie)
        v.answered = status == 200 and SECRET.search(page) is not None
        v.error = "" if v.answered else f"filing answered {status}"
    except (OSError, http.client.HTTPException) as error:
        v.error = type(error).__name__
    finally:
        v.done = time.monotonic() - t0
        conn.close()


def warm_up(port: int, visits: int = 20) -> None:
    """A few visits one after another before the burst (not counted, and without SMS, so the
    gateway's count is the burst's): the web workers load their templates and open their
    connections, as a server that has been up a while has."""
    for i in range(visits):
        visit(port, 900000 + i, Visit(scheduled=0.0), time.monotonic(), sms=False)


def backlog(url: str, after_id: int) -> tuple[int, int, int]:
    """The burst's SMS notices (ids above `after_id`): waiting, sent, written."""
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT count(*) FILTER (WHERE status IN ('pending', 'queued')), "
            "count(*) FILTER (WHERE status IN ('sent', 'delivered')), count(*) "
            "FROM notifications WHERE id > %s AND channel = 'sms'",
            (after_id,),
        ).fetchone()
    assert row is not None
    return int(row[0]), int(row[1]), int(row[2])


def run_burst(port: int, url: str, rate: float, duration: float, sample: float,
              drain_limit: float, threads: int = THREADS) -> Run:  # fmt: skip
    with psycopg.connect(url) as conn:
        after_id = int(conn.execute("SELECT coalesce(max(id), 0) FROM notifications").fetchone()[0])  # type: ignore[index]
    run = Run()
    n = int(rate * duration)
    run.visits = [Visit(scheduled=i / rate) for i in range(n)]
    stop = threading.Event()
    t0 = time.monotonic()

    def sampler() -> None:
        while not stop.is_set():
            at = time.monotonic() - t0
            waiting, sent, written = backlog(url, after_id)
            run.samples.append(Sample(at, waiting, sent, written))
            last = run.visits[-1].scheduled
            finished = all(v.done for v in run.visits)
            if at > last and finished and waiting == 0:
                run.drained_at = max(0.0, at - last)
                return
            if at > last + drain_limit:
                return
            stop.wait(sample)

    watcher = threading.Thread(target=sampler, daemon=True)
    cpu_before = resource.getrusage(resource.RUSAGE_SELF)
    watcher.start()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        for i, v in enumerate(run.visits):
            wait = t0 + v.scheduled - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            pool.submit(visit, port, i, v, t0)
        run.burst_seconds = time.monotonic() - t0
    cpu_after = resource.getrusage(resource.RUSAGE_SELF)
    run.cpu_seconds = (cpu_after.ru_utime - cpu_before.ru_utime) + (
        cpu_after.ru_stime - cpu_before.ru_stime
    )
    watcher.join()
    stop.set()
    return run


def percentile(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def gateway_accepted(port: int) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    conn.request("GET", "/stats")
    return int(json.loads(conn.getresponse().read())["accepted"])


def report(args: argparse.Namespace, run: Run, accepted: int, load_before: str,
           began: datetime, cases: int) -> str:  # fmt: skip
    visits = run.visits
    served = [v for v in visits if v.served]
    answered = [v for v in visits if v.answered]
    from_arrival = [v.latency * 1000 for v in visits]
    post_only = [v.post_latency * 1000 for v in answered]
    lag = [v.started * 1000 - v.scheduled * 1000 for v in visits]
    p95 = percentile(from_arrival, 95)
    share = len(served) / len(visits) if visits else 0.0
    peak = max(run.samples, key=lambda s: s.backlog) if run.samples else Sample(0, 0, 0, 0)
    last = visits[-1].scheduled if visits else 0.0
    drained = "-" if run.drained_at is None else f"{run.drained_at:.0f} s"
    errors: dict[str, int] = {}
    for v in visits:
        if not v.answered:
            errors[v.error or "?"] = errors.get(v.error or "?", 0) + 1
    written = run.samples[-1].written if run.samples else 0
    loadavg = " ".join(f"{x:.2f}" for x in os.getloadavg())

    def yes(ok: bool) -> str:
        return "yes" if ok else "**no**"

    lines = [
        f"# Burst of filings {began:%Y-%m-%d %H:%M} UTC, scale {args.scale}",
        "",
        f"- {args.rate:g} arrivals a second for {args.duration:g} s ({len(visits):,} "
        f"complainants), open loop; {cases:,} cases in the database before",
        f"- gunicorn 2 sync workers, {args.workers} RQ worker(s), SMS_BACKEND=twilio to the "
        f"stand-in gateway ({args.gateway_latency * 1000:.0f} ms per message); PostgreSQL and "
        f"Redis local; {os.cpu_count()} CPUs shared; load average before {load_before}, "
        f"after {loadavg}",
        "",
        "| measure | value | target | met? |",
        "|---|---|---|---|",
        f"| latency from scheduled arrival, p50 / p95 / p99 | {percentile(from_arrival, 50):,.0f}"
        f" / {p95:,.0f} / {percentile(from_arrival, 99):,.0f} ms (max "
        f"{max(from_arrival, default=0):,.0f}) | p95 < 800 ms | {yes(p95 < 800)} |",
        "| from sending the POST to the codes page, p50 / p95 / p99 | "
        f"{percentile(post_only, 50):,.0f} / "
        f"{percentile(post_only, 95):,.0f} / {percentile(post_only, 99):,.0f} ms | - | - |",
        f"| arrivals served within {TIMEOUT:.0f} s | {len(served):,} of {len(visits):,} "
        f"({share:.1%}; answered at all: {len(answered):,}) | 100 % | "
        f"{yes(share == 1.0)} |",
        f"| SMS backlog drained after the last arrival | {drained} (peak {peak.backlog:,} "
        f"waiting at {peak.at:.0f} s) | < 120 s | "
        f"{yes(run.drained_at is not None and run.drained_at < 120)} |",
        f"| SMS notices written / sent by the gateway | {written:,} / {accepted:,} | "
        "one per filing | " + yes(written == len(answered) == accepted) + " |",
        "",
        f"Generator: arrivals taken by a thread p99 {percentile(lag, 99):.1f} ms, max "
        f"{max(lag, default=0):.1f} ms after their scheduled time; its own CPU "
        f"{run.cpu_seconds:.1f} s over {run.burst_seconds:.0f} s "
        f"({run.cpu_seconds / max(run.burst_seconds, 1e-9):.1%} of one core)."
        + (f" Not served: {errors}." if errors else ""),
        "",
        "SMS backlog (notices of the burst waiting to be sent), every "
        f"{args.table_every:g} s; the last arrival was at {last:.0f} s:",
        "",
        "| t (s) | waiting | sent | written |",
        "|---:|---:|---:|---:|",
    ]
    shown, next_at = [], 0.0
    for s in run.samples:
        if s.at >= next_at or s is run.samples[-1] or s is peak:
            shown.append(s)
            next_at = s.at + args.table_every
    lines += [f"| {s.at:.0f} | {s.backlog:,} | {s.sent:,} | {s.written:,} |" for s in shown]
    return "\n".join(lines) + "\n"


def start_workers(env: dict[str, str], count: int, logs: Path) -> list[subprocess.Popen[bytes]]:
    workers = []
    for i in range(count):
        log = (logs / f"worker{i}.log").open("wb")
        workers.append(subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "wsgi:app", "worker"],
            env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        ))  # fmt: skip
    return workers


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.burst",
                                     description=(__doc__ or "").splitlines()[0])  # fmt: skip
    parser.add_argument("--scale", choices=sorted(SCALES), default="100k")
    parser.add_argument("--rate", type=float, default=10.0, help="arrivals a second")
    parser.add_argument("--duration", type=float, default=600.0, help="seconds of arrivals")
    parser.add_argument("--workers", type=int, default=4, help="RQ workers (deploy/systemd runs 4)")
    parser.add_argument("--gateway-latency", type=float, default=0.2,
                        help="seconds the stand-in gateway takes per message")  # fmt: skip
    parser.add_argument("--threads", type=int, default=THREADS,
                        help="visits in flight at most; an arrival beyond waits for a thread, "
                             "its latency still counted from its scheduled time")  # fmt: skip
    parser.add_argument("--sample", type=float, default=5.0, help="seconds between samples")
    parser.add_argument("--table-every", type=float, default=30.0,
                        help="seconds between the backlog table's rows")  # fmt: skip
    parser.add_argument("--drain-limit", type=float, default=600.0,
                        help="seconds to wait for the backlog after the last arrival")  # fmt: skip
    parser.add_argument("--db", default="", help="database name (default samleng_bench_SCALE)")
    parser.add_argument("--fresh", action="store_true", help="drop and regenerate the data")
    parser.add_argument("--drop", action="store_true", help="drop the database at the end")
    parser.add_argument("--redis-url", default=DEFAULT_REDIS)
    parser.add_argument("--out", default=str(ROOT / "bench" / "results"))
    args = parser.parse_args()

    began = datetime.now(UTC)
    load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())
    name = args.db or f"samleng_bench_{args.scale}"
    url = database_url(server_url(), name)
    if args.fresh:
        drop_database(url)
    prepare_database(server_url(), name, SCALES[args.scale])
    with psycopg.connect(url) as conn:
        cases = int(conn.execute("SELECT count(*) FROM cases").fetchone()[0])  # type: ignore[index]
    from bench.__main__ import _empty_queues

    _empty_queues(args.redis_url)
    instance = tempfile.mkdtemp(prefix="samleng-burst-")
    gateway_port = free_port()
    env = {
        **server_env(url, instance, args.redis_url),
        "PYTHONPATH": str(ROOT),
        "SMS_BACKEND": "twilio",
        "TWILIO_ACCOUNT_SID": sms_gateway.ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": sms_gateway.AUTH_TOKEN,
        "TWILIO_FROM": sms_gateway.SENDER,
        "TWILIO_API_BASE": f"http://127.0.0.1:{gateway_port}",
    }
    gateway = subprocess.Popen(
        [sys.executable, "-m", "bench.sms_gateway", "--port", str(gateway_port),
         "--latency", str(args.gateway_latency)], cwd=ROOT, start_new_session=True,
    )  # fmt: skip
    workers: list[subprocess.Popen[bytes]] = []
    web = None
    try:
        web = Server(env, "bench.serve:app()", Path(instance) / "app.log")
        workers = start_workers(env, args.workers, Path(instance))
        warm_up(web.port)
        print(f"burst: {args.rate:g}/s for {args.duration:g} s at {cases:,} cases", flush=True)
        run = run_burst(web.port, url, args.rate, args.duration, args.sample, args.drain_limit,
                        args.threads)  # fmt: skip
        accepted = gateway_accepted(gateway_port)
    finally:
        if web is not None:
            web.stop()
        for w in workers:
            stop(w)
        stop(gateway)
        _empty_queues(args.redis_url)
        if args.drop:
            drop_database(url)
    text = report(args, run, accepted, load_before, began, cases)
    scale = "" if args.scale == "100k" else "-" + args.scale
    write_report(args.out, f"{began:%Y-%m-%d}-burst{scale}.md", text)
    served = all(v.served for v in run.visits)
    return 0 if served and run.drained_at is not None else 1


if __name__ == "__main__":
    raise SystemExit(main())
