"""Announcements posted to a Teams channel (an Adaptive Card) or a signed webhook,
checked at a real local HTTP receiver."""

import hashlib
import hmac
import json
import time
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from conversations.services import announcements
from notifications import webhooks
from notifications.models import Webhook, WebhookDelivery
from reports import services as report_services

pytestmark = pytest.mark.django_db

SECRET = "a-long-shared-secret-0123456789"


def _teams(receiver, **kwargs):
    return Webhook.objects.create(
        name="Staff channel", kind=Webhook.Kind.TEAMS, url=receiver.url, **kwargs
    )


def _signed(receiver, **kwargs):
    return Webhook.objects.create(
        name="Intranet",
        kind=Webhook.Kind.SIGNED,
        url=receiver.url,
        secret=SECRET,
        **kwargs,
    )


def _just_opened(campaign):
    campaign.opens_at = timezone.now() - timedelta(hours=1)
    campaign.save()
    return campaign


def _card(post) -> dict:
    message = json.loads(post["body"])
    assert message["type"] == "message"
    [attachment] = message["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    return attachment["content"]


def test_a_campaign_opening_is_posted_to_teams_as_an_adaptive_card_in_both_languages(
    receiver, make_campaign, django_capture_on_commit_callbacks
):
    _teams(receiver)
    campaign = _just_opened(make_campaign(title="Our future"))
    with django_capture_on_commit_callbacks(execute=True):
        announcements.send_scheduled()
    [post] = receiver.posts
    assert post["headers"]["content-type"].startswith("application/json")
    card = _card(post)
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.4"
    texts = [block["text"] for block in card["body"]]
    assert texts[0] == "Our future"
    assert texts[1].startswith("“Our future” is open until ")
    assert any("Rhannwch eich syniadau" in t for t in texts)  # the Welsh card text
    [action] = card["actions"]
    assert action["type"] == "Action.OpenUrl"
    assert action["url"].endswith(campaign.get_absolute_url())
    assert WebhookDelivery.objects.get().sent_at is not None


def test_announcing_twice_posts_once(
    receiver, make_campaign, django_capture_on_commit_callbacks
):
    _teams(receiver)
    _just_opened(make_campaign())
    for _n in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            announcements.send_scheduled()
    assert len(receiver.posts) == 1


def test_a_signed_webhook_carries_a_timestamp_and_an_hmac_of_the_body(
    receiver, make_campaign, django_capture_on_commit_callbacks
):
    _signed(receiver)
    campaign = make_campaign(title="Our future")
    campaign.opens_at = timezone.now() - timedelta(days=20)
    campaign.closes_at = timezone.now() + timedelta(hours=20)
    campaign.save()
    with django_capture_on_commit_callbacks(execute=True):
        announcements.send_scheduled()
    [post] = receiver.posts
    timestamp = post["headers"]["x-staffvoice-timestamp"]
    assert abs(int(timestamp) - time.time()) < 60
    expected = hmac.new(
        SECRET.encode(), timestamp.encode() + b"." + post["body"], hashlib.sha256
    ).hexdigest()
    assert post["headers"]["x-staffvoice-signature"] == f"sha256={expected}"
    body = json.loads(post["body"])
    assert body["event"] == "campaign.closing"
    assert body["texts"]["en-gb"]["text"].startswith("“Our future” closes on ")
    assert body["texts"]["cy"]["title"] == "Our future"
    # Changed in transit, the signature no longer matches.
    tampered = post["body"].replace(b"closes", b"opens")
    assert (
        webhooks.signature(SECRET, timestamp, tampered)
        != post["headers"]["x-staffvoice-signature"]
    )


def test_campaigns_for_particular_teams_and_boards_are_not_posted(
    receiver, make_campaign, make_team, make_board, django_capture_on_commit_callbacks
):
    _teams(receiver)
    _just_opened(make_campaign(audience_teams=[make_team()]))
    make_board()
    with django_capture_on_commit_callbacks(execute=True):
        announcements.send_scheduled()
    assert receiver.posts == []


def test_a_webhook_only_gets_the_events_it_chose(
    receiver, make_campaign, django_capture_on_commit_callbacks
):
    _teams(receiver, events=["report.published"])
    _just_opened(make_campaign())
    with django_capture_on_commit_callbacks(execute=True):
        announcements.send_scheduled()
    assert receiver.posts == []


def test_a_published_report_is_posted(
    receiver, make_campaign, make_staff, django_capture_on_commit_callbacks
):
    _teams(receiver)
    campaign = make_campaign("closed", title="Living our values")
    editor = make_staff(roles=["engagement_manager"])
    report = report_services.report_for(campaign)
    with django_capture_on_commit_callbacks(execute=True):
        report_services.publish_report(editor, report)
    [post] = receiver.posts
    card = _card(post)
    assert "“Living our values” is out" in card["body"][1]["text"]
    assert card["actions"][0]["url"].endswith(
        reverse("reports:report", args=[campaign.slug])
    )


def test_a_failing_receiver_is_tried_again_then_given_up(
    receiver, make_campaign, settings, caplog, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_ATTEMPTS = 3
    _teams(receiver)
    receiver.statuses = [500, 503, 500]
    _just_opened(make_campaign())
    with django_capture_on_commit_callbacks(execute=True):
        announcements.send_scheduled()
    assert len(receiver.posts) == 3
    delivery = WebhookDelivery.objects.get()
    assert delivery.gave_up_at is not None and delivery.sent_at is None
    assert "500" in delivery.last_error
    assert any("Gave up posting webhook" in r.message for r in caplog.records)


def test_a_receiver_back_after_a_failure_gets_the_post(
    receiver, make_campaign, django_capture_on_commit_callbacks
):
    _teams(receiver)
    receiver.statuses = [502]
    _just_opened(make_campaign())
    with django_capture_on_commit_callbacks(execute=True):
        announcements.send_scheduled()
    assert len(receiver.posts) == 2
    delivery = WebhookDelivery.objects.get()
    assert delivery.attempts == 2 and delivery.sent_at is not None


def test_with_the_database_queue_a_failed_post_is_queued_again_later(
    receiver, make_campaign, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    _teams(receiver)
    receiver.statuses = [500]
    _just_opened(make_campaign())
    with django_capture_on_commit_callbacks(execute=True):
        announcements.send_scheduled()
    [queued] = DBTaskResult.objects.all()
    assert receiver.posts == []  # nothing is posted by the scheduler itself

    before = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        assert webhooks.deliver.call(*queued.args_kwargs["args"]) == "retrying"
    retry = DBTaskResult.objects.exclude(pk=queued.pk).get()
    assert retry.run_after >= before + timedelta(seconds=55)
    assert webhooks.deliver.call(*retry.args_kwargs["args"]) == "sent"
    assert webhooks.deliver.call(*retry.args_kwargs["args"]) == "nothing to do"
    assert len(receiver.posts) == 2


def test_administrators_set_up_webhooks_in_the_admin(client, make_staff):
    admin = make_staff(roles=["administrator"])
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    url = reverse("admin:notifications_webhook_add")
    response = client.post(
        url,
        {
            "name": "Intranet",
            "kind": "signed",
            "url": "https://intranet.example.nhs.uk/hooks/staff-voice",
            "secret": "short",
            "events": ["campaign.opened"],
            "is_active": "on",
        },
    )
    assert response.status_code == 200
    assert "at least 16 characters" in response.content.decode()
    response = client.post(
        url,
        {
            "name": "Intranet",
            "kind": "signed",
            "url": "https://intranet.example.nhs.uk/hooks/staff-voice",
            "secret": SECRET,
            "events": ["campaign.opened"],
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    webhook = Webhook.objects.get()
    assert webhook.events == ["campaign.opened"] and webhook.secret == SECRET
