"""Reconnect stampede: a socket worker holding N pages' sockets is killed and restarted.

    .venv/bin/python bench/reconnect_stampede.py               # 5,000 pages, PostgreSQL + Redis
    .venv/bin/python bench/reconnect_stampede.py --n 1000      # fewer pages
    .venv/bin/python bench/reconnect_stampede.py --sqlite      # the embedded default instead
    .venv/bin/python bench/reconnect_stampede.py --policies page,ramp,fixed --fixed-ms 1000
    .venv/bin/python bench/reconnect_stampede.py --give-up 60  # stop waiting 60 s after

One uvicorn socket worker, started as platform/Procfile's `live` process (uvicorn
config.asgi:application --no-access-log --ws-per-message-deflate false), on the
production layout: PostgreSQL (a fresh database of its own, BENCH_PG_NAME, default
sv_stampede_bench) and Redis (BENCH_REDIS_URL, default redis://127.0.0.1:6379/12; the
cache takes the next database number). N signed-in people (distinct sessions) each hold
the campaign page's socket (/ws/campaigns/<id>/), reading what it sends. The worker is
killed (SIGKILL) and restarted at once on the same port. Every page then reconnects by
its policy, over and over until it is back, as the page's script does:

  page   what static/js/reconnect.js does (mirrored here, not imported: keep the two
         equal): each retry at a random moment within RETRY_WITHIN_MS = 2000 ms; after
         "try again later" (1013) within 4 s, doubled for each such answer in a row,
         up to a minute.
  ramp   the pages before that change: full jitter, random * min(2000, 250 * 2**n),
         n = failures since the last open (the first retry within 250 ms).
  fixed  the baseline, no jitter: every page retries every --fixed-ms (default 1000, the
         same mean wait as `page`).

Measured per policy, from "server back" (the restarted worker first accepts a TCP
connection; found by a probe every 5 ms): time until all N are reconnected (handshake
done), p50/p95 of each page's reconnect time, peak handshakes completed and attempts
made per 100 ms, handshake errors after the server was back (refusals while it was down
are expected and counted apart), and the worker's CPU from back to all reconnected.
Ratios are printed against `fixed` measured in the same run. The client is one
process (uvloop) on the same machine: on 2 cores it competes with the worker, so the
times are upper bounds for the server alone; the initial connect rate (64 at a time)
is printed as the worker's capacity for comparison.
"""

import argparse
import asyncio
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import websockets

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import live_common as lc  # noqa: E402
from config import websocket_protocol  # noqa: E402

REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12")
PG_NAME = os.environ.get("BENCH_PG_NAME", "sv_stampede_bench")
RETRY_WITHIN_MS = 2000  # static/js/reconnect.js
BUSY_RETRY_WITHIN_MS = 4000  # after close code 1013, "try again later" (the same),
BUSY_RETRY_MAX_MS = 60000  # doubled for each such answer in a row, up to this
OPEN_TIMEOUT = 30.0  # a handshake not done in this long is an error; the page retries


@dataclass(frozen=True)
class Policy:
    """How a page waits before its next attempt (the module docstring's policies)."""

    name: str  # page, ramp or fixed
    fixed_ms: float = 1000.0
    busy_within_ms: float = BUSY_RETRY_WITHIN_MS  # the page's first "try later" window

    def delay(self, failures: int, busy=False, busy_before=0) -> float:
        """Seconds to wait (``busy``: the last attempt was told to try later, after
        ``busy_before`` such answers in a row)."""
        if self.name == "page":
            if not busy:
                return random.random() * RETRY_WITHIN_MS / 1000
            within = min(BUSY_RETRY_MAX_MS, self.busy_within_ms * 2**busy_before)
            return random.random() * within / 1000
        if self.name == "ramp":
            return random.random() * min(2000, 250 * 2**failures) / 1000
        return self.fixed_ms / 1000


