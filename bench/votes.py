"""Concurrent voting: one hot idea against votes spread over 100 ideas, and no vote lost.

    .venv/bin/python bench/votes.py            # temporary SQLite file
    .venv/bin/python bench/votes.py --quick
    DATABASE_URL=postgres://... .venv/bin/python bench/votes.py

C client threads (8 and 32 by default, spread over 4 processes so they are not all
queued behind one interpreter lock) call ``conversations.services.vote`` as fast as they
can, sharing a fixed number of votes (1,920 a case), each vote from a different member of
staff, so every vote is a new row and a new +1 on a tally. Two cases, measured back to
back in the same run, twice:

- hot: every vote lands on one idea, so every transaction updates the same tally row;
- spread: the same number of votes over 100 ideas.

The baseline is "spread"; the figure is hot votes/s as a share of it (goal on PostgreSQL:
at least 70%). Each case gets a fresh campaign, so each vote also records the voter's
participation, as a first vote does in real life. Afterwards every case is checked: vote
rows == tally sums == votes that reported success, idea by idea (goal: no vote lost), and
"database is locked" errors are counted (goal on SQLite at 8 clients: none).
"""

import argparse
import multiprocessing
import os
import shutil
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


@dataclass
class Case:
    name: str
    clients: int
    targets: int
    votes_cast: int = 0
    locked: int = 0
    other_errors: list[str] = field(default_factory=list)
    seconds: float = 0.0
    rows: int = 0
    tally_total: int = 0
    mismatched_targets: int = 0

    @property
    def rate(self) -> float:
        return self.votes_cast / self.seconds if self.seconds else 0.0

    @property
    def lost(self) -> int:
        return self.votes_cast - self.rows


