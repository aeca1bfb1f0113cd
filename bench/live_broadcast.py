"""Broadcast latency: one campaign event to N viewers, against a bare ASGI fan-out.

    .venv/bin/python bench/live_broadcast.py --quick          # 200 and 500 viewers
    .venv/bin/python bench/live_broadcast.py                  # 1,000 and 2,000 viewers
    .venv/bin/python bench/live_broadcast.py --redis          # + 2 workers over Redis,
                                                              #   core and pubsub layers

N websockets (one client process, asyncio + websockets, all signed in with one shared
session) watch one campaign. K publishes (20, 200 ms apart, plus 2 unmeasured warm-ups)
each carry a ~2 KB ``idea.posted``-like payload. For each publish the figure is the time
from just before the publish request is written to the moment the LAST viewer has the
frame; p50/p95/p99 are over the publishes. Servers, all measured in the same run with the
same N, payload and client:

- bare:     bench/bare_asgi.py (no Django, no Channels), POST /publish;
- embedded: bench/live_app.py (config.asgi + POST /__bench/publish, which does exactly
            what conversations.live.events.broadcast does), SQLite, in-memory layer, 1 worker;
- redis-core / redis-pubsub (--redis): the same app in 2 uvicorn workers on 2 ports,
            REDIS_URL set and REDIS_LAYER=core|pubsub, viewers split across both,
            publishes sent to the first.

Goals: embedded p95 <= 1.5x bare and < 100 ms at 1,000 viewers; redis p95 <= 1.5x
embedded at the same N. A server is restarted for every (server, N) case.
"""

import argparse
import asyncio
import gc
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import live_common as lc  # noqa: E402

# A database of its own (the cache takes the next number): others may share the Redis.
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/8")


class Viewers:
    """N sockets with a reader task each, recording when each publish arrived."""

    def __init__(self, sockets, publishes: int):
        self.sockets = sockets
        self.frames = [0] * len(sockets)
        self.hello = [False] * len(sockets)
        self.got = [[0.0] * len(sockets) for _ in range(publishes)]
        self.closed = 0
        self.tasks = [
            asyncio.get_running_loop().create_task(self._read(i, ws))
            for i, ws in enumerate(sockets)
        ]

    async def _read(self, i, ws):
        got, prefix = self.got, '{"type":"idea.posted","bench":'
        cut = len(prefix)
        try:
            async for frame in ws:
                now = time.perf_counter()
                self.frames[i] += 1
                if frame.startswith(prefix):
                    n = int(frame[cut : frame.index(",", cut)])
                    if n < len(got):
                        got[n][i] = now
                elif frame.startswith('{"type": "hello"'):
                    self.hello[i] = True
        except Exception:  # noqa: BLE001
            pass
        self.closed += 1

    def total_frames(self) -> int:
        return sum(self.frames)

    async def settle(self, quiet: float = 1.0, limit: float = 120.0) -> float:
        """Wait until no frame has arrived for ``quiet`` seconds; returns seconds waited."""
        start = time.perf_counter()
        last, last_change = self.total_frames(), time.perf_counter()
        while time.perf_counter() - start < limit:
            await asyncio.sleep(0.1)
            now_total = self.total_frames()
            if now_total != last:
                last, last_change = now_total, time.perf_counter()
            elif time.perf_counter() - last_change >= quiet:
                break
        return time.perf_counter() - start

    def stop(self):
        lc.abort_all(self.sockets, self.tasks)


