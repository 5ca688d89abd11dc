"""HTTP load from a separate process: wrk when installed, else this module's own client.

A load is described by a `Spec` (one request shape, cycled bodies, headers per connection,
what counts as a good answer). `drive(spec)` runs it for `spec.duration` seconds and
returns a `Tally`: a latency histogram (microseconds), good and bad answers, seconds.

- With `wrk` on the PATH, a Lua script written from the spec sets method, headers and
  bodies (each `{nonce}` in a body becomes a fresh token per request), gives each wrk
  thread its own headers (cookie, CSRF token), counts good and bad answers in
  `response()` and prints the latency histogram as JSON in `done()`.
- Otherwise `python -m bench.load SPEC.json` runs a threaded http.client generator (one
  keep-alive connection per thread) in a child process and prints the same JSON.

Either way the load never runs in the benchmark's own process. Only 127.0.0.1 is contacted.
"""

from __future__ import annotations

import http.client
import itertools
import json
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

USER_AGENT = "samleng-bench"
FORCE_PYTHON = False  # `python -m bench --load python`: ignore an installed wrk


@dataclass
class Spec:
    port: int
    method: str
    path: str
    expect_status: int
    expect_location: str = ""  # a substring the Location header must contain
    expect_body: str = ""  # a substring the body must contain (python client and wrk)
    bodies: list[str] = field(default_factory=list)  # cycled; "{nonce}" made unique
    headers: dict[str, str] = field(default_factory=dict)
    identities: list[dict[str, str]] = field(default_factory=list)  # headers per connection
    # With `rotate`, the identities are taken in turn, one per request: a crowd of users
    # on a few connections, instead of one user per connection.
    rotate: bool = False
    connections: int = 4
    duration: float = 5.0


@dataclass
class Tally:
    hist: dict[int, float] = field(default_factory=dict)  # latency in µs -> count
    good: int = 0
    bad: int = 0
    seconds: float = 0.0
    sample: str = ""  # one bad answer, for the error message

    def add(self, other: Tally) -> None:
        for us, n in other.hist.items():
            self.hist[us] = self.hist.get(us, 0) + n
        self.good += other.good
        self.bad += other.bad
        self.seconds += other.seconds
        self.sample = self.sample or other.sample

    def percentile_ms(self, p: float) -> float:
        total = sum(self.hist.values())
        if not total:
            return 0.0
        wanted, seen = p / 100 * total, 0.0
        for us in sorted(self.hist):
            seen += self.hist[us]
            if seen >= wanted:
                return us / 1000
        return max(self.hist) / 1000

    @property
    def rate(self) -> float:
        return self.good / self.seconds if self.seconds else 0.0


def wrk_available() -> bool:
    return not FORCE_PYTHON and shutil.which("wrk") is not None


def drive(spec: Spec) -> Tally:
    tally = _wrk(spec) if wrk_available() else _python(spec)
    if tally.bad > tally.good:
        raise RuntimeError(
            f"{spec.method} {spec.path}: {tally.bad} bad answers, {tally.good} good; "
            f"e.g. {tally.sample}"
        )
    return tally


def _hist(pairs: list[list[float]]) -> dict[int, float]:
    hist: dict[int, float] = {}
    for us, n in pairs:
        hist[int(us)] = hist.get(int(us), 0) + float(n)
    return hist


def _parse(out: str) -> Tally:
    line = next(x for x in reversed(out.splitlines()) if x.startswith("{"))
    data = json.loads(line)
    return Tally(
        hist=_hist(data["hist"]),
        good=int(data["good"]),
        bad=int(data["bad"]),
        seconds=float(data["seconds"]),
        sample=str(data.get("sample", "")),
    )


# --- wrk --------------------------------------------------------------------------------


def _lua(value: str) -> str:
    """A Lua string literal for any text (bytes outside a safe set as decimal escapes)."""
    safe = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 -_.=&/:;,"
    return '"' + "".join(chr(b) if b in safe else f"\\{b:03d}" for b in value.encode()) + '"'


def _table(values: dict[str, str]) -> str:
    return "{" + ",".join(f"[{_lua(k)}]={_lua(v)}" for k, v in values.items()) + "}"


