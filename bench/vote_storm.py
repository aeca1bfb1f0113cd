"""Vote storm in the production layout (issue 16, item 4): votes over HTTP to the page
server, viewers on the socket workers, PostgreSQL and Redis, as platform/ runs them.

    .venv/bin/python bench/vote_storm.py                          # 1,000 viewers, 50/s, 60 s
    .venv/bin/python bench/vote_storm.py --viewers 300 --seconds 20 --no-wait
    .venv/bin/python bench/vote_storm.py --pages granian:2x1,granian:2x4

Layout: the page server (granian, WSGI, ``config.wsgi`` as in platform/Procfile, one
case per ``--pages`` entry ``granian:<workers>x<threads>`` or ``uvicorn:<workers>``),
``--live`` uvicorn socket workers (``config.asgi``), a fresh PostgreSQL database and
Redis (channel layer, pubsub, and the cache). V viewers hold the campaign socket open,
split across the socket workers; votes arrive at a fixed rate (open loop) from
distinct signed-in voters, each exactly as the page sends it (POST, CSRF token, JSON),
all to the page server. The measuring is ``bench/live_vote_storm.py``'s (``run_case``).

Baseline in the same run, same layout and viewers: a trickle of votes (``--base-rate``,
default 2/s for 10 s). Printed per case: vote HTTP p50/p95 (and as a ratio to the
trickle's), vote -> every viewer's tally p95 (and against the trickle's), errors, and
final tallies against the Vote rows. Goals (issue 16): vote p95 < 300 ms, tally p95 <
1 s, no error. Not a test: run it on a quiet machine, compare ratios.
"""

import argparse
import asyncio
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import live_common as lc  # noqa: E402
from bench.live_vote_storm import run_case, tally_rows, vote_rows  # noqa: E402

REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/8")
PG_NAME = os.environ.get("BENCH_PG_NAME", "sv_vote_storm_bench")


class PageServer:
    """The page server of platform/Procfile (granian WSGI, or uvicorn for comparison),
    with the interface ``run_case`` uses (port, url, pid, stop)."""

    def __init__(self, spec: str, env: dict):
        kind, _, shape = spec.partition(":")
        self.port = lc.free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.label = spec
        self.log = tempfile.NamedTemporaryFile(
            prefix="vote-storm-page-", suffix=".log", delete=False
        )
        if kind == "granian":
            workers, _, threads = shape.partition("x")
            command = [
                lc.PYTHON, "-m", "granian", "--interface", "wsgi",
                "config.wsgi:application", "--host", "127.0.0.1",
                "--port", str(self.port), "--workers", workers or "2",
                "--blocking-threads", threads or "1", "--no-ws",
                "--log-level", "warning",
            ]  # fmt: skip
        else:
            command = [
                lc.PYTHON, "-m", "uvicorn", "config.asgi:application",
                "--host", "127.0.0.1", "--port", str(self.port),
                "--workers", shape or "2", "--no-access-log", "--log-level", "warning",
            ]  # fmt: skip
        self.process = subprocess.Popen(
            command,
            cwd=lc.ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its workers are stopped with it
        )
        deadline = time.monotonic() + 30
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"{spec} exited: {self.tail()}")
            try:
                with lc.socket.create_connection(("127.0.0.1", self.port), 0.2):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"{spec} did not start: {self.tail()}") from None
                time.sleep(0.05)
        time.sleep(1.0)  # every worker listening

    @property
    def pid(self) -> int:
        return self.process.pid

    def tail(self, n: int = 3000) -> str:
        return Path(self.log.name).read_text(errors="replace")[-n:]

    def warnings(self) -> list[str]:
        return [line for line in self.tail(10**7).splitlines() if line.strip()]

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        Path(self.log.name).unlink(missing_ok=True)


