"""Vote storm: votes over HTTP while viewers watch the tallies move over websockets.

    .venv/bin/python bench/live_vote_storm.py --quick     # 200 viewers, 15 s
    .venv/bin/python bench/live_vote_storm.py             # 1,000 viewers, 60 s, SQLite, 1 worker
    .venv/bin/python bench/live_vote_storm.py --redis     # 2 workers, PostgreSQL, Redis layer
                                                          #   (core and pubsub, one case each)

V viewers (one shared signed-in session, split across the workers) hold the campaign
socket open. Votes arrive at a fixed rate (50/s, open loop: a slow server makes them
queue, it does not slow the schedule) from distinct voters, created with their
sessions up front in bulk; each vote supports one of 4 ideas, over HTTP exactly as the
page does (POST .../idea/<pk>/vote/, value=support, CSRF token, JSON answer), spread
over the workers. Each viewer keeps the latest number it has seen for every idea.

Per vote: from its HTTP response (which says the idea's count including this vote) to
the moment every viewer has seen a count >= that number (0 if they all had it before
the response arrived). Baseline in the same run: the tally interval of the hub
(conversations.live.hub.TALLY_INTERVAL), the floor of a coalesced design, and the vote's own
HTTP round trip. Also: frames per viewer against votes (coalescing), and the final
tallies on every viewer against the Vote rows (PASS/FAIL). Goal: p95 < 1 s.
"""

import argparse
import asyncio
import json
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import live_common as lc  # noqa: E402
from bench.storm_viewers import ViewerProcesses, Watchers  # noqa: E402

# A database of its own (the cache takes the next number): others may share the Redis.
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/8")
PG_NAME = os.environ.get("BENCH_PG_NAME", "sv_live_bench")
POOL = 24  # keep-alive HTTP connections per worker (votes in flight at most)


