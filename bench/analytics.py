"""How long do all the participation figures of a big campaign take, next to plain counts?

    .venv/bin/python bench/analytics.py            # 10,000 ideas, 50,000 comments, 100,000 votes
    .venv/bin/python bench/analytics.py --quick    # 2,000 ideas, 10,000 comments, 20,000 votes
    DATABASE_URL=postgres://... .venv/bin/python bench/analytics.py

Seeds a database with ``seed_demo --ideas N --votes M`` (a temporary SQLite file, or the
PostgreSQL database in DATABASE_URL, topped up in place), adds comments to the benchmark
campaign until it has C, then times, in this process, one after the other, each
``--repeat`` times (median reported):

- plain ``SELECT COUNT(*)`` over the four tables the figures read (ideas, comments,
  votes, participations), with no filter, no join and no grouping;
- the baseline: the same four tables counted for the campaign only (``COUNT(*)`` with
  the campaign filter: the least any figure of the campaign has to read);
- ``reports.figures.campaign_figures``: everything the analytics page shows (totals,
  share of headcount, day-by-day timeline, three breakdowns with suppression, the groups
  taking part least, most supported and discussed ideas, themes by activity);
- the synthesis of the same campaign (TF-IDF and k-means over ideas and comments), once.

Goal: all the figures in at most 10 times the plain counts.
"""

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BATCH = 2000