def storm(spec, env, live_workers, viewers, rate, seconds, base_rate, base_seconds):
    """One page-server case: the trickle, then the storm, with fresh viewers each."""

    out = {}
    campaign, idea_ids = lc.make_campaign(ideas=4)
    [(_, viewer_key)] = lc.make_people("storm.viewer", 1)
    total = int(rate * seconds) + int(base_rate * base_seconds)
    voters = lc.make_people("storm.voter", total)
    lc.close_db()
    live = [lc.Server("config.asgi:application", env, label="live") for _ in range(live_workers)]  # fmt: skip
    page = PageServer(spec, env)
    try:
        for name, r, s, people in (
            ("trickle", base_rate, base_seconds, voters[: int(base_rate * base_seconds)]),
            ("storm", rate, seconds, voters[int(base_rate * base_seconds) :]),
        ):  # fmt: skip
            out[name] = asyncio.run(
                asyncio.wait_for(
                    run_case(
                        live, campaign, idea_ids, viewer_key, people, viewers, r, s,
                        vote_servers=[page],
                    ),
                    timeout=s + 240,
                )
            )  # fmt: skip
        problems = [
            line
            for server in [*live, page]
            for line in server.warnings()
            if "ERROR" in line or "Traceback" in line
        ]
        out["server_errors"] = problems[:3]
        out["server_error_lines"] = len(problems)
        if problems:  # keep the whole logs to read (they go with the servers)
            kept = (
                Path(tempfile.gettempdir()) / f"vote-storm-{spec.replace(':', '-')}.log"
            )
            kept.write_text(
                "\n\n".join(f"== {s.label}\n{s.tail(10**7)}" for s in [*live, page])
            )
            out["server_errors"].append(f"(whole logs in {kept})")
        out["rows"] = vote_rows(idea_ids)
        out["tallies"] = tally_rows(idea_ids)
    finally:
        page.stop()
        for server in live:
            server.stop()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--viewers", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=50.0, help="votes per second")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--base-rate", type=float, default=2.0)
    parser.add_argument("--base-seconds", type=float, default=10.0)
    parser.add_argument("--live", type=int, default=2, help="uvicorn socket workers")
    parser.add_argument(
        "--pages",
        default="granian:2x1,granian:2x4",
        help="page server cases: granian:<workers>x<threads> or uvicorn:<workers>",
    )
    parser.add_argument("--no-wait", action="store_true")
    args = parser.parse_args()
    fd_limit = lc.raise_fd_limit()
    if not args.no_wait:
        lc.wait_for_quiet_machine()
    loop_name = lc.install_uvloop()
    database_url = lc.create_pg_database(PG_NAME)
    env = lc.configure(
        database_url=database_url, sqlite_path=None, redis=REDIS, layer="pubsub"
    )
    lc.setup_django()
    print(
        f"Vote storm, production layout: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; "
        f"{args.viewers} viewers on {args.live} socket workers, {args.rate:.0f} votes/s "
        f"for {args.seconds:.0f} s to the page server (trickle {args.base_rate:.0f}/s for "
        f"{args.base_seconds:.0f} s first), PostgreSQL + Redis (pubsub); client "
        f"{loop_name}, fd limit {fd_limit}, {os.cpu_count()} CPUs, "
        f"load {os.getloadavg()[0]:.1f}",
        flush=True,
    )
    results = {}
    try:
        for spec in args.pages.split(","):
            results[spec] = storm(
                spec, env, args.live, args.viewers, args.rate, args.seconds,
                args.base_rate, args.base_seconds,
            )  # fmt: skip
            lc.close_db()
            report(spec, results[spec])
    finally:
        lc.close_db()
        lc.drop_pg_database(PG_NAME)
    failed = [s for s, r in results.items() if not r["ok"]]
    if failed:
        print(f"\nGoals not met: {', '.join(failed)}")
        sys.exit(1)


def report(spec: str, r: dict) -> None:
    base, hot = r["trickle"], r["storm"]
    http_p95, tally_p95 = hot["http"]["p95"], hot["latency"]["p95"]
    final = r["rows"] == r["tallies"] and hot["wrong_viewers"] == 0
    errors = base["errors"] + hot["errors"]
    r["ok"] = http_p95 < 300 and tally_p95 < 1000 and not errors and final
    print(
        f"\n{spec}: {hot['votes']} votes at {hot['achieved_rate']:.1f}/s, {errors} errors, "
        f"{r['server_error_lines']} server error lines; final tallies "
        f"{'PASS' if final else 'FAIL'} (rows {r['rows']}, tallies {r['tallies']})\n"
        f"  vote HTTP      p50 {hot['http']['p50']:.0f} ms, p95 {http_p95:.0f} ms "
        f"(trickle p50 {base['http']['p50']:.0f}, p95 {base['http']['p95']:.0f}: "
        f"{http_p95 / max(1, base['http']['p95']):.1f}x) goal < 300 ms: "
        f"{'MET' if http_p95 < 300 else 'NOT MET'}\n"
        f"  tally to all   p50 {hot['latency']['p50']:.0f} ms, p95 {tally_p95:.0f} ms "
        f"(trickle p95 {base['latency']['p95']:.0f}: "
        f"{tally_p95 / max(1, base['latency']['p95']):.1f}x; never seen {hot['never']}) "
        f"goal < 1000 ms: {'MET' if tally_p95 < 1000 else 'NOT MET'}\n"
        f"  server CPU {'+'.join(f'{c:.0%}' for c in hot['cpu_share'])} "
        f"(socket workers, then the page server's parent only: its workers are children), foreign CPU "
        f"{hot['foreign_cpu']:.2f}; viewers connected in {hot['connect_s']:.1f} s",
        flush=True,
    )
    if hot["first_errors"] or base["first_errors"]:
        print(f"  first errors: {(base['first_errors'] + hot['first_errors'])[:3]}")
    if r["server_errors"]:
        print(f"  server: {r['server_errors'][0][:200]} {r['server_errors'][-1]}")


if __name__ == "__main__":
    main()
