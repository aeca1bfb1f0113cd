"""The retention schedule (`manage.py apply_retention`) for a large organisation:
20,000 people, 500,000 live events, 200,000 notifications, 100,000 emails, 40,000
posts in 50 campaigns (10 of them closed more than six years ago) and 1,000 people
the directory has retired.

    .venv/bin/python bench/retention.py                  # temporary SQLite file
    .venv/bin/python bench/retention.py --scale 0.2      # a fifth of everything
    DATABASE_URL=postgres://... .venv/bin/python bench/retention.py

The baseline, measured in the same run, is finding what is due: one count query per
rule over the same tables (the least any implementation must do). Each step prints
its seconds and its ratio to that. Then the same run again (nothing is due: it should
cost about the baseline), and the leavers' erasure two years on, one person at a time
through the account-erasure service.
"""

import argparse
import os
import shutil
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def timed(label: str, fn, baseline: float | None = None):
    start = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - start
    ratio = f"  ({seconds / baseline:,.1f}x finding what is due)" if baseline else ""
    print(f"{label:<52} {seconds:8.2f} s{ratio}")
    return result, seconds


def seed(scale: float, now):
    from django.db import transaction

    from accounts.models import StaffMember
    from conversations.models import Campaign, CampaignEvent, Comment, Idea, Theme
    from notifications.models import Email, Notification

    n = lambda count: max(1, int(count * scale))  # noqa: E731
    people_count, leavers = n(20_000), n(1_000)
    with transaction.atomic():
        StaffMember.objects.bulk_create(
            [
                StaffMember(
                    email=f"person{i}@nhs.net",
                    display_name=f"Person {i}",
                    password="!",
                    directory_seen_at=now - timedelta(days=1000),
                    is_active=i >= leavers,
                )
                for i in range(people_count)
            ],
            batch_size=5000,
        )
    people = list(StaffMember.objects.values_list("pk", flat=True))
    campaigns = []
    for c in range(50):
        closed_long_ago = c < 10
        closes = now - timedelta(days=7 * 366 if closed_long_ago else 30)
        campaigns.append(
            Campaign.objects.create(
                title=f"Campaign {c}",
                slug=f"bench-retention-{c}",
                opens_at=closes - timedelta(days=30),
                closes_at=closes,
                is_published=True,
                allow_anonymous=True,
            )
        )
    themes = {
        c.pk: Theme.objects.create(campaign=c, name="Ideas", position=0)
        for c in campaigns
    }
    per_campaign = n(400)
    with transaction.atomic():
        Idea.objects.bulk_create(
            [
                Idea(
                    campaign=c,
                    theme=themes[c.pk],
                    author_id=people[(i * 7 + c.pk) % len(people)],
                    is_anonymous=i % 3 == 0,
                    title=f"Idea {i}",
                    body="<p>Body</p>",
                )
                for c in campaigns
                for i in range(per_campaign)
            ],
            batch_size=5000,
        )
    ideas = list(Idea.objects.values_list("pk", flat=True))
    with transaction.atomic():
        Comment.objects.bulk_create(
            [
                Comment(
                    idea_id=ideas[i % len(ideas)],
                    author_id=people[(i * 13) % len(people)],
                    body="<p>A comment</p>",
                )
                for i in range(n(20_000))
            ],
            batch_size=5000,
        )
    events_per_campaign = n(10_000)
    for c in campaigns:
        with transaction.atomic():
            CampaignEvent.objects.bulk_create(
                [
                    CampaignEvent(campaign=c, seq=s, type="counts", payload={"n": s})
                    for s in range(1, events_per_campaign + 1)
                ],
                batch_size=5000,
            )
    # Two thirds of the live events are older than 90 days.
    CampaignEvent.objects.filter(seq__lte=events_per_campaign * 2 // 3).update(
        created_at=now - timedelta(days=120)
    )
    with transaction.atomic():
        Notification.objects.bulk_create(
            [
                Notification(
                    recipient_id=people[i % len(people)], kind="reply", message="x"
                )
                for i in range(n(200_000))
            ],
            batch_size=5000,
        )
        Email.objects.bulk_create(
            [
                Email(recipient_id=people[i % len(people)], topic="reply", sent_at=now)
                for i in range(n(100_000))
            ],
            batch_size=5000,
        )
    half = Notification.objects.order_by("pk").values_list("pk", flat=True)[
        n(200_000) // 2
    ]
    Notification.objects.filter(pk__lt=half).update(
        created_at=now - timedelta(days=400)
    )
    half = Email.objects.order_by("pk").values_list("pk", flat=True)[n(100_000) // 2]
    Email.objects.filter(pk__lt=half).update(
        created_at=now - timedelta(days=400), sent_at=now - timedelta(days=400)
    )
    return {
        "people": people_count,
        "leavers": leavers,
        "posts": Idea.objects.count() + Comment.objects.count(),
        "events": CampaignEvent.objects.count(),
        "notifications": Notification.objects.count(),
        "emails": Email.objects.count(),
    }


def due_counts(now) -> dict[str, int]:
    """The baseline: how many rows each rule would touch (one count each)."""
    from django.conf import settings
    from django.db.models import Q

    from accounts.models import StaffMember
    from conversations.models import Campaign, CampaignEvent, Comment, Idea
    from notifications.models import Email, Notification

    events = now - timedelta(days=settings.RETENTION_LIVE_EVENTS_DAYS)
    messages = now - timedelta(days=settings.RETENTION_MESSAGES_DAYS)
    old = Campaign.objects.filter(
        closes_at__lt=now
        - timedelta(days=365 * settings.RETENTION_CLOSED_CAMPAIGN_YEARS)
    )
    return {
        "events": CampaignEvent.objects.filter(created_at__lt=events).count(),
        "notifications": Notification.objects.filter(created_at__lt=messages).count(),
        "emails": Email.objects.filter(
            Q(sent_at__lt=messages) | Q(gave_up_at__lt=messages)
        ).count(),
        "leavers": StaffMember.objects.filter(
            directory_seen_at__isnull=False, is_active=False
        ).count(),
        "posts": Idea.objects.filter(campaign__in=old, author__isnull=False).count()
        + Comment.objects.filter(idea__campaign__in=old, author__isnull=False).count(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--erase", type=int, default=100, help="leavers to time")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    tmp = None
    if not os.environ.get("DATABASE_URL"):
        tmp = tempfile.mkdtemp(prefix="staffvoice-retention-")
        os.environ["SQLITE_PATH"] = str(Path(tmp) / "retention.sqlite3")
    import django

    django.setup()
    import logging

    # One "account.deleted" line per erased person would bury the figures.
    logging.getLogger("security").setLevel(logging.WARNING)
    from django.core.management import call_command
    from django.utils import timezone

    from retention import schedule

    call_command("migrate", verbosity=0, interactive=False)
    now = timezone.now()
    print(f"load average: {os.getloadavg()[0]:.2f}; scale: {args.scale}")
    sizes, _ = timed("seed", lambda: seed(args.scale, now))
    print("  " + ", ".join(f"{k} {v:,}" for k, v in sizes.items()))

    due, base = timed(
        "find what is due, one count per rule (baseline)", lambda: due_counts(now)
    )
    print("  due: " + ", ".join(f"{k} {v:,}" for k, v in due.items()))
    total = 0.0
    for name, rule in schedule.RULES.items():
        count, seconds = timed(f"  {name}", lambda rule=rule: rule(now, 2000), base)
        total += seconds
        print(f"{'':<4}{count:,} rows")
    print(
        f"{'first run, all rules (batches of 2,000)':<52} {total:8.2f} s  ({total / base:,.1f}x)"
    )
    again, _ = timed(
        "the same run again (nothing due)", lambda: schedule.apply(now, 2000), base
    )
    assert set(again.values()) == {0}, again
    # Erasure is one person at a time through the account-erasure service; time a
    # sample (--erase, default 100) and give the cost of all of them from it.
    from retention.models import Leaver

    sample = list(
        Leaver.objects.order_by("pk").values_list("pk", flat=True)[: args.erase]
    )
    Leaver.objects.exclude(pk__in=sample).update(
        seen_leaving_at=now + timedelta(days=1)
    )
    later = now + timedelta(days=731)
    erased, seconds = timed(
        f"two years on: erase {len(sample):,} leavers, one by one",
        lambda: schedule.erase_leavers(later, 2000),
        base,
    )
    each = seconds / max(erased, 1)
    print(
        f"    {erased:,} people erased, {each * 1000:.0f} ms each; all "
        f"{sizes['leavers']:,} would take about {each * sizes['leavers']:.0f} s"
    )
    if tmp:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
