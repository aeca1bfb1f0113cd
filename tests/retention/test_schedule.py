"""The retention schedule: each rule deletes or detaches what has passed its time and
nothing else, in batches, and a second run changes nothing."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.models import StaffMember
from conversations import services
from conversations.models import Campaign, CampaignEvent, Comment, Idea
from notifications.models import Email, Notification
from retention import schedule
from retention.models import Leaver, Run
from voting.models import Tally, Vote

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def aged(model, pk, days, field="created_at"):
    model.objects.filter(pk=pk).update(**{field: NOW - timedelta(days=days)})


def event(campaign, seq):
    return CampaignEvent.objects.create(
        campaign=campaign, seq=seq, type="counts", payload={}
    )


def test_live_events_go_after_90_days(open_campaign):
    old, new = event(open_campaign, 1), event(open_campaign, 2)
    aged(CampaignEvent, old.pk, 91)
    aged(CampaignEvent, new.pk, 89)

    assert schedule.drop_live_events(NOW, 1) == 1

    assert list(CampaignEvent.objects.values_list("pk", flat=True)) == [new.pk]


def test_sent_emails_and_notifications_go_after_a_year(staff):
    sent_long_ago = Email.objects.create(recipient=staff, topic="reply", sent_at=NOW)
    given_up = Email.objects.create(recipient=staff, topic="reply", gave_up_at=NOW)
    waiting = Email.objects.create(recipient=staff, topic="reply")
    recent = Email.objects.create(recipient=staff, topic="reply", sent_at=NOW)
    for email in (sent_long_ago, given_up, waiting):
        aged(Email, email.pk, 400)
    aged(Email, sent_long_ago.pk, 400, "sent_at")
    aged(Email, given_up.pk, 400, "gave_up_at")
    old_note = Notification.objects.create(recipient=staff, kind="reply", message="x")
    new_note = Notification.objects.create(recipient=staff, kind="reply", message="y")
    aged(Notification, old_note.pk, 366)

    assert schedule.drop_messages(NOW, 1) == 3

    assert set(Email.objects.values_list("pk", flat=True)) == {waiting.pk, recent.pk}
    assert list(Notification.objects.values_list("pk", flat=True)) == [new_note.pk]


def test_an_email_a_recent_notification_points_to_is_kept(staff):
    email = Email.objects.create(recipient=staff, topic="reply", sent_at=NOW)
    aged(Email, email.pk, 400)
    aged(Email, email.pk, 400, "sent_at")
    note = Notification.objects.create(
        recipient=staff, kind="reply", message="x", email=email
    )

    schedule.drop_messages(NOW, 10)

    assert Notification.objects.get(pk=note.pk).email_id == email.pk


def close_long_ago(campaign, years):
    closes_at = NOW - timedelta(days=years * 366)
    Campaign.objects.filter(pk=campaign.pk).update(
        opens_at=closes_at - timedelta(days=20), closes_at=closes_at
    )


def _leaver(make_staff, *, email="gone@nhs.net"):
    person = make_staff(email=email, display_name="Gwen Gone")
    StaffMember.objects.filter(pk=person.pk).update(
        directory_seen_at=NOW - timedelta(days=2000), is_active=False
    )
    return person


def test_people_the_directory_deactivated_are_erased_two_years_later(
    make_staff, open_campaign, make_idea
):
    person = _leaver(make_staff)
    idea = make_idea(open_campaign, author=person, title="Better car parking")
    signed_up_themselves = make_staff(email="self@nhs.net")
    StaffMember.objects.filter(pk=signed_up_themselves.pk).update(is_active=False)

    assert schedule.note_leavers(NOW, 10) == 1
    assert schedule.erase_leavers(NOW + timedelta(days=729), 10) == 0
    assert StaffMember.objects.get(pk=person.pk).email == "gone@nhs.net"

    assert schedule.erase_leavers(NOW + timedelta(days=731), 10) == 1

    erased = StaffMember.objects.get(pk=person.pk)
    assert erased.email.endswith("@deleted.invalid")
    assert erased.display_name == "" and not erased.has_usable_password()
    kept = Idea.objects.get(pk=idea.pk)
    assert kept.title == idea.title and kept.author_id is None
    # Someone who was never in the directory is not the directory's to retire.
    assert StaffMember.objects.get(pk=signed_up_themselves.pk).email == "self@nhs.net"


def test_someone_the_directory_brings_back_is_not_erased(make_staff):
    person = _leaver(make_staff)
    schedule.note_leavers(NOW, 10)
    StaffMember.objects.filter(pk=person.pk).update(is_active=True)

    schedule.note_leavers(NOW + timedelta(days=100), 10)
    assert schedule.erase_leavers(NOW + timedelta(days=800), 10) == 0
    assert not Leaver.objects.filter(person=person).exists()


def test_closed_campaigns_keep_their_posts_without_authors_after_n_years(
    make_campaign, make_idea, make_comment, make_staff, settings, client
):
    settings.RETENTION_CLOSED_CAMPAIGN_YEARS = 6
    old = make_campaign("open", allow_anonymous=True)
    recent = make_campaign("closed")
    author = make_staff(display_name="Nia Named")
    named = make_idea(old, author=author, title="Named idea")
    hidden = make_idea(old, author=author, anonymous=True, title="Quiet idea")
    comment = make_comment(named, author=author)
    services.vote(make_staff(), named, 1)
    close_long_ago(old, years=6)
    kept = make_idea(recent, author=author)
    client.force_login(make_staff())
    page = reverse("conversations:idea", args=[old.slug, named.pk])
    assert "Nia Named" in client.get(page).content.decode()  # cached now

    assert schedule.detach_closed_campaigns(NOW, 1) == 3

    assert Idea.objects.filter(pk__in=[named.pk, hidden.pk], author=None).count() == 2
    assert Comment.objects.get(pk=comment.pk).author_id is None
    assert Idea.objects.get(pk=kept.pk).author_id == author.pk
    # Votes and tallies are untouched: the figures stay true.
    assert Vote.objects.filter(target_id=named.pk).count() == 1
    assert Tally.objects.get(target_id=named.pk).support == 1
    # The page says "a former colleague" now, not a stale cached name.
    html = client.get(page).content.decode()
    assert "Nia Named" not in html
    assert "A former colleague" in html


def test_a_second_run_changes_nothing(make_staff, make_campaign, make_idea, staff):
    old = make_campaign("closed")
    close_long_ago(old, years=7)
    make_idea(old)
    aged(CampaignEvent, event(old, 1).pk, 100)
    note = Notification.objects.create(recipient=staff, kind="reply", message="x")
    aged(Notification, note.pk, 400)
    _leaver(make_staff)

    first = schedule.apply(NOW, 1)
    later = NOW + timedelta(days=1)
    second = schedule.apply(later, 1)

    assert first["live_events_deleted"] == 1
    assert first["messages_deleted"] == 1
    assert first["leavers_noted"] == 1
    assert first["closed_campaign_posts_detached"] == 1
    assert set(second.values()) == {0}


def test_the_command_runs_once_a_day_with_if_due(make_staff):
    _leaver(make_staff)
    out = StringIO()
    call_command("apply_retention", "--if-due", stdout=out)
    assert "leavers_noted: 1" in out.getvalue()

    out = StringIO()
    call_command("apply_retention", "--if-due", stdout=out)
    assert "not due" in out.getvalue()
    run = Run.objects.get()
    assert run.finished_at and run.counts["leavers_noted"] == 1