def _configure() -> str | None:
    """Settings for this run; returns the temporary directory to remove, if any."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    if os.environ.get("DATABASE_URL"):
        # As the production page servers vote (platform/compose.yaml): a connection
        # per thread, kept open. (Django's pool, on otherwise, would hand the forked
        # client processes the parent's pooled connections.)
        os.environ.setdefault("CONN_MAX_AGE", "60")
        return None
    tmp = tempfile.mkdtemp(prefix="staffvoice-votes-")
    os.environ["SQLITE_PATH"] = str(Path(tmp) / "votes.sqlite3")
    return tmp


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer votes per client")
    parser.add_argument(
        "--clients", default="8,32", help="comma-separated client counts"
    )
    parser.add_argument(
        "--votes",
        type=int,
        help="votes per case, shared by its clients (default 1,920)",
    )
    parser.add_argument(
        "--rounds", type=int, help="hot/spread pairs (default 2; 1 quick)"
    )
    parser.add_argument(
        "--processes",
        type=int,
        default=4,
        help="client processes the threads are spread over",
    )
    args = parser.parse_args()
    votes = args.votes or (480 if args.quick else 1920)
    args.rounds = args.rounds or (1 if args.quick else 2)
    client_counts = [int(n) for n in args.clients.split(",")]

    tmp = _configure()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0, interactive=False)
    database = connection.vendor
    load = os.getloadavg()[0]
    print(
        f"Voting benchmark: {database}, clients {client_counts} in {args.processes} processes, "
        f"{votes} votes a case, {args.rounds} round(s), {os.cpu_count()} CPUs, "
        f"load average {load:.1f}"
    )
    bench = _Bench(votes)
    results: list[Case] = []
    try:
        bench.run(
            Case("warm-up", 4, 100), 5, args.processes
        )  # connections, caches; not reported
        for _ in range(args.rounds):
            for clients in client_counts:
                for name, targets in (("spread", 100), ("hot", 1)):
                    case = bench.run(
                        Case(name, clients, targets), votes // clients, args.processes
                    )
                    results.append(case)
                    print(
                        f"  {name:<6} {clients:>3} clients  {case.rate:7.0f} votes/s   "
                        f"cast {case.votes_cast:>5}  rows {case.rows:>5}  tallies "
                        f"{case.tally_total:>5}  lost {case.lost}  locked {case.locked}  "
                        f"other errors {len(case.other_errors)}",
                        flush=True,
                    )
                    for error in case.other_errors[:3]:
                        print(f"      {error}")
    finally:
        connection.close()
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)

    print("\nHot idea against votes spread over 100 ideas (same run):")
    for clients in client_counts:
        spread = [
            c.rate for c in results if c.name == "spread" and c.clients == clients
        ]
        hot = [c.rate for c in results if c.name == "hot" and c.clients == clients]
        if not sum(spread):
            print(f"  {clients:>3} clients: no votes were cast")
            continue
        ratio = (sum(hot) / len(hot)) / (sum(spread) / len(spread))
        print(f"  {clients:>3} clients: hot = {ratio:.2f} x spread")
    lost = sum(c.lost for c in results)
    mismatched = sum(
        c.mismatched_targets + abs(c.rows - c.tally_total) for c in results
    )
    locked_at_8 = sum(c.locked for c in results if c.clients == 8)
    print(
        f"Lost votes: {lost}; tallies not equal to their rows: {mismatched} (goal: 0, 0)"
    )
    if database == "sqlite":
        print(f'"database is locked" at 8 clients: {locked_at_8} (goal: 0)')
    failed = (c.lost or c.mismatched_targets or c.other_errors for c in results)
    if any(failed) or any(c.rows != c.tally_total for c in results):
        sys.exit(1)


class _Bench:
    def __init__(self, voters_needed: int):
        from django.contrib.auth.models import Group
        from django.utils import timezone

        from accounts.models import StaffMember
        from accounts.roles import ENGAGEMENT_MANAGER, ensure_roles

        ensure_roles()
        self.now = timezone.now()
        self.manager, _ = StaffMember.objects.get_or_create(
            email="bench.manager@nhs.net"
        )
        self.manager.groups.add(Group.objects.get(name=ENGAGEMENT_MANAGER))
        self.manager = StaffMember.objects.get(
            pk=self.manager.pk
        )  # no stale permission cache
        have = StaffMember.objects.filter(email__startswith="bench.voter.").count()
        StaffMember.objects.bulk_create(
            [
                # Voters never sign in, so no password is hashed: "!" is an unusable one.
                StaffMember(email=f"bench.voter.{n}@nhs.net", password="!")
                for n in range(have, voters_needed)
            ],
            batch_size=1000,
        )
        self.voter_ids = list(
            StaffMember.objects.filter(email__startswith="bench.voter.")
            .order_by("pk")
            .values_list("pk", flat=True)[:voters_needed]
        )
        self.count = 0

    def _campaign(self, targets: int):
        from datetime import timedelta

        from conversations import services
        from conversations.models import Idea

        self.count += 1
        campaign = services.create_campaign(
            self.manager,
            title=f"Voting benchmark {self.count}",
            introduction="",
            themes=["Benchmark"],
            opens_at=self.now - timedelta(days=1),
            closes_at=self.now + timedelta(days=30),
        )
        theme = campaign.themes.get()
        Idea.objects.bulk_create(
            Idea(
                campaign=campaign,
                theme=theme,
                author=self.manager,
                title=f"Idea {n}",
                body="",
            )
            for n in range(targets)
        )
        return campaign, list(
            campaign.ideas.order_by("pk").values_list("pk", flat=True)
        )

    def run(self, case: Case, per_client: int, processes: int) -> Case:
        """Run one case: ``case.clients`` threads spread over ``processes`` processes, so
        the clients are not all queued behind one interpreter lock."""
        from django.db import connection

        campaign, idea_ids = self._campaign(case.targets)
        connection.close()  # a forked child must not share the parent's connection
        context = multiprocessing.get_context("fork")
        ready = context.Barrier(case.clients + 1)
        results = context.Queue()
        groups = [list(range(p, case.clients, processes)) for p in range(processes)]
        children = [
            context.Process(
                target=self._client_process,
                args=(group, idea_ids, per_client, ready, results),
            )
            for group in groups
            if group
        ]
        for child in children:
            child.start()
        ready.wait()
        started = time.perf_counter()
        for _ in children:
            cast, locked, errors = results.get()
            case.votes_cast += cast
            case.locked += locked
            case.other_errors += errors
        case.seconds = time.perf_counter() - started
        for child in children:
            child.join()
        self._check(case, campaign, idea_ids)
        return case

    def _client_process(self, numbers, idea_ids, per_client, ready, results) -> None:
        from django.db import OperationalError, connection

        from accounts.models import StaffMember
        from conversations import services
        from conversations.models import Idea

        lock = threading.Lock()
        totals = {"cast": 0, "locked": 0, "errors": []}

        def client(n: int) -> None:
            try:
                # Everything a vote needs is loaded before the start line, as a request
                # would have it: the signed-in voter and the idea with its campaign.
                voters = list(
                    StaffMember.objects.filter(
                        pk__in=self.voter_ids[n * per_client : (n + 1) * per_client]
                    )
                )
                ideas = list(
                    Idea.objects.filter(pk__in=idea_ids)
                    .select_related("campaign")
                    .prefetch_related("campaign__audience_teams")
                )
                cast = locked = 0
                errors = []
                ready.wait()
                for i, voter in enumerate(voters):
                    idea = ideas[(n * per_client + i) % len(ideas)]
                    try:
                        if services.vote(voter, idea, 1).changed:
                            cast += 1
                    except OperationalError as error:
                        if "locked" in str(error):
                            locked += 1
                        else:
                            errors.append(repr(error))
                    except Exception as error:  # reported, never hidden
                        errors.append(repr(error))
                with lock:
                    totals["cast"] += cast
                    totals["locked"] += locked
                    totals["errors"] += errors
            finally:
                connection.close()

        threads = [threading.Thread(target=client, args=(n,)) for n in numbers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        results.put((totals["cast"], totals["locked"], totals["errors"]))

    def _check(self, case: Case, campaign, idea_ids: list[int]) -> None:
        from django.contrib.contenttypes.models import ContentType
        from django.db.models import Count

        from conversations.models import Idea, Participation
        from voting.models import Tally, Vote

        idea_type = ContentType.objects.get_for_model(Idea)
        rows = dict(
            Vote.objects.filter(target_type=idea_type, target_id__in=idea_ids)
            .order_by()
            .values("target_id")
            .annotate(n=Count("pk"))
            .values_list("target_id", "n")
        )
        tallies = {
            t.target_id: t.support + t.dont_support
            for t in Tally.objects.filter(target_type=idea_type, target_id__in=idea_ids)
        }
        case.rows = sum(rows.values())
        case.tally_total = sum(tallies.values())
        case.mismatched_targets = sum(
            1 for pk in idea_ids if rows.get(pk, 0) != tallies.get(pk, 0)
        )
        people = Participation.objects.filter(campaign=campaign).count()
        if people != case.votes_cast:
            case.other_errors.append(
                f"{people} participations for {case.votes_cast} voters"
            )


if __name__ == "__main__":
    main()