LUA = """
local bodies = {%(bodies)s}
local identities = {%(identities)s}
local headers = {%(headers)s}
local method, path = %(method)s, %(path)s
local rotate = %(rotate)s
local want_status, want_location, want_body = %(status)d, %(location)s, %(body)s
local threads, counter = {}, 0

function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

function init(args)
  good, bad, sample, n = 0, 0, "", 0
  for k, v in pairs(headers) do wrk.headers[k] = v end
  if #identities > 0 and not rotate then
    for k, v in pairs(identities[(tid %% #identities) + 1]) do wrk.headers[k] = v end
  end
  crowd = {}
  if rotate then
    for i, identity in ipairs(identities) do
      local all = {}
      for k, v in pairs(wrk.headers) do all[k] = v end
      for k, v in pairs(identity) do all[k] = v end
      crowd[i] = all
    end
  end
end

function request()
  n = n + 1
  local body = nil
  if #bodies > 0 then
    body = bodies[((n + tid) %% #bodies) + 1]
    body = body:gsub("{nonce}", string.format("wrk%%dx%%09d", tid, n))
  end
  local hdrs = nil
  if rotate then hdrs = crowd[((n * #threads + tid) %% #crowd) + 1] end
  return wrk.format(method, path, hdrs, body)
end

function response(status, hdrs, body)
  local ok = status == want_status
  if ok and want_location ~= "" then
    ok = (hdrs["Location"] or hdrs["location"] or ""):find(want_location, 1, true) ~= nil
  end
  if ok and want_body ~= "" then ok = body:find(want_body, 1, true) ~= nil end
  if ok then good = good + 1 else
    bad = bad + 1
    if sample == "" then sample = status .. " " .. (hdrs["Location"] or "") end
  end
end

function done(summary, latency, requests)
  local g, b, s = 0, 0, ""
  for _, t in ipairs(threads) do
    g = g + t:get("good"); b = b + t:get("bad")
    if s == "" then s = t:get("sample") end
  end
  -- This wrk's Lua API gives percentiles, not the histogram: a quantile sketch
  -- (1st..99th percentile, then every 0.1 up to the maximum) stands for it.
  local parts, n = {}, #latency
  for p = 1, 99 do
    table.insert(parts, string.format('[%%d,%%f]', latency:percentile(p), n / 100))
  end
  for p = 99.1, 100.05, 0.1 do
    table.insert(parts, string.format('[%%d,%%f]', latency:percentile(math.min(p, 100)), n / 1000))
  end
  s = s:gsub('[^%%w %%-/_.]', '')
  io.write(string.format('{"good":%%d,"bad":%%d,"seconds":%%f,"sample":"%%s","hist":[%%s]}\\n',
    g, b, summary.duration / 1e6, s, table.concat(parts, ",")))
end
"""


def _wrk(spec: Spec) -> Tally:
    headers = {"User-Agent": USER_AGENT, **spec.headers}
    script = LUA % {
        "bodies": ",".join(_lua(b) for b in spec.bodies),
        "identities": ",".join(_table(i) for i in spec.identities),
        "headers": _table(headers)[1:-1],
        "method": _lua(spec.method),
        "path": _lua(spec.path),
        "status": spec.expect_status,
        "location": _lua(spec.expect_location),
        "body": _lua(spec.expect_body),
        "rotate": "true" if spec.rotate else "false",
    }
    # One thread per connection when each connection has its own identity (its own user).
    own = len(spec.identities) > 1 and not spec.rotate
    threads = spec.connections if own else min(2, spec.connections)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script)
    try:
        command = [
            "wrk",
            f"-t{threads}",
            f"-c{spec.connections}",
            f"-d{max(1, round(spec.duration))}s",
            "--timeout",
            "30s",
            "-s",
            f.name,
            f"http://127.0.0.1:{spec.port}{spec.path}",
        ]
        done = subprocess.run(command, capture_output=True, text=True)
    finally:
        Path(f.name).unlink(missing_ok=True)
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr or done.stdout}")
    return _parse(done.stdout)


# --- the Python fallback, run as `python -m bench.load SPEC.json` ----------------------


def _python(spec: Spec) -> Tally:
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(asdict(spec), f)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "bench.load", f.name],
            capture_output=True,
            text=True,
            check=True,
            cwd=Path(__file__).resolve().parent.parent,
        )
    finally:
        Path(f.name).unlink(missing_ok=True)
    return _parse(done.stdout)


def _client_loop(
    spec: Spec, index: int, deadline: float, into: Tally, lock: threading.Lock
) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", spec.port, timeout=30)
    headers = {"User-Agent": USER_AGENT, **spec.headers}
    if spec.identities and not spec.rotate:
        headers.update(spec.identities[index % len(spec.identities)])
    bodies = itertools.cycle(spec.bodies or [""])
    local = Tally()
    for n in itertools.count():
        if time.monotonic() >= deadline:
            break
        if spec.rotate and spec.identities:
            turn = n * spec.connections + index
            headers.update(spec.identities[turn % len(spec.identities)])
        body = next(bodies).replace("{nonce}", f"py{index}x{n:09d}")
        started = time.perf_counter()
        try:
            conn.request(spec.method, spec.path, body=body.encode() or None, headers=headers)
            response = conn.getresponse()
            text = response.read().decode("utf-8", "replace")
            location = response.getheader("Location") or ""
            ok = response.status == spec.expect_status
            ok = ok and spec.expect_location in location and spec.expect_body in text
            what = f"{response.status} {location}"
        except (OSError, http.client.HTTPException) as error:
            ok, what = False, repr(error)
            conn.close()
        us = int((time.perf_counter() - started) * 1e6)
        local.hist[us] = local.hist.get(us, 0) + 1
        if ok:
            local.good += 1
        else:
            local.bad += 1
            local.sample = local.sample or what
    with lock:
        into.add(local)


def main() -> None:
    spec = Spec(**json.loads(Path(sys.argv[1]).read_text()))
    tally, lock = Tally(), threading.Lock()
    deadline = time.monotonic() + spec.duration
    threads = [
        threading.Thread(target=_client_loop, args=(spec, i, deadline, tally, lock))
        for i in range(spec.connections)
    ]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    tally.seconds = time.perf_counter() - began
    print(json.dumps({**asdict(tally), "hist": list(tally.hist.items())}))


if __name__ == "__main__":
    main()