def environment() -> str | None:
    """Point this process (and its children) at the benchmark database; returns the
    temporary directory to remove, if one was made."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    if os.environ.get("DATABASE_URL"):
        return None
    tmp = tempfile.mkdtemp(prefix="staffvoice-bench-")
    os.environ["SQLITE_PATH"] = str(Path(tmp) / "bench.sqlite3")
    return tmp


def seed(ideas: int, votes: int, comments: int) -> None:
    """The demo organisation plus the benchmark campaign at the size asked for."""
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--no-input", "-v0"], check=True, cwd=ROOT)
    started = time.perf_counter()
    subprocess.run(
        [*manage, "seed_demo", "--ideas", str(ideas), "--votes", str(votes)],
        check=True,
        cwd=ROOT,
        capture_output=True,
    )
    setup_django()
    added = top_up_comments(comments)
    print(
        f"  seeded in {time.perf_counter() - started:.1f} s "
        f"({ideas:,} ideas, {votes:,} votes, {added:,} comments added)"
    )


def setup_django() -> None:
    import django

    sys.path.insert(0, str(ROOT))
    django.setup()


def top_up_comments(wanted: int) -> int:
    """Add comments to the benchmark campaign until it has ``wanted`` (bulk, as
    seed_demo does; counts and participations are rebuilt the same way)."""
    from django.db import transaction
    from django.utils import timezone

    from accounts.models import StaffMember
    from conversations.demo.data import COMMENT_ADDS, COMMENT_LEADS
    from conversations.management.commands.seed_demo import (
        BENCH_SLUG,
        _own_timestamps,
        rebuild_counts,
    )
    from conversations.models import Campaign, Comment, Idea, Participation
    from conversations.sanitise import sanitise

    campaign = Campaign.objects.get(slug=BENCH_SLUG)
    have = Comment.objects.filter(idea__campaign=campaign).count()
    if have >= wanted:
        return 0
    rng = random.Random(f"bench-comments:{have}")
    ideas = list(Idea.objects.filter(campaign=campaign).values_list("pk", "created_at"))
    people = list(StaffMember.objects.values_list("pk", flat=True)[:5000])
    texts = [
        sanitise(f"{lead} {more}") for lead in COMMENT_LEADS for more in COMMENT_ADDS
    ]
    end = timezone.now() - timedelta(minutes=1)
    first_seen: dict[int, object] = {}
    new = []
    for _ in range(wanted - have):
        idea_id, idea_at = rng.choice(ideas)
        author = rng.choice(people)
        at = idea_at + (end - idea_at) * rng.random() ** 2
        new.append(
            Comment(
                idea_id=idea_id,
                author_id=author,
                is_anonymous=rng.random() < 0.1,
                body=rng.choice(texts),
                created_at=at,
                updated_at=at,
            )
        )
        if author not in first_seen or at < first_seen[author]:
            first_seen[author] = at
    with transaction.atomic(), _own_timestamps(Comment, Participation):
        Comment.objects.bulk_create(new, batch_size=BATCH)
        Participation.objects.bulk_create(
            [
                Participation(campaign=campaign, staff_member_id=pk, first_at=at)
                for pk, at in first_seen.items()
            ],
            batch_size=BATCH,
            ignore_conflicts=True,
        )
    rebuild_counts(campaign)
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return len(new)


def timed(function, repeat: int) -> tuple[float, list[float]]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times), times


def plain_counts() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for table in (
            "conversations_idea",
            "conversations_comment",
            "voting_vote",
            "conversations_participation",
        ):
            cursor.execute(f"SELECT COUNT(*) FROM {table}")
            cursor.fetchone()


def campaign_counts(campaign) -> None:
    """The same four tables, counted for this campaign only: one COUNT(*) each, with
    the campaign filter and nothing else (no visibility rule, grouping or join beyond
    what reaching the campaign needs)."""
    from django.contrib.contenttypes.models import ContentType

    from conversations.models import Comment, Idea, Participation
    from voting.models import Vote

    Idea.objects.filter(campaign=campaign).count()
    Comment.objects.filter(idea__campaign=campaign).count()
    Vote.objects.filter(
        target_type=ContentType.objects.get_for_model(Idea),
        target_id__in=Idea.objects.filter(campaign=campaign).values("pk"),
    ).count()
    Participation.objects.filter(campaign=campaign).count()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--ideas", type=int)
    parser.add_argument("--comments", type=int)
    parser.add_argument("--votes", type=int)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="keep the SQLite file")
    args = parser.parse_args()
    ideas = args.ideas or (2000 if args.quick else 10000)
    comments = args.comments or ideas * 5
    votes = args.votes or ideas * 10

    tmp = environment()
    print(f"load average {os.getloadavg()[0]:.1f}; database: ", end="")
    print("PostgreSQL" if os.environ.get("DATABASE_URL") else "SQLite (temporary)")
    try:
        seed(ideas, votes, comments)
        from django.utils import timezone

        from conversations.management.commands.seed_demo import BENCH_SLUG
        from conversations.models import Campaign
        from reports import figures, synthesis

        campaign = Campaign.objects.get(slug=BENCH_SLUG)
        data = figures.campaign_figures(campaign)  # warm caches and connections
        print(
            f"  campaign: {data['ideas']:,} ideas, {data['comments']:,} comments, "
            f"{data['votes']:,} votes, {data['people']:,} people, "
            f"{len(data['timeline'])} days"
        )
        plain_counts()
        counts, _ = timed(plain_counts, args.repeat)
        campaign_counts(campaign)
        filtered, _ = timed(lambda: campaign_counts(campaign), args.repeat)
        now = timezone.now()
        all_figures, _ = timed(
            lambda: figures.campaign_figures(campaign, now), args.repeat
        )
        started = time.perf_counter()
        count, groups = synthesis.run(campaign)
        synthesis_seconds = time.perf_counter() - started

        print()
        print("| what | median ms | vs plain counts |")
        print("|---|---:|---:|")
        print(f"| 4 plain COUNT(*)s, whole tables | {counts * 1000:.1f} | 1.0 |")
        print(
            f"| 4 COUNT(*)s of this campaign's rows (baseline) | {filtered * 1000:.1f} "
            f"| {filtered / counts:.1f}x |"
        )
        print(
            f"| all figures of the analytics page | {all_figures * 1000:.1f} | "
            f"{all_figures / counts:.1f}x; {all_figures / filtered:.1f}x the campaign "
            "counts (goal ≤ 10x) |"
        )
        print(
            f"\nsynthesis of {count:,} ideas and their comments: "
            f"{synthesis_seconds:.1f} s, {len(groups)} groups"
        )
        print(f"load average at the end {os.getloadavg()[0]:.1f}")
    finally:
        if tmp and not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
        elif tmp:
            print(f"kept {tmp}")


if __name__ == "__main__":
    main()
