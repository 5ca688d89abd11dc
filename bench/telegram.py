"""Inbound Telegram updates on the production topology, and the time until her reply arrives.

    python -m bench.telegram [--cases 10000] [--chats 4] [--duration 20] [--decisions 120]
        [--db samleng_telegram_bench] [--redis-url redis://127.0.0.1:6379/13] [--keep]

Topology: the app under gunicorn (bench/serve.py: 2 sync workers, 127.0.0.1), one RQ worker
(`flask worker`, every queue, as deploy/systemd runs it) and the outbox relay in it sending
to a fake Telegram Bot API over HTTP (tests/fake_telegram.py, in this process). The harness
plays Telegram: it POSTs Update objects to /telegram/webhook with the secret token, one
update at a time per chat (Telegram's own order), and carries out the sendMessage the
webhook answers with on the fake Bot API, as Telegram does.

1. Updates per second: `--chats` chats at once, each filing complaints one after the other
   in the conversation (/file, category button, province button, her words: four updates,
   the last files the case) for `--duration` seconds. Latency: from the update's POST to
   the reply arriving at the Bot API. Beside it, the floor: the bare app's one-INSERT POST
   (bench/serve.py) under the same driver and concurrency.
2. Through the outbox: `--decisions` cases wait for her answer (resolution proposed, her chat
   linked). Per chat: "Check my cases", "Accept", a rating: the last update closes the case
   and the closing notice goes through the outbox, the RQ worker and the relay to the Bot
   API. Time: from the rating's POST to the notice's arrival.

The driver threads and the fake Bot API share this process (a conversation is stateful,
which wrk cannot drive); the app and the worker are their own processes.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import write_report
from bench.datagen import drop_database, prepare_database, server_url
from bench.serve import BENCH_KEY, PINGS_SQL, ROOT, Server, server_env

SECRET = "bench-webhook-secret"
HEADERS = {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": SECRET}
OFFICER = "bench-telegram-officer"
FIRST_CHAT = 910_000_000  # chats of the filing phase count up from here
DECIDING_CHAT = 920_000_000  # chats whose case waits for a decision
WORDS = "ក្រុមហ៊ុនកាត់ប្រាក់ ប.ស.ស ពីប្រាក់ខែខ្ញុំ តែមិនបានបង់ទេ"


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000, help="cases already there")
    parser.add_argument("--chats", type=int, default=4, help="chats writing at once")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds of filing")
    parser.add_argument("--decisions", type=int, default=120, help="cases decided in chats")
    parser.add_argument("--db", default="samleng_telegram_bench")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/13")
    parser.add_argument("--keep", action="store_true", help="keep the database for reuse")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results"))
    args = parser.parse_args()

    from tests.fake_telegram import FakeTelegram

    began = datetime.now(UTC)
    load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())
    url = prepare_database(server_url(), args.db, args.cases)
    instance = tempfile.mkdtemp(prefix="samleng-bench-telegram-")
    _empty_queues(args.redis_url)
    with FakeTelegram() as bot:
        env = {
            **server_env(url, instance, args.redis_url),
            "TELEGRAM_BOT_TOKEN": bot.token,
            "TELEGRAM_WEBHOOK_SECRET": SECRET,
            "TELEGRAM_API_BASE": bot.url,
        }
        local = _local_app(url, instance)
        waiting = _waiting_cases(local, args.decisions)
        labels = _labels(local)
        app = Server(env, "bench.serve:app()", Path(instance) / "app.log")
        bare = Server(env, "bench.serve:bare_app()", Path(instance) / "bare.log")
        worker = _worker(env, Path(instance) / "worker.log")
        try:
            _bare_table(url)
            filing = _filing(app.port, bot, labels, args.chats, args.duration)
            floor = _floor(bare.port, args.chats, args.duration)
            deciding = _deciding(app.port, bot, labels, waiting, args.chats)
        finally:
            os.killpg(worker.pid, signal.SIGTERM)
            worker.wait(timeout=30)
            app.stop()
            bare.stop()
            _empty_queues(args.redis_url)
            with local.app_context():
                from grievance.extensions import db

                db.engine.dispose()
    if not args.keep:
        drop_database(url)
    text = _report(args, filing, floor, deciding, began, load_before)
    write_report(args.out, f"{began:%Y-%m-%d}-telegram.md", text)
    return 0


# --- set-up ---------------------------------------------------------------------------


def _local_app(url: str, instance: str) -> Any:
    from grievance.app import create_app
    from grievance.config import Config

    return create_app(
        Config(DATABASE_URL=url, INSTANCE_PATH=instance, SECRET_KEY=BENCH_KEY, SERVER_KEY=BENCH_KEY)
    )


def _waiting_cases(local: Any, n: int) -> list[int]:
    """n cases whose proposed answer waits for her, each with her chat linked; the chats."""
    from grievance.cases import transitions
    from grievance.cases.services import NewCase, PersonData, file_case
    from grievance.extensions import db
    from grievance.uow import checkpoint as commit
    from tests.factories import make_user

    chats = [DECIDING_CHAT + i for i in range(n)]
    with local.app_context():
        from grievance.auth.models import User

        officer = db.session.query(User).filter_by(username=OFFICER).one_or_none()
        officer = officer or make_user("officer", "supervisor", username=OFFICER)
        actor = transitions.actor_for(officer)
        for chat in chats:
            phone = f"+8559{chat % 100_000_000:08d}"
            filed = file_case(
                NewCase(
                    category_code="contributions",
                    province_code="KH-12",
                    description="The factory deducts NSSF money but never pays it.",
                    channel="telegram",
                    complainant=PersonData(phone=phone, language="km", consent_to_contact=True),
                )
            )
            person = filed.case.complainant
            assert person is not None
            person.chat_channel, person.chat_address = "telegram", str(chat)
            person.last_channel = "telegram"
            for step, inputs in (
                ("acknowledge", {}),
                ("claim", {}),
                ("start_work", {}),
                ("propose_resolution", {"resolution": "The employer paid the arrears."}),
            ):
                transitions.apply(filed.case, step, actor, inputs)
            commit()  # its notices go to the (not configured) chat: they fail, harmlessly
    return chats


def _worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "flask", "--app", "wsgi:app", "worker"]
    with log.open("wb") as out:
        return subprocess.Popen(
            command, env=env, cwd=ROOT, stdout=out, stderr=out, start_new_session=True
        )


def _bare_table(url: str) -> None:
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as c:
        c.execute(PINGS_SQL)


def _empty_queues(redis_url: str) -> None:
    from redis import Redis
    from rq import Queue

    from grievance.jobs import QUEUES

    connection = Redis.from_url(redis_url)
    for name in QUEUES:
        Queue(name, connection=connection).empty()


# --- the driver -----------------------------------------------------------------------


class Chat:
    """One chat's keep-alive connection to the webhook; Telegram's part for its answers."""

    def __init__(self, port: int, bot: Any, chat_id: int) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.bot, self.chat_id = bot, chat_id
        self.api = http.client.HTTPConnection("127.0.0.1", int(bot.url.rsplit(":", 1)[1]))

    def send(self, update: dict[str, Any]) -> float:
        """POST the update, carry out the answer; seconds until the reply arrived."""
        started = time.monotonic()
        self.conn.request("POST", "/telegram/webhook", json.dumps(update), HEADERS)
        response = self.conn.getresponse()
        call = json.loads(response.read())
        if response.status != 200 or call.get("method") != "sendMessage":
            raise RuntimeError(f"webhook answered {response.status}: {call}")
        method = call.pop("method")
        self.api.request(
            "POST",
            f"/bot{self.bot.token}/{method}",
            json.dumps(call),
            {"Content-Type": "application/json"},
        )
        self.api.getresponse().read()
        return time.monotonic() - started


def _run(chats: int, work: Callable[[int], list[float]]) -> tuple[list[float], float]:
    latencies: list[float] = []
    lock = threading.Lock()
    started = time.monotonic()

    def one(n: int) -> None:
        got = work(n)
        with lock:
            latencies.extend(got)

    threads = [threading.Thread(target=one, args=(n,)) for n in range(chats)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, time.monotonic() - started


def _filing(
    port: int, bot: Any, labels: dict[str, str], chats: int, duration: float
) -> dict[str, Any]:
    from tests import fake_telegram as tg

    deadline = time.monotonic() + duration
    filed = [0] * chats

    def work(n: int) -> list[float]:
        got: list[float] = []
        k = 0
        while time.monotonic() < deadline:
            chat = Chat(port, bot, FIRST_CHAT + n * 100_000 + k)
            words_said = ("/file", labels["category"], labels["province"], WORDS)
            for words in words_said:
                got.append(chat.send(tg.text(chat.chat_id, words)))
            filed[n] += 1
            k += 1
        return got

    latencies, seconds = _run(chats, work)
    return {"latencies": latencies, "seconds": seconds, "cases": sum(filed)}


def _labels(local: Any) -> dict[str, str]:
    """What she taps, in Khmer: the buttons' labels and the choices' names."""
    from flask_babel import force_locale, gettext

    from grievance import reference

    with local.test_request_context(), force_locale("km"):
        snapshot = reference.current()
        return {
            "category": snapshot.categories["contributions"].name_km,
            "province": snapshot.provinces["KH-8"].name_km,
            "check": str(gettext("Check my cases")),
            "accept": str(gettext("Accept the answer")),
        }


def _floor(port: int, chats: int, duration: float) -> dict[str, Any]:
    deadline = time.monotonic() + duration

    def work(n: int) -> list[float]:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        got: list[float] = []
        form = {"Content-Type": "application/x-www-form-urlencoded"}
        while time.monotonic() < deadline:
            started = time.monotonic()
            conn.request("POST", "/insert", "note=update", form)
            conn.getresponse().read()
            got.append(time.monotonic() - started)
        return got

    latencies, seconds = _run(chats, work)
    return {"latencies": latencies, "seconds": seconds}


def _deciding(
    port: int, bot: Any, labels: dict[str, str], waiting: list[int], chats: int
) -> dict[str, Any]:
    from tests import fake_telegram as tg

    check, accept = labels["check"], labels["accept"]
    notices: list[float] = []
    missing = [0]
    lock = threading.Lock()

    def work(n: int) -> list[float]:
        got: list[float] = []
        for chat_id in waiting[n::chats]:
            chat = Chat(port, bot, chat_id)
            got.append(chat.send(tg.text(chat_id, check)))
            got.append(chat.send(tg.text(chat_id, accept)))
            posted = time.monotonic()
            got.append(chat.send(tg.text(chat_id, "៥")))
            arrived = _notice(bot, chat_id, posted, timeout=60)
            with lock:
                if arrived is None:
                    missing[0] += 1
                else:
                    notices.append(arrived - posted)
        return got

    latencies, seconds = _run(chats, work)
    return {"latencies": latencies, "seconds": seconds, "notices": notices, "missing": missing[0]}


def _notice(bot: Any, chat_id: int, since: float, timeout: float) -> float | None:
    """When the outbox's notice (it carries her one-time link) reached the chat."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with bot.lock:
            for chat, text, at in bot.arrivals:
                if chat == chat_id and at >= since and "/t/" in text:
                    return at
        time.sleep(0.005)
    return None