async def run_case(
    kind: str,
    servers: list,
    campaign_id: int,
    session_key: str,
    viewers: int,
    publishes: int,
    interval: float,
    size: int,
) -> dict:
    warm = 2
    total = warm + publishes
    targets = []
    for i in range(viewers):
        server = servers[i % len(servers)]
        path = "/ws/bench/" if kind == "bare" else f"/ws/campaigns/{campaign_id}/"
        targets.append(
            (server.ws + path, None if kind == "bare" else session_key, server.url)
        )
    sockets, connect_s = await lc.connect_many(targets)
    crowd = Viewers(sockets, total)
    result = {"connect_s": connect_s}
    try:
        if kind != "bare":
            deadline = time.perf_counter() + 60
            while not all(crowd.hello) and time.perf_counter() < deadline:
                await asyncio.sleep(0.05)
            result["hello_missing"] = crowd.hello.count(False)
        result["settle_s"] = await crowd.settle()
        result["frames_before"] = crowd.total_frames()
        # The client's own garbage collector must not pause the readers mid-publish.
        gc.collect()
        gc.freeze()
        gc.disable()
        publisher = lc.RawHTTP(servers[0].port)
        path = (
            "/publish" if kind == "bare" else f"/__bench/publish?campaign={campaign_id}"
        )
        bodies = [
            json.dumps(
                lc.idea_payload(10_000 + n, n, size), separators=(",", ":")
            ).encode()
            for n in range(total)
        ]
        result["payload_bytes"] = len(bodies[0])
        sent = [0.0] * total
        cpu0 = [lc.cpu_seconds(s.pid) for s in servers]
        client0, snap0 = lc.cpu_seconds(lc.os.getpid()), lc.cpu_snapshot()
        start = time.perf_counter()
        for n in range(total):
            # Publishes on a fixed schedule, not "after the previous one arrived".
            delay = start + n * interval - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            sent[n] = time.perf_counter()
            status, _ = await publisher.request(
                "POST", path, bodies[n], {"Content-Type": "application/json"}
            )
            assert status == 202, status
        deadline = time.perf_counter() + 15
        while time.perf_counter() < deadline:
            if all(all(row) for row in crowd.got):
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.3)
        cpu1 = [lc.cpu_seconds(s.pid) for s in servers]
        client1, snap1 = lc.cpu_seconds(lc.os.getpid()), lc.cpu_snapshot()
        elapsed = time.perf_counter() - start
        result["client_ms_per_publish"] = (client1 - client0) * 1000 / total
        result["foreign_cpu"] = lc.foreign_cpu(
            snap0, snap1, elapsed, {s.pid for s in servers}
        )
        publisher.close()
        last, median, missing = [], [], 0
        for n in range(warm, total):
            row = crowd.got[n]
            have = [t for t in row if t]
            missing += len(row) - len(have)
            if len(have) == len(row):
                last.append(max(have) - sent[n])
            have.sort()
            if have:
                median.append(have[len(have) // 2] - sent[n])
        result.update(
            last=lc.summary_ms(last),
            median=lc.summary_ms(median),
            missing=missing,
            closed=crowd.closed,
            cpu_ms_per_publish=[
                (b - a) * 1000 / total for a, b in zip(cpu0, cpu1, strict=True)
            ],
            frames_per_viewer=(crowd.total_frames()) / viewers,
        )
    finally:
        gc.enable()
        gc.unfreeze()
        crowd.stop()
    return result


APP = "bench.live_app:application"


def start_servers(kind: str, env: dict, workers: int) -> list:
    app = "bench.bare_asgi:app" if kind == "bare" else APP
    return [lc.Server(app, env, label=kind) for _ in range(workers)]


def main() -> None:
    global APP
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="200 and 500 viewers")
    parser.add_argument(
        "--redis",
        action="store_true",
        help="also 2 workers over Redis, core and pubsub layers",
    )
    parser.add_argument("--layers", default="core,pubsub", help="with --redis")
    parser.add_argument("--viewers", help="comma-separated viewer counts")
    parser.add_argument("--publishes", type=int, default=20)
    parser.add_argument("--interval", type=float, default=0.2, help="seconds")
    parser.add_argument("--size", type=int, default=2048, help="payload bytes")
    parser.add_argument(
        "--app",
        default=APP,
        help="our ASGI app (e.g. bench.live_app_fixes:application)",
    )
    parser.add_argument(
        "--no-wait",
        action="store_true",
        help="do not wait for other benchmarks to finish",
    )
    args = parser.parse_args()
    APP = args.app
    counts = [
        int(n)
        for n in (args.viewers or ("200,500" if args.quick else "1000,2000")).split(",")
    ]
    fd_limit = lc.raise_fd_limit()
    if not args.no_wait:
        lc.wait_for_quiet_machine()
    loop_name = lc.install_uvloop()

    tmp = tempfile.mkdtemp(prefix="live-broadcast-")
    sqlite = str(Path(tmp) / "live.sqlite3")
    base_env = lc.configure(database_url=None, sqlite_path=sqlite, redis=None)
    lc.setup_django()
    campaign, _ = lc.make_campaign(ideas=4)
    [(_, session_key)] = lc.make_people("live.viewer", 1)
    lc.close_db()

    kinds = [("bare", 1, base_env), ("embedded", 1, base_env)]
    if args.redis:
        for layer in args.layers.split(","):
            env = dict(
                base_env,
                REDIS_URL=REDIS,
                REDIS_LAYER=layer,
                REDIS_PREFIX=f"livebench{lc.os.getpid()}{layer}",
            )
            kinds.append((f"redis-{layer}", 2, env))
    print(
        f"Live broadcast ({APP}): viewers {counts}, {args.publishes} publishes {args.interval * 1000:.0f} ms "
        f"apart, ~{args.size} B payload; client: 1 process, {loop_name}; fd limit {fd_limit}; "
        f"{lc.os.cpu_count()} CPUs, load {lc.os.getloadavg()[0]:.1f}",
        flush=True,
    )

    results: dict[tuple[str, int], dict] = {}
    try:
        for viewers in counts:
            for kind, workers, env in kinds:
                servers = start_servers(kind, env, workers)
                try:
                    time.sleep(0.5)
                    r = asyncio.run(
                        asyncio.wait_for(
                            run_case(
                                kind,
                                servers,
                                campaign.pk,
                                session_key,
                                viewers,
                                args.publishes,
                                args.interval,
                                args.size,
                            ),
                            timeout=240,
                        )
                    )
                    r["rss_mb"] = [lc.rss_kb(s.pid) / 1024 for s in servers]
                    problems = [
                        line
                        for s in servers
                        for line in s.warnings()
                        if "WARNING" in line or "ERROR" in line or "Traceback" in line
                    ]
                    r["server_warnings"] = len(problems)
                    r["first_warning"] = problems[0][:160] if problems else ""
                except TimeoutError:
                    r = {"error": "timed out"}
                finally:
                    for s in servers:
                        s.stop()
                results[(kind, viewers)] = r
                if "error" in r:
                    print(
                        f"  {kind:<13} {viewers:>5} viewers: {r['error']}", flush=True
                    )
                    continue
                last = r["last"]
                print(
                    f"  {kind:<13} {viewers:>5} viewers: connect {r['connect_s']:5.2f} s, "
                    f"settle {r['settle_s']:5.1f} s ({r['frames_before'] / viewers:.0f} frames/viewer), "
                    f"last viewer p50 {last['p50']:6.1f} p95 {last['p95']:6.1f} "
                    f"p99 {last['p99']:6.1f} ms, missing {r['missing']}, "
                    f"server CPU/publish {'+'.join(f'{c:.0f}' for c in r['cpu_ms_per_publish'])} ms, "
                    f"client {r['client_ms_per_publish']:.0f} ms, foreign CPU {r['foreign_cpu']:.2f}"
                    + (
                        f", {r['server_warnings']} server log lines: {r['first_warning']}"
                        if r["server_warnings"]
                        else ""
                    ),
                    flush=True,
                )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    print("\nTime from publish to the LAST viewer's receipt (ms, over the publishes):")
    widths = [13, 7, 7, 7, 7, 7, 8, 7, 11, 9, 8, 7]
    header = [
        "server",
        "viewers",
        "p50",
        "p95",
        "p99",
        "max",
        "med-v50",
        "missing",
        "srv CPU/pub",
        "cli CPU/pub",
        "foreign",
        "vs bare",
    ]
    print(lc.fmt_row(header, widths))
    for viewers in counts:
        bare = results.get(("bare", viewers), {}).get("last", {}).get("p95")
        for kind, _, _ in kinds:
            r = results.get((kind, viewers), {})
            if "last" not in r:
                print(lc.fmt_row([kind, viewers] + ["-"] * (len(header) - 2), widths))
                continue
            last = r["last"]
            ratio = last["p95"] / bare if bare else float("nan")
            row = [
                kind,
                viewers,
                f"{last['p50']:.1f}",
                f"{last['p95']:.1f}",
                f"{last['p99']:.1f}",
                f"{last['max']:.1f}",
                f"{r['median']['p50']:.1f}",
                r["missing"],
                "+".join(f"{c:.1f}" for c in r["cpu_ms_per_publish"]),
                f"{r['client_ms_per_publish']:.1f}",
                f"{r['foreign_cpu']:.2f}",
                f"{ratio:.2f}x",
            ]
            print(lc.fmt_row(row, widths))
    print(
        "  med-v50: p50 over publishes of the MEDIAN viewer's latency; CPU/pub: CPU ms "
        "per publish (servers, client); foreign: CPUs used by other processes meanwhile "
        "(> 0.2 means the figures are disturbed)"
    )
    print("\nGoals (p95 of the last viewer):")
    for viewers in counts:
        bare = results.get(("bare", viewers), {}).get("last", {}).get("p95")
        emb = results.get(("embedded", viewers), {}).get("last", {}).get("p95")
        if bare and emb:
            ok = emb <= 1.5 * bare
            line = f"  {viewers:>5} viewers: embedded/bare = {emb / bare:.2f}x (goal <= 1.5x: {'MET' if ok else 'NOT MET'})"
            if viewers == 1000:
                line += f"; embedded p95 {emb:.1f} ms (goal < 100 ms: {'MET' if emb < 100 else 'NOT MET'})"
            print(line)
            cpu_b = sum(results[("bare", viewers)]["cpu_ms_per_publish"])
            cpu_e = sum(results[("embedded", viewers)]["cpu_ms_per_publish"])
            print(
                f"  {viewers:>5} viewers: server CPU per publish embedded/bare = "
                f"{cpu_e / cpu_b:.2f}x ({cpu_e:.1f} / {cpu_b:.1f} ms; ours also sends a "
                "tallies frame 250 ms after each numbered event)"
            )
        for kind, _, _ in kinds:
            if kind.startswith("redis"):
                red = results.get((kind, viewers), {}).get("last", {}).get("p95")
                if red and emb:
                    print(
                        f"  {viewers:>5} viewers: {kind}/embedded = {red / emb:.2f}x "
                        f"(p95 {red:.1f} ms; goal <= 1.5x: {'MET' if red <= 1.5 * emb else 'NOT MET'})"
                    )


if __name__ == "__main__":
    main()