async def run_case(
    servers,
    campaign,
    idea_ids,
    viewer_key,
    ballots,
    viewers,
    rate,
    seconds,
    vote_servers=None,
    viewer_processes=0,
):
    """``ballots``: (session key, idea id) of each vote, in order; no voter twice on one
    idea (a second support would change no count).
    Viewers on ``servers``; votes on ``vote_servers`` (the page servers of the
    production layout, bench/vote_storm.py) or, by default, on the same servers.
    ``viewer_processes`` > 0 holds the viewers in processes of their own
    (bench/storm_viewers.py); 0 keeps them on this process's loop, beside the votes."""
    vote_servers = vote_servers or servers
    measured = servers + [s for s in vote_servers if s not in servers]
    targets = [
        (
            servers[i % len(servers)].ws + f"/ws/campaigns/{campaign.pk}/",
            viewer_key,
            servers[i % len(servers)].url,
        )
        for i in range(viewers)
    ]
    if viewer_processes:
        watchers = await ViewerProcesses.open(targets, idea_ids, viewer_processes)
    else:
        watchers = await Watchers.open(targets, idea_ids)
    out = {"connect_s": watchers.connect_s, "hello_missing": watchers.hello_missing}
    try:
        # Let the joining churn ("viewers" frames) die down before the storm.
        await asyncio.sleep(2.0)
        await watchers.count_frames(True)

        pools = []
        for server in vote_servers:
            pool = asyncio.Queue()
            for _ in range(POOL):
                pool.put_nowait(lc.RawHTTP(server.port))
            pools.append(pool)
        total_votes = min(int(rate * seconds), len(ballots))
        results = []  # (idea, count, response time, http seconds)
        errors = []

        async def one_vote(n, voter_key, idea):
            pool = pools[n % len(pools)]
            client = await pool.get()
            body = f"value=support&csrfmiddlewaretoken={lc.CSRF_SECRET}".encode()
            headers = {
                "Cookie": f"sessionid={voter_key}; csrftoken={lc.CSRF_SECRET}",
                "X-CSRFToken": lc.CSRF_SECRET,
                "Referer": f"http://127.0.0.1:{client.port}/campaigns/{campaign.slug}/",
                "Origin": f"http://127.0.0.1:{client.port}",
                "Accept": "application/json",
                "Content-Type": "application/x-www-form-urlencoded",
            }
            started = time.monotonic()
            try:
                status, data = await client.request(
                    "POST",
                    f"/campaigns/{campaign.slug}/idea/{idea}/vote/",
                    body,
                    headers,
                )
                done = time.monotonic()
                if status != 200:
                    errors.append(f"{status} {data[:120]!r}")
                else:
                    results.append(
                        (idea, json.loads(data)["support"], done, done - started)
                    )
            except Exception as error:  # noqa: BLE001
                errors.append(repr(error))
                client.close()
            finally:
                pool.put_nowait(client)

        tasks = []
        trees = [lc.with_children(s.pid) for s in measured]
        client_pids = {os.getpid()} | watchers.pids()
        ours = {pid for tree in trees for pid in tree} | client_pids

        def cpu():
            return [sum(lc.cpu_seconds(pid) for pid in tree) for tree in trees]

        cpu0 = cpu()
        snap0 = lc.cpu_snapshot()
        sessions0 = pg_sessions()
        start = time.monotonic()
        for n in range(total_votes):
            delay = start + n / rate - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one_vote(n, *ballots[n])))
        await asyncio.gather(*tasks)
        storm_s = time.monotonic() - start
        cpu1 = cpu()
        sessions1 = pg_sessions()
        out["pg_sessions"] = None if sessions0 is None else sessions1 - sessions0
        snap1 = lc.cpu_snapshot()
        out["foreign_cpu"] = lc.foreign_cpu(snap0, snap1, storm_s, ours)
        out["client_cpu"] = lc.cpu_used(snap0, snap1, storm_s, pids=client_pids)
        out["data_cpu"] = lc.cpu_used(
            snap0, snap1, storm_s, comm="postgres"
        ) + lc.cpu_used(snap0, snap1, storm_s, comm="redis-server")

        # Final numbers: wait until every viewer agrees with the database (or 15 s).
        from asgiref.sync import sync_to_async

        expected = await sync_to_async(vote_rows, thread_sensitive=False)(idea_ids)
        wrong = await watchers.disagreeing(expected, 15)
        await asyncio.sleep(0.5)
        await watchers.count_frames(False)
        seen, frames = await watchers.seen([(i, c) for i, c, _, _ in results])

        latencies, before_response, never = [], 0, 0
        for (_, _, answered, _), last_seen in zip(results, seen, strict=True):
            if last_seen is None:
                never += 1
                continue
            worst = last_seen - answered
            if worst <= 0:
                before_response += 1
            latencies.append(max(0.0, worst))
        out.update(
            votes=len(results),
            errors=len(errors),
            first_errors=errors[:3],
            achieved_rate=len(results) / storm_s,
            storm_s=storm_s,
            latency=lc.summary_ms(latencies),
            never=never,
            before_response=before_response,
            http=lc.summary_ms([r[3] for r in results]),
            frames_per_viewer=frames["frames"] / frames["viewers"],
            tally_frames_per_viewer=frames["tally_frames"] / frames["viewers"],
            expected=expected,
            wrong_viewers=wrong,
            closed=frames["closed"],
            tally_rows=await sync_to_async(tally_rows, thread_sensitive=False)(
                idea_ids
            ),
            cpu_share=[(b - a) / storm_s for a, b in zip(cpu0, cpu1, strict=True)],
        )
        for pool in pools:
            while not pool.empty():
                pool.get_nowait().close()
    finally:
        watchers.stop()
    return out


def pg_sessions() -> int | None:
    """PostgreSQL sessions (connections) opened so far on the bench database."""
    if not lc.os.environ.get("DATABASE_URL"):
        return None
    out = lc.subprocess.run(
        [
            "psql",
            "-h",
            "127.0.0.1",
            "-U",
            "postgres",
            "-Atc",
            f"select sessions from pg_stat_database where datname = '{PG_NAME}'",
        ],
        capture_output=True,
        text=True,
    )
    try:
        return int(out.stdout.strip())
    except ValueError:
        return None


def vote_rows(idea_ids) -> dict:
    from django.contrib.contenttypes.models import ContentType
    from django.db import connections
    from django.db.models import Count

    from conversations.models import Idea
    from voting.models import Vote

    ct = ContentType.objects.get_for_model(Idea)
    rows = dict(
        Vote.objects.filter(target_type=ct, target_id__in=idea_ids, value=1)
        .values_list("target_id")
        .annotate(n=Count("pk"))
        .values_list("target_id", "n")
    )
    connections.close_all()
    return {i: rows.get(i, 0) for i in idea_ids}


