"""Posting, commenting and voting never depend on the live layer being up."""

import logging

import pytest
from channels.layers import channel_layers
from django.contrib.contenttypes.models import ContentType

from conversations import services
from conversations.live import events
from conversations.models import CampaignEvent, Comment, Idea
from voting.models import Vote

pytestmark = [pytest.mark.django_db, pytest.mark.timeout(30)]

NOTHING_LISTENS = "redis://127.0.0.1:1/0"


@pytest.fixture
def fresh_failure_log(monkeypatch):
    """``layer_failures`` is process-wide: start each test with no outage on record."""
    monkeypatch.setattr(events, "layer_failures", events._FailureLog())
    return events.layer_failures


@pytest.fixture
def layer_down(settings, fresh_failure_log):
    # Channels caches layer instances; it also drops them whenever CHANNEL_LAYERS
    # changes, but clear explicitly so no earlier test's layer is reused.
    channel_layers.backends.clear()
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [NOTHING_LISTENS]},
        }
    }
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


def layer_errors(caplog) -> list[logging.LogRecord]:
    return [
        r
        for r in caplog.records
        if r.name == "conversations.live.events" and r.levelno >= logging.ERROR
    ]


def test_posting_commenting_and_voting_succeed_while_the_channel_layer_is_down(
    layer_down,
    django_capture_on_commit_callbacks,
    caplog,
    make_campaign,
    make_staff,
):
    campaign = make_campaign("open")
    author, voter = make_staff(), make_staff()

    with caplog.at_level(logging.INFO, logger="conversations.live.events"):
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            idea = services.post_idea(
                author,
                campaign,
                theme=campaign.themes.first(),
                title="Works without Redis",
                body="Still saved.",
            )
            comment = services.post_comment(voter, idea, body="Agreed.")
            services.vote(voter, idea, 1)
            services.vote(author, comment, -1)

    events.wait_for_broadcasts()
    # Every broadcast was attempted, and the idea author's bell (told of the comment).
    assert len(callbacks) == 5
    assert Idea.objects.filter(pk=idea.pk, title="Works without Redis").exists()
    assert Comment.objects.filter(pk=comment.pk, idea=idea).exists()
    assert Vote.objects.filter(
        voter=voter, target_type=ContentType.objects.get_for_model(Idea), value=1
    ).exists()
    assert Vote.objects.filter(
        voter=author, target_type=ContentType.objects.get_for_model(Comment), value=-1
    ).exists()
    # The numbered events are stored, so viewers catch up once the layer is back.
    assert list(
        CampaignEvent.objects.filter(campaign=campaign).values_list("seq", "type")
    ) == [(1, "idea.posted"), (2, "comment.posted")]
    errors = layer_errors(caplog)
    assert len(errors) == 1, [r.getMessage() for r in errors]
    assert "Live updates are not being delivered" in errors[0].getMessage()


def test_broadcast_reports_failure_and_recovery_once_each(
    settings, fresh_failure_log, caplog
):
    channel_layers.backends.clear()
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [NOTHING_LISTENS]},
        }
    }
    channel_layers.backends.clear()

    with caplog.at_level(logging.INFO, logger="conversations.live.events"):
        delivered_while_down = [
            events.broadcast(
                1, {"type": "tally.dirty", "targets": [["idea", 1]]}
            ).result(timeout=5)
            for _ in range(3)
        ]
        settings.CHANNEL_LAYERS = {
            "default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}
        }
        channel_layers.backends.clear()
        delivered_after = [
            events.broadcast(
                1, {"type": "tally.dirty", "targets": [["idea", 1]]}
            ).result(timeout=5)
            for _ in range(2)
        ]
    channel_layers.backends.clear()

    assert delivered_while_down == [False, False, False]
    assert delivered_after == [True, True]
    assert len(layer_errors(caplog)) == 1
    back = [
        r
        for r in caplog.records
        if r.name == "conversations.live.events" and "delivered again" in r.getMessage()
    ]
    assert len(back) == 1 and back[0].levelno == logging.WARNING
