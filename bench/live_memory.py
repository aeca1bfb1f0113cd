"""Memory and connect time of idle campaign sockets on one worker, against bare ASGI.

    .venv/bin/python bench/live_memory.py --quick    # 1,000 sockets
    .venv/bin/python bench/live_memory.py            # 5,000 sockets

One uvicorn worker, restarted for each server: bench/bare_asgi.py (baseline) and
bench/live_app.py (config.asgi; SQLite, in-memory layer). After a warm-up (20 sockets
opened and closed, so imports, the hub and the database thread exist), the server's
VmRSS (/proc/<pid>/status) is read, N sockets are opened (64 handshakes in flight,
one shared signed-in session, all on one campaign), the client keeps reading whatever
it is sent (as a browser does) until the server has been quiet for 1 s, and VmRSS is
read again. Figures: KB per connection (ours/bare; goal <= 1.5x), and the time for the
first 1,000 connects (handshake done, and for ours also the "hello" frame, i.e.
subscribed to the hub; goal < 2 s).
"""

import argparse
import asyncio
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import live_common as lc  # noqa: E402

PG_NAME = os.environ.get("BENCH_PG_NAME", "sv_live_memory")


class Drain:
    """Read and count every frame on every socket; note the first one (hello)."""

    def __init__(self):
        self.frames = 0
        self.first = {}
        self.tasks = []

    def add(self, index, ws):
        self.tasks.append(asyncio.get_running_loop().create_task(self._read(index, ws)))

    async def _read(self, index, ws):
        try:
            async for _ in ws:
                if index not in self.first:
                    self.first[index] = time.perf_counter()
                self.frames += 1
        except Exception:  # noqa: BLE001
            pass

    async def quiet(self, seconds=1.0, limit=600.0) -> float:
        start = time.perf_counter()
        seen, changed = -1, start
        while time.perf_counter() - start < limit:
            await asyncio.sleep(0.1)
            if self.frames != seen:
                seen, changed = self.frames, time.perf_counter()
            elif time.perf_counter() - changed >= seconds:
                break
        return time.perf_counter() - start

    def stop(self):
        for task in self.tasks:
            task.cancel()


