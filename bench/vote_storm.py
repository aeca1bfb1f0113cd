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
signed-in voters, each vote exactly as the page sends it (POST, CSRF token, JSON),
all to the page server. Voters are people who opened the campaign page first (each
does, before the trickle: that is what leaves a session in the cache with its activity
noted) and vote on several ideas, one vote per idea each, as ``--voters`` people
(default 1,000) share the votes. The measuring is ``bench/live_vote_storm.py``'s
(``run_case``), with the viewers in processes of their own (``--viewer-processes``,
default 2; 0 puts them on the voting client's loop, as before 19e81a8, which times
the client's own queue: bench/storm_viewers.py).

Baseline in the same run, same layout and viewers: a trickle of votes (``--base-rate``,
default 2/s for 10 s). Printed per case: vote HTTP p50/p95 (and as a ratio to the
trickle's), vote -> every viewer's tally p95 (and against the trickle's), errors, and
final tallies against the Vote rows. Goals (issue 16): vote p95 < 300 ms, tally p95 <
1 s, no error. Not a test: run it on a quiet machine, compare ratios.
"""

import argparse
import asyncio
import os
import random
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


def ballots_for(voters, idea_ids, seed: int = 7) -> list[tuple[str, int]]:
    """Each voter's votes, one per idea at most, in rounds: every voter's first idea
    (each voter's own random order), then every voter's second, and so on."""
    rng = random.Random(seed)
    orders = [rng.sample(idea_ids, len(idea_ids)) for _ in voters]
    ballots = []
    for round_ in range(len(idea_ids)):
        for (_, key), order in zip(voters, orders, strict=True):
            ballots.append((key, order[round_]))
    return ballots


async def open_the_page(page, campaign, voters, concurrency: int = 4) -> list[str]:
    """Each voter opens the campaign page, as a person does before voting; this is
    what leaves their session in the cache with their activity noted. Returns errors."""
    pool = asyncio.Queue()
    for _ in range(concurrency):
        pool.put_nowait(lc.RawHTTP(page.port))
    errors = []

    async def one(key):
        client = await pool.get()
        try:
            status, _ = await client.request(
                "GET",
                f"/campaigns/{campaign.slug}/",
                headers={"Cookie": f"sessionid={key}; csrftoken={lc.CSRF_SECRET}"},
            )
            if status != 200:
                errors.append(f"campaign page {status}")
        finally:
            pool.put_nowait(client)

    await asyncio.gather(*(one(key) for _, key in voters))
    while not pool.empty():
        pool.get_nowait().close()
    return errors


def storm(spec, env, live_workers, viewers, rate, seconds, base_rate, base_seconds,
          voter_count, viewer_processes):  # fmt: skip
    """One page-server case: the voters open the page, then the trickle, then the
    storm, with fresh viewers each."""

    out = {}
    campaign, idea_ids = lc.make_campaign(ideas=4)
    [(_, viewer_key)] = lc.make_people("storm.viewer", 1)
    trickle = int(base_rate * base_seconds)
    total = int(rate * seconds) + trickle
    voters = lc.make_people("storm.voter", max(voter_count, -(-total // len(idea_ids))))
    ballots = ballots_for(voters, idea_ids)
    lc.close_db()
    live = [lc.Server("config.asgi:application", env, label="live") for _ in range(live_workers)]  # fmt: skip
    page = PageServer(spec, env)
    try:
        started = time.monotonic()
        out["page_errors"] = asyncio.run(open_the_page(page, campaign, voters))
        out["voters"], out["page_s"] = len(voters), time.monotonic() - started
        for name, r, s, part in (
            ("trickle", base_rate, base_seconds, ballots[:trickle]),
            ("storm", rate, seconds, ballots[trickle:total]),
        ):  # fmt: skip
            out[name] = asyncio.run(
                asyncio.wait_for(
                    run_case(
                        live, campaign, idea_ids, viewer_key, part, viewers, r, s,
                        vote_servers=[page], viewer_processes=viewer_processes,
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
        "--voters",
        type=int,
        default=1000,
        help="people voting (each supports each idea at most once; more if needed)",
    )
    parser.add_argument(
        "--viewer-processes",
        type=int,
        default=2,
        help="processes holding the viewers (0: on the voting client's own loop)",
    )
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
                args.base_rate, args.base_seconds, args.voters, args.viewer_processes,
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
    errors = base["errors"] + hot["errors"] + len(r["page_errors"])
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
        f"(socket workers, then the page server with its workers), foreign CPU "
        f"{hot['foreign_cpu']:.2f}; bench client {hot['client_cpu']:.0%}, PostgreSQL + "
        f"Redis {hot['data_cpu']:.0%}; viewers connected in {hot['connect_s']:.1f} s; "
        f"{r['voters']} voters opened the page in {r['page_s']:.0f} s",
        flush=True,
    )
    if hot["first_errors"] or base["first_errors"]:
        print(f"  first errors: {(base['first_errors'] + hot['first_errors'])[:3]}")
    if r["page_errors"]:
        print(f"  opening the page: {r['page_errors'][:3]}")
    if r["server_errors"]:
        print(f"  server: {r['server_errors'][0][:200]} {r['server_errors'][-1]}")


if __name__ == "__main__":
    main()
