"""``manage.py send_notifications``: campaigns that opened or close within 48 hours
are announced to their audience exactly once, and daily digests go out at most once a
day, however often the command runs, and when two copies run at once."""

import threading
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection, connections
from django.utils import timezone

from notifications import services as notifications
from notifications.models import Email, Notification

pytestmark = pytest.mark.django_db


def run(now=None, digests=False) -> None:
    args = ["send_notifications"]
    if now is not None:
        args += ["--now", now.isoformat()]
    if digests:
        args.append("--digests")
    call_command(*args, stdout=open("/dev/null", "w"))


def times(campaign, opens_at, closes_at):
    campaign.opens_at, campaign.closes_at = opens_at, closes_at
    campaign.save(update_fields=["opens_at", "closes_at"])
    return campaign


def told(kind: str) -> list[int]:
    return sorted(
        Notification.objects.filter(kind=kind).values_list("recipient_id", flat=True)
    )


def test_a_campaign_that_just_opened_is_announced_once_to_everyone(
    make_campaign, make_staff, django_capture_on_commit_callbacks
):
    now = timezone.now()
    people = [make_staff() for _ in range(3)]
    campaign = times(
        make_campaign("open"), now - timedelta(hours=1), now + timedelta(days=20)
    )
    with django_capture_on_commit_callbacks(execute=True):
        run(now)
        run(now + timedelta(minutes=10))
    assert told("campaign.opened") == sorted(p.pk for p in people)
    note = Notification.objects.filter(kind="campaign.opened").first()
    assert campaign.title in note.message and note.url == campaign.get_absolute_url()


def test_only_a_team_campaigns_audience_hears_that_it_opened(
    make_campaign, make_team, make_staff, moderator
):
    now = timezone.now()
    team = make_team()
    member, outsider = make_staff(teams=[team]), make_staff()
    times(
        make_campaign("open", audience_teams=[team]),
        now - timedelta(hours=1),
        now + timedelta(days=20),
    )
    run(now)
    assert told("campaign.opened") == sorted([member.pk, moderator.pk])
    assert outsider.pk not in told("campaign.opened")


def test_scheduled_draft_closed_long_open_campaigns_and_boards_are_not_announced(
    make_campaign, make_staff
):
    make_staff()
    make_campaign("scheduled")
    make_campaign("draft")
    make_campaign("closed")
    make_campaign("open")  # opened five days ago: old news
    make_campaign("board")
    run()
    assert Notification.objects.count() == 0


def test_a_campaign_closing_within_48_hours_is_announced_once(
    make_campaign, make_staff
):
    now = timezone.now()
    person = make_staff()
    soon = times(
        make_campaign("open"), now - timedelta(days=9), now + timedelta(hours=30)
    )
    times(make_campaign("open"), now - timedelta(days=9), now + timedelta(days=5))
    run(now)
    run(now + timedelta(hours=1))
    assert told("campaign.closing") == [person.pk]
    assert soon.title in Notification.objects.get(kind="campaign.closing").message


def test_the_digest_gathers_a_days_news_into_one_email_once_a_day(
    make_staff, mailoutbox, django_capture_on_commit_callbacks
):
    person = make_staff()
    for n in range(3):
        notifications.notify(person, "reply", f"Reply number {n}", f"/ideas/{n}/")
    notifications.notify(person, "idea.new", "A new idea (in platform only)", "")
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        run(now, digests=True)
        run(now, digests=True)
    [mail] = mailoutbox
    assert mail.to == [person.email]
    for n in range(3):
        assert f"Reply number {n}" in mail.body
    assert "in platform only" not in mail.body
    assert "List-Unsubscribe" in mail.extra_headers

    # Later the same day: it waits for tomorrow's digest.
    notifications.notify(person, "reply", "A later reply", "")
    with django_capture_on_commit_callbacks(execute=True):
        run(now + timedelta(minutes=30), digests=True)
    assert len(mailoutbox) == 1
    with django_capture_on_commit_callbacks(execute=True):
        run(now + timedelta(days=1), digests=True)
    assert len(mailoutbox) == 2 and "A later reply" in mailoutbox[1].body


def test_digests_wait_for_the_digest_hour(make_staff, settings, mailoutbox):
    settings.NOTIFICATION_DIGEST_HOUR = 7
    person = make_staff()
    notifications.notify(person, "reply", "Overnight reply", "")
    early = timezone.localtime().replace(hour=5, minute=0)
    run(early)
    assert not Email.objects.exists()
    run(early.replace(hour=8))
    assert Email.objects.filter(recipient=person, digest_day__isnull=False).count() == 1


def test_news_already_read_in_the_platform_is_not_emailed(make_staff, mailoutbox):
    person = make_staff()
    notifications.notify(person, "reply", "Seen already", "")
    notifications.mark_all_read(person)
    run(digests=True)
    assert not Email.objects.exists()


# -- two copies at once ------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite serialises writers; the race needs PostgreSQL",
)
def test_two_copies_running_at_once_tell_each_person_once(
    make_campaign, make_staff, mailoutbox
):
    now = timezone.now()
    people = [make_staff() for _ in range(40)]
    times(make_campaign("open"), now - timedelta(hours=1), now + timedelta(hours=30))
    for person in people:
        notifications.notify(person, "reply", "Someone replied to your idea.", "")
    start = threading.Barrier(2)
    errors = []

    def copy():
        try:
            start.wait()
            run(now, digests=True)
        except Exception as error:  # noqa: BLE001
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=copy) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert errors == []
    ids = sorted(p.pk for p in people)
    assert told("campaign.opened") == ids
    assert told("campaign.closing") == ids
    assert Email.objects.filter(digest_day__isnull=False).count() == len(people)
    assert len(mailoutbox) == len(people)
    assert sorted(m.to[0] for m in mailoutbox) == sorted(p.email for p in people)