async def run_case(
    kind, server, campaign_id, session_key, sockets_wanted, first_batch, out
):
    path = "/ws/bench/" if kind == "bare" else f"/ws/campaigns/{campaign_id}/"
    key = None if kind == "bare" else session_key
    target = (server.ws + path, key, server.url)
    # Warm-up: imports, hub, database thread, connection pools.
    warm, _ = await lc.connect_many([target] * 20, concurrency=20)
    warm_drain = Drain()
    for i, ws in enumerate(warm):
        warm_drain.add(i, ws)
    await warm_drain.quiet(0.5, 30)
    await lc.close_many(warm)
    warm_drain.stop()
    await asyncio.sleep(1.5)
    out["rss_before_kb"] = lc.rss_kb(server.pid)

    drain = Drain()
    sockets = []
    first_n = min(first_batch, sockets_wanted)
    snap0 = lc.cpu_snapshot()
    start = time.perf_counter()
    batch, handshake_s = await lc.connect_many([target] * first_n)
    for i, ws in enumerate(batch):
        drain.add(i, ws)
    sockets += batch
    if kind != "bare":
        deadline = time.perf_counter() + 300
        while len(drain.first) < first_n and time.perf_counter() < deadline:
            await asyncio.sleep(0.01)
        out["first_hello_s"] = (
            max(drain.first.values()) - start if len(drain.first) == first_n else None
        )
    out["first_handshake_s"] = handshake_s
    out["foreign_cpu"] = lc.foreign_cpu(
        snap0, lc.cpu_snapshot(), time.perf_counter() - start, {server.pid}
    )
    rest, rest_s = await lc.connect_many([target] * (sockets_wanted - first_n))
    for i, ws in enumerate(rest, start=first_n):
        drain.add(i, ws)
    sockets += rest
    out["all_handshake_s"] = time.perf_counter() - start
    out["settle_s"] = await drain.quiet(1.0)
    out["all_done_s"] = time.perf_counter() - start - 1.0
    await asyncio.sleep(1.0)
    out["rss_after_kb"] = lc.rss_kb(server.pid)
    out["frames"] = drain.frames
    out["open"] = sum(1 for t in drain.tasks if not t.done())
    out["kb_per_conn"] = (out["rss_after_kb"] - out["rss_before_kb"]) / sockets_wanted
    drain.stop()
    lc.abort_all(sockets)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="1,000 sockets")
    parser.add_argument("--sockets", type=int)
    parser.add_argument("--no-wait", action="store_true")
    parser.add_argument(
        "--timeout",
        type=float,
        default=420.0,
        help="seconds allowed for each server's case",
    )
    parser.add_argument(
        "--redis",
        action="store_true",
        help="PostgreSQL (database sv_live_memory) and Redis, as in production",
    )
    parser.add_argument(
        "--app",
        default="bench.live_app:application",
        help="our ASGI app (e.g. bench.live_app_fixes:application)",
    )
    args = parser.parse_args()
    wanted = args.sockets or (1000 if args.quick else 5000)
    fd_limit = lc.raise_fd_limit()
    if fd_limit < wanted + 500:
        sys.exit(f"fd limit {fd_limit} is too low for {wanted} sockets")
    if not args.no_wait:
        lc.wait_for_quiet_machine()
    loop_name = lc.install_uvloop()

    tmp = tempfile.mkdtemp(prefix="live-memory-")
    if args.redis:  # sessions from Redis (cached_db), PostgreSQL through the pool
        env = lc.configure(
            database_url=lc.create_pg_database(PG_NAME),
            sqlite_path=None,
            redis=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/8"),
            layer="pubsub",
        )
    else:
        env = lc.configure(
            database_url=None, sqlite_path=str(Path(tmp) / "mem.sqlite3"), redis=None
        )
    lc.setup_django()
    campaign, _ = lc.make_campaign(ideas=4)
    [(_, session_key)] = lc.make_people("mem.viewer", 1)
    lc.close_db()
    print(
        f"Live memory ({args.app}): {wanted} idle sockets on one worker; client 1 process ({loop_name}); "
        f"fd limit {fd_limit}; {lc.os.cpu_count()} CPUs, load {lc.os.getloadavg()[0]:.1f}",
        flush=True,
    )

    results = {}
    try:
        for kind, app in (("bare", "bench.bare_asgi:app"), ("embedded", args.app)):
            server = lc.Server(app, env, label=kind)
            try:
                time.sleep(0.5)
                r = {}
                asyncio.run(
                    asyncio.wait_for(
                        run_case(
                            kind, server, campaign.pk, session_key, wanted, 1000, r
                        ),
                        timeout=args.timeout,
                    )
                )
                problems = [
                    line
                    for line in server.warnings()
                    if "WARNING" in line or "ERROR" in line or "Traceback" in line
                ]
                r["server_warnings"] = len(problems)
                r["first_warning"] = problems[0][:200] if problems else ""
            except TimeoutError:
                rss = lc.rss_kb(server.pid)
                r["error"] = (
                    f"timed out after {args.timeout} s; RSS {r.get('rss_before_kb', 0) / 1024:.1f} "
                    f"-> {rss / 1024:.1f} MB; first 1,000 handshakes "
                    f"{r.get('first_handshake_s', float('nan')):.1f} s, subscribed "
                    f"{r.get('first_hello_s') or float('nan'):.1f} s"
                )
            finally:
                server.stop()
            results[kind] = r
            if "error" in r:
                print(f"  {kind}: {r['error']}")
                continue
            hello = (
                f", first 1,000 subscribed (hello) {r['first_hello_s']:.2f} s"
                if r.get("first_hello_s") is not None
                else ""
            )
            print(
                f"  {kind:<9} RSS {r['rss_before_kb'] / 1024:.1f} -> {r['rss_after_kb'] / 1024:.1f} MB, "
                f"{r['kb_per_conn']:.1f} KB/conn; first 1,000 handshakes {r['first_handshake_s']:.2f} s"
                f"{hello}; all {wanted} handshakes {r['all_handshake_s']:.1f} s, quiet after "
                f"{r['all_done_s']:.1f} s; {r['frames']} frames received ({r['frames'] / wanted:.0f}/socket); "
                f"{r['open']} still open; foreign CPU during the first 1,000 {r['foreign_cpu']:.2f}"
                + (
                    f"; {r['server_warnings']} server log lines: {r['first_warning']}"
                    if r["server_warnings"]
                    else ""
                ),
                flush=True,
            )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        if args.redis:
            lc.close_db()
            lc.drop_pg_database(PG_NAME)

    bare, ours = results.get("bare", {}), results.get("embedded", {})
    print(f"\n{wanted} idle sockets, one worker:")
    widths = [9, 10, 10, 9, 11, 11, 13, 14]
    print(
        lc.fmt_row(
            [
                "server",
                "RSS MB",
                "RSS+N MB",
                "KB/conn",
                "1k hs s",
                "1k hello s",
                f"{wanted} quiet s",
                "frames/socket",
            ],
            widths,
        )
    )
    for kind, r in results.items():
        if "kb_per_conn" not in r:
            continue
        print(
            lc.fmt_row(
                [
                    kind,
                    f"{r['rss_before_kb'] / 1024:.1f}",
                    f"{r['rss_after_kb'] / 1024:.1f}",
                    f"{r['kb_per_conn']:.1f}",
                    f"{r['first_handshake_s']:.2f}",
                    "-"
                    if r.get("first_hello_s") is None
                    else f"{r['first_hello_s']:.2f}",
                    f"{r['all_done_s']:.1f}",
                    f"{r['frames'] / wanted:.0f}",
                ],
                widths,
            )
        )
    if "kb_per_conn" in bare and "kb_per_conn" in ours:
        ratio = ours["kb_per_conn"] / bare["kb_per_conn"]
        print(
            f"  KB per connection ours/bare = {ratio:.2f}x (goal <= 1.5x: "
            f"{'MET' if ratio <= 1.5 else 'NOT MET'})"
        )
        t = ours.get("first_hello_s") or ours["first_handshake_s"]
        print(
            f"  first 1,000 connects (subscribed) {t:.2f} s vs bare "
            f"{bare['first_handshake_s']:.2f} s (goal < 2 s: {'MET' if t < 2 else 'NOT MET'})"
        )


if __name__ == "__main__":
    main()