def spawn_worker(env: dict, port: int, log) -> subprocess.Popen:
    """platform/Procfile's `live` process, on 127.0.0.1:port (no wait)."""
    return subprocess.Popen(
        [
            lc.PYTHON,
            "-m",
            "uvicorn",
            "config.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
            *websocket_protocol.SERVER_OPTIONS,
        ],
        cwd=lc.ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        preexec_fn=lc._raise_limit_in_child,
    )


async def wait_for_port(port: int, process: subprocess.Popen, every: float = 0.005):
    """The moment ``port`` accepts a TCP connection (raises if the worker died)."""
    deadline = time.perf_counter() + 60
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"worker exited with {process.returncode}")
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            back = time.perf_counter()
            writer.transport.abort()
            return back
        except OSError:
            if time.perf_counter() > deadline:
                raise RuntimeError("worker did not come back within 60 s") from None
            await asyncio.sleep(every)


async def open_socket(url: str, key: str, origin: str):
    """One attempt, as a browser makes it (the page's cookie and origin)."""
    import websockets

    return await websockets.connect(
        url,
        additional_headers={"Origin": origin, "Cookie": f"sessionid={key}"},
        max_queue=None,
        open_timeout=OPEN_TIMEOUT,
        ping_interval=None,
        compression=None,
        close_timeout=2,
    )


class Page:
    """One page's campaign socket: reads what arrives; when it drops, reconnects by
    its policy until it is back (as the page's script does)."""

    def __init__(self, url, key, origin, policy: Policy, log):
        self.url, self.key, self.origin = url, key, origin
        self.policy, self.log = policy, log
        self.ws = None
        self.opens: list[float] = []  # times handshakes completed
        self.dropped_at: list[float] = []

    async def live(self, ws, stop: asyncio.Event):
        self.ws = ws
        failures = 0
        busy = False
        busy_before = 0  # "try later" answers in a row before the last one
        while not stop.is_set():
            if self.ws is None:
                delay = self.policy.delay(failures, busy, busy_before)
                busy_before = busy_before + 1 if busy else 0
                await asyncio.sleep(delay)
                if stop.is_set():
                    return
                self.log.append((time.perf_counter(), "attempt"))
                busy = False
                try:
                    self.ws = await open_socket(self.url, self.key, self.origin)
                    # Back when greeted: a busy worker accepts and closes with 1013.
                    await asyncio.wait_for(self.ws.recv(), OPEN_TIMEOUT)
                except websockets.ConnectionClosed as closed:
                    code = closed.rcvd.code if closed.rcvd else None
                    busy = code == 1013
                    self.log.append(
                        (time.perf_counter(), "try later" if busy else "closed")
                    )
                    self.ws = None
                    failures += 1
                    continue
                except ConnectionRefusedError:
                    self.log.append((time.perf_counter(), "refused"))
                    failures += 1
                    continue
                except Exception as error:  # noqa: BLE001 - any failed handshake
                    self.log.append((time.perf_counter(), type(error).__name__))
                    self.ws = None
                    failures += 1
                    continue
                failures = 0
                self.opens.append(time.perf_counter())
            try:
                async for _ in self.ws:
                    pass
            except Exception:  # noqa: BLE001 - dropped: reconnect
                pass
            self.dropped_at.append(time.perf_counter())
            self.ws = None

    def abort(self):
        if self.ws is not None:
            try:
                self.ws.transport.abort()  # no TIME_WAIT left behind on our ports
            except Exception:  # noqa: BLE001
                pass