def tally_rows(idea_ids) -> dict:
    from django.contrib.contenttypes.models import ContentType
    from django.db import connections

    from conversations.models import Idea
    from voting.models import Tally

    ct = ContentType.objects.get_for_model(Idea)
    rows = dict(
        Tally.objects.filter(target_type=ct, target_id__in=idea_ids).values_list(
            "target_id", "support"
        )
    )
    connections.close_all()
    return {i: rows.get(i, 0) for i in idea_ids}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="200 viewers, 15 s")
    parser.add_argument(
        "--redis",
        action="store_true",
        help="2 workers, PostgreSQL (fresh database), Redis layer",
    )
    parser.add_argument("--layers", default="core,pubsub", help="with --redis")
    parser.add_argument("--viewers", type=int)
    parser.add_argument("--rate", type=float, default=50.0, help="votes per second")
    parser.add_argument("--seconds", type=float)
    parser.add_argument("--ideas", type=int, default=4)
    parser.add_argument("--no-wait", action="store_true")
    parser.add_argument(
        "--app",
        default="bench.live_app:application",
        help="our ASGI app (e.g. bench.live_app_fixes:application)",
    )
    args = parser.parse_args()
    viewers = args.viewers or (200 if args.quick else 1000)
    seconds = args.seconds or (15 if args.quick else 60)
    fd_limit = lc.raise_fd_limit()
    if not args.no_wait:
        lc.wait_for_quiet_machine()
    loop_name = lc.install_uvloop()

    tmp = tempfile.mkdtemp(prefix="live-storm-")
    if args.redis:
        database_url = lc.create_pg_database(PG_NAME)
        cases = [(f"redis-{layer}", 2, layer) for layer in args.layers.split(",")]
    else:
        database_url = None
        cases = [("embedded", 1, None)]
    base_env = lc.configure(
        database_url=database_url,
        sqlite_path=str(Path(tmp) / "storm.sqlite3"),
        redis=None,
    )
    lc.setup_django()
    from django.conf import settings

    from conversations.live.hub import TALLY_INTERVAL

    print(
        f"Vote storm: {viewers} viewers, {args.rate:.0f} votes/s for {seconds:.0f} s on "
        f"{args.ideas} ideas, database {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[1]}, "
        f"client 1 process ({loop_name}), fd limit {fd_limit}, {lc.os.cpu_count()} CPUs, "
        f"load {lc.os.getloadavg()[0]:.1f}; hub tally interval {TALLY_INTERVAL * 1000:.0f} ms",
        flush=True,
    )
    results = {}
    try:
        for name, workers, layer in cases:
            campaign, idea_ids = lc.make_campaign(ideas=args.ideas)
            [(_, viewer_key)] = lc.make_people("storm.viewer", 1)
            rng = random.Random(7)
            ballots = [
                (key, rng.choice(idea_ids))
                for _, key in lc.make_people("storm.voter", int(args.rate * seconds))
            ]
            lc.close_db()
            env = dict(base_env)
            if layer:
                env.update(
                    REDIS_URL=REDIS,
                    REDIS_LAYER=layer,
                    REDIS_PREFIX=f"livestorm{lc.os.getpid()}{layer}",
                )
            servers = [lc.Server(args.app, env, label=name) for _ in range(workers)]
            try:
                time.sleep(0.5)
                r = asyncio.run(
                    asyncio.wait_for(
                        run_case(
                            servers,
                            campaign,
                            idea_ids,
                            viewer_key,
                            ballots,
                            viewers,
                            args.rate,
                            seconds,
                        ),
                        timeout=seconds + 200,
                    )
                )
                problems = [
                    line
                    for s in servers
                    for line in s.warnings()
                    if "WARNING" in line or "ERROR" in line or "Traceback" in line
                ]
                r["server_warnings"] = len(problems)
                r["first_warning"] = problems[0][:200] if problems else ""
                if problems:  # keep the whole logs to read (they go with the servers)
                    kept = Path(tempfile.gettempdir()) / f"live-storm-{name}.log"
                    kept.write_text("\n".join("\n".join(s.warnings()) for s in servers))
                    r["first_warning"] += f" (all in {kept})"
            except TimeoutError:
                r = {"error": "timed out"}
            finally:
                for s in servers:
                    s.stop()
            results[name] = r
            if "error" in r:
                print(f"  {name}: {r['error']}")
                continue
            lat, http = r["latency"], r["http"]
            final_ok = r["wrong_viewers"] == 0 and r["expected"] == r["tally_rows"]
            r["final_ok"] = final_ok
            print(
                f"  {name:<13} connect {viewers} in {r['connect_s']:.1f} s; "
                f"{r['votes']} votes ({r['achieved_rate']:.1f}/s, {r['errors']} errors), "
                f"vote HTTP p50 {http['p50']:.0f} p95 {http['p95']:.0f} ms; "
                f"vote->all viewers p50 {lat['p50']:.0f} p95 {lat['p95']:.0f} "
                f"p99 {lat['p99']:.0f} max {lat['max']:.0f} ms "
                f"(never seen {r['never']}, already seen at response {r['before_response']}); "
                f"frames/viewer {r['frames_per_viewer']:.0f} (tallies {r['tally_frames_per_viewer']:.0f}); "
                f"server CPU {'+'.join(f'{c:.0%}' for c in r['cpu_share'])}, "
                f"foreign CPU {r['foreign_cpu']:.2f}; "
                + (
                    f"PostgreSQL connections opened {r['pg_sessions']} "
                    f"({r['pg_sessions'] / max(1, r['votes']):.1f} per vote); "
                    if r.get("pg_sessions") is not None
                    else ""
                )
                + f"final {'PASS' if final_ok else 'FAIL'}",
                flush=True,
            )
            if r["errors"]:
                print(f"      errors: {r['first_errors']}")
            if r["server_warnings"]:
                print(
                    f"      {r['server_warnings']} server log lines, first: {r['first_warning']}"
                )
            if not final_ok:
                print(
                    f"      vote rows {r['expected']}, tally rows {r['tally_rows']}, "
                    f"{r['wrong_viewers']} viewers disagree"
                )
    finally:
        lc.close_db()
        shutil.rmtree(tmp, ignore_errors=True)
        if args.redis:
            lc.drop_pg_database(PG_NAME)

    print(
        f"\nVote -> every viewer has a tally >= that vote's count ({viewers} viewers):"
    )
    widths = [13, 7, 8, 8, 8, 8, 9, 10, 10, 11, 6]
    print(
        lc.fmt_row(
            [
                "case",
                "votes",
                "p50 ms",
                "p95 ms",
                "p99 ms",
                "max ms",
                "vs floor",
                "HTTP p95",
                "frames/v",
                "tallies/v",
                "final",
            ],
            widths,
        )
    )
    floor_ms = TALLY_INTERVAL * 1000
    for name, r in results.items():
        if "latency" not in r:
            continue
        lat = r["latency"]
        print(
            lc.fmt_row(
                [
                    name,
                    r["votes"],
                    f"{lat['p50']:.0f}",
                    f"{lat['p95']:.0f}",
                    f"{lat['p99']:.0f}",
                    f"{lat['max']:.0f}",
                    f"{lat['p95'] / floor_ms:.1f}x",
                    f"{r['http']['p95']:.0f}",
                    f"{r['frames_per_viewer']:.0f}",
                    f"{r['tally_frames_per_viewer']:.0f}",
                    "PASS" if r["final_ok"] else "FAIL",
                ],
                widths,
            )
        )
    print(
        f"  floor = hub tally interval {floor_ms:.0f} ms (a vote waits up to one interval "
        "before its numbers are read and sent)"
    )
    for name, r in results.items():
        if "latency" in r:
            p95 = r["latency"]["p95"]
            print(
                f"  {name}: p95 {p95:.0f} ms (goal < 1000 ms: {'MET' if p95 < 1000 else 'NOT MET'}); "
                f"{r['tally_frames_per_viewer']:.0f} tally frames per viewer for {r['votes']} votes "
                f"({r['votes'] / max(1, r['tally_frames_per_viewer']):.0f} votes per frame); "
                f"final tallies {'PASS' if r['final_ok'] else 'FAIL'}"
            )
    if any(not r.get("final_ok") for r in results.values()):
        sys.exit(1)


if __name__ == "__main__":
    main()