# --- the report -----------------------------------------------------------------------


def _ms(values: list[float], p: float) -> str:
    if not values:
        return "-"
    ordered = sorted(values)
    return f"{ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000:.0f}"


def _report(
    args: argparse.Namespace,
    filing: dict[str, Any],
    floor: dict[str, Any],
    deciding: dict[str, Any],
    began: datetime,
    load_before: str,
) -> str:
    rate = len(filing["latencies"]) / filing["seconds"]
    floor_rate = len(floor["latencies"]) / floor["seconds"]
    lines = [
        f"# Telegram updates, {began:%Y-%m-%d}",
        "",
        f"`python -m bench.telegram --cases {args.cases} --chats {args.chats} "
        f"--duration {args.duration:g} --decisions {args.decisions} --redis-url {args.redis_url}`",
        "",
        "| measure | value |",
        "|---|---|",
        f"| updates answered per second (filing conversations, chats at once: {args.chats}) "
        f"| {rate:.1f} |",
        f"| floor: bare app one-INSERT POSTs per second, same driver | {floor_rate:.1f} |",
        f"| ratio to the floor | {rate / floor_rate:.2f} |",
        f"| cases filed by chat | {filing['cases']} |",
        f"| update POST -> reply at the Bot API, p50 / p99 (ms) | "
        f"{_ms(filing['latencies'], 50)} / {_ms(filing['latencies'], 99)} |",
        f"| floor POST, p50 / p99 (ms) | {_ms(floor['latencies'], 50)} / "
        f"{_ms(floor['latencies'], 99)} |",
        f"| decisions in chats (3 updates each) | {len(deciding['notices'])} of "
        f"{args.decisions} notices arrived, {deciding['missing']} missing |",
        f"| rating POST -> closing notice at the Bot API via outbox, RQ worker, relay, "
        f"p50 / p99 (ms) | {_ms(deciding['notices'], 50)} / {_ms(deciding['notices'], 99)} |",
        f"| decision updates, POST -> reply, p50 / p99 (ms) | "
        f"{_ms(deciding['latencies'], 50)} / {_ms(deciding['latencies'], 99)} |",
        "",
        f"- machine: {platform.platform()}, {os.cpu_count()} cores, shared; load average "
        f"before: {load_before}",
        "- topology: gunicorn 2 sync workers (bench/serve.py), one `flask worker` (RQ, every "
        "queue), PostgreSQL and Redis on 127.0.0.1; the fake Bot API and the driver threads "
        "in the benchmark's process",
        f"- mean filing-update latency {statistics.mean(filing['latencies']) * 1000:.0f} ms "
        f"over {len(filing['latencies'])} updates in {filing['seconds']:.1f} s",
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    raise SystemExit(main())