async def run_case(policy: Policy, n, give_up, env, campaign, keys, port):
    log_file = tempfile.NamedTemporaryFile(prefix="stampede-worker-", suffix=".log")
    worker = spawn_worker(env, port, log_file)
    await wait_for_port(port, worker, every=0.05)
    url = f"ws://127.0.0.1:{port}/ws/campaigns/{campaign.pk}/"
    origin = f"http://127.0.0.1:{port}"
    sockets, connect_s = await lc.connect_many([(url, key, origin) for key in keys])
    events: list[tuple[float, str]] = []
    pages = [Page(url, key, origin, policy, events) for key in keys]
    stop = asyncio.Event()
    tasks = [
        asyncio.create_task(p.live(ws, stop))
        for p, ws in zip(pages, sockets, strict=True)
    ]
    await asyncio.sleep(3)  # the joins' viewer counts settle
    out = {"connect_s": connect_s, "connect_rate": n / connect_s}
    try:
        killed = time.perf_counter()
        worker.send_signal(signal.SIGKILL)
        worker.wait()
        worker = spawn_worker(env, port, log_file)
        back = await wait_for_port(port, worker)
        cpu_back = lc.cpu_seconds(worker.pid)
        client_back = lc.cpu_seconds(os.getpid())
        deadline = back + give_up
        while time.perf_counter() < deadline:
            if all(p.opens and p.opens[-1] > killed for p in pages):
                break
            await asyncio.sleep(0.01)
        done = time.perf_counter()
        cpu_done = lc.cpu_seconds(worker.pid)
        client_cpu = lc.cpu_seconds(os.getpid()) - client_back
        reconnected = [p.opens[-1] for p in pages if p.opens and p.opens[-1] > killed]
        after = [t - back for t in reconnected]
        slots: dict[int, int] = {}
        for t in reconnected:
            slots[int((t - back) // 0.1)] = slots.get(int((t - back) // 0.1), 0) + 1
        tries: dict[int, int] = {}
        errors: dict[str, int] = {}
        refused_down = 0
        for t, kind in events:
            if t < killed:
                continue
            if kind == "attempt" and t >= back:
                tries[int((t - back) // 0.1)] = tries.get(int((t - back) // 0.1), 0) + 1
            elif kind == "refused" and t < back + 0.05:
                refused_down += 1
            elif kind != "attempt":
                errors[kind] = errors.get(kind, 0) + 1
        out.update(
            down_s=back - killed,
            reconnected=len(reconnected),
            all_s=max(after) if len(after) == n else float("nan"),
            # handshakes done per second while they were coming back
            goodput=len(after) / max(1e-9, (max(after) if after else done - back)),
            p50_ms=lc.pct(after, 50) * 1000,
            p95_ms=lc.pct(after, 95) * 1000,
            peak_connects=max(slots.values(), default=0),
            peak_attempts=max(tries.values(), default=0),
            errors=sum(errors.values()),
            error_kinds=errors,
            refused_down=refused_down,
            cpu_s=cpu_done - cpu_back,
            client_cpu_s=client_cpu,
            cpu_share=(cpu_done - cpu_back) / max(1e-9, done - back),
            lost=n - len(reconnected),
        )
    finally:
        stop.set()
        for p in pages:
            p.abort()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=10)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
        log_text = Path(log_file.name).read_text(errors="replace")
        problems = [
            line
            for line in log_text.splitlines()
            if "ERROR" in line or "Traceback" in line
        ]
        out["server_errors"] = len(problems)
        out["first_server_error"] = problems[0][:300] if problems else ""
        log_file.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=5000, help="pages (sockets)")
    parser.add_argument("--policies", default="page,ramp,fixed")
    parser.add_argument("--fixed-ms", type=float, default=1000.0)
    parser.add_argument("--sqlite", action="store_true", help="embedded default")
    parser.add_argument(
        "--give-up", type=float, default=120.0, help="seconds after the worker is back"
    )
    parser.add_argument(
        "--busy-within-ms",
        type=float,
        default=BUSY_RETRY_WITHIN_MS,
        help="the page's first window after 'try later' (to compare other values)",
    )
    parser.add_argument("--no-wait", action="store_true")
    args = parser.parse_args()
    policies = args.policies.split(",")
    fd_limit = lc.raise_fd_limit()
    if fd_limit < args.n + 500:
        sys.exit(f"fd limit {fd_limit} is too low for {args.n} sockets")
    if not args.no_wait:
        lc.wait_for_quiet_machine()
    loop_name = lc.install_uvloop()

    tmp = tempfile.mkdtemp(prefix="stampede-")
    database_url = None if args.sqlite else lc.create_pg_database(PG_NAME)
    env = lc.configure(
        database_url=database_url,
        sqlite_path=str(Path(tmp) / "stampede.sqlite3"),
        redis=None if args.sqlite else REDIS,
        layer="pubsub",  # the settings' default layer
    )
    lc.setup_django()
    from django.conf import settings

    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[1]
    print(
        f"Reconnect stampede: {args.n} pages on 1 socket worker, {engine}"
        f"{' + Redis ' + REDIS if not args.sqlite else ' (embedded layer)'}; "
        f"client 1 process ({loop_name}), fd limit {fd_limit}, {os.cpu_count()} CPUs, "
        f"load {os.getloadavg()[0]:.1f}; page retries within {RETRY_WITHIN_MS} ms "
        f"(static/js/reconnect.js), fixed baseline every {args.fixed_ms:.0f} ms",
        flush=True,
    )
    results = {}
    try:
        campaign, _ = lc.make_campaign(ideas=4)
        keys = [key for _, key in lc.make_people("stampede", args.n)]
        lc.close_db()
        for policy in policies:
            port = lc.free_port()
            r = asyncio.run(
                run_case(
                    Policy(policy, args.fixed_ms, args.busy_within_ms),
                    args.n,
                    args.give_up,
                    env,
                    campaign,
                    keys,
                    port,
                )
            )
            results[policy] = r
            print(
                f"  {policy:<6} initial connect {r['connect_rate']:.0f}/s; down "
                f"{r['down_s']:.2f} s; back: all {r['reconnected']}/{args.n} in "
                f"{r['all_s']:.2f} s ({r['goodput']:.0f}/s), p50 {r['p50_ms']:.0f} p95 {r['p95_ms']:.0f} ms; "
                f"peak per 100 ms {r['peak_connects']} handshakes, "
                f"{r['peak_attempts']} attempts; errors {r['errors']} "
                f"{r['error_kinds'] or ''}; refused while down {r['refused_down']}; "
                f"worker CPU {r['cpu_s']:.1f} s ({r['cpu_share']:.0%} of a core, "
                f"{r['cpu_s'] / max(1, r['reconnected']) * 1000:.1f} ms a socket), "
                f"client CPU {r['client_cpu_s']:.1f} s; "
                f"server log errors {r['server_errors']}",
                flush=True,
            )
            if r["first_server_error"]:
                print(f"      first: {r['first_server_error']}", flush=True)
            time.sleep(2)
    finally:
        lc.close_db()
        shutil.rmtree(tmp, ignore_errors=True)
        if database_url:
            lc.drop_pg_database(PG_NAME)

    base = results.get("fixed")
    print(f"\nAfter the worker is back ({args.n} pages; ratios against `fixed`):")
    widths = [7, 9, 8, 8, 11, 11, 7, 9]
    print(
        lc.fmt_row(
            [
                "policy",
                "all s",
                "p50 ms",
                "p95 ms",
                "peak/100ms",
                "tries/100ms",
                "errors",
                "CPU s",
            ],
            widths,
        )
    )

    def ratio(r, k):
        return f" ({r[k] / base[k]:.2f}x)" if base and base[k] else ""

    for policy, r in results.items():
        print(
            lc.fmt_row(
                [
                    policy,
                    f"{r['all_s']:.2f}",
                    f"{r['p50_ms']:.0f}",
                    f"{r['p95_ms']:.0f}",
                    r["peak_connects"],
                    r["peak_attempts"],
                    r["errors"],
                    f"{r['cpu_s']:.1f}",
                ],
                widths,
            )
            + (
                f"   vs fixed: all{ratio(r, 'all_s')}, p95{ratio(r, 'p95_ms')}, "
                f"peak{ratio(r, 'peak_connects')}, tries{ratio(r, 'peak_attempts')}"
                if base and policy != "fixed"
                else ""
            )
        )
    if any(r["lost"] for r in results.values()):
        sys.exit(1)


if __name__ == "__main__":
    main()
