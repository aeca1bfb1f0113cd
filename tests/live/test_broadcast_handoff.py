"""A write's answer never waits for the channel layer: events are handed over, in order."""

import asyncio
import threading

import pytest
from channels.layers import InMemoryChannelLayer, channel_layers

from conversations import services
from conversations.live import events

pytestmark = [pytest.mark.django_db, pytest.mark.timeout(30)]

released = threading.Event()
delivered: list[dict] = []


class HeldLayer(InMemoryChannelLayer):
    """A layer that holds every message until the test lets it go (or 10 s pass)."""

    async def group_send(self, group, message):
        await asyncio.get_running_loop().run_in_executor(None, released.wait, 10)
        delivered.append(message["payload"])


@pytest.fixture
def held_layer(settings):
    released.clear()
    delivered.clear()
    channel_layers.backends.clear()
    settings.CHANNEL_LAYERS = {
        "default": {"BACKEND": "tests.live.test_broadcast_handoff.HeldLayer"}
    }
    channel_layers.backends.clear()
    yield
    released.set()
    events.wait_for_broadcasts()
    channel_layers.backends.clear()


def test_a_vote_returns_while_the_layer_is_still_holding_its_message(
    held_layer, django_capture_on_commit_callbacks, make_campaign, make_staff, make_idea
):
    campaign = make_campaign("open")
    idea = make_idea(campaign)

    with django_capture_on_commit_callbacks(execute=True):
        result = services.vote(make_staff(), idea, 1)

    # Had the vote waited for the layer, it would have returned only after delivery.
    assert result.changed
    assert delivered == []

    released.set()
    events.wait_for_broadcasts()
    assert delivered == [{"type": "tally.dirty", "targets": [["idea", idea.pk]]}]


def test_messages_handed_over_together_are_sent_in_the_order_given(held_layer):
    futures = [
        events.broadcast(7, {"type": "idea.posted", "seq": seq}) for seq in range(1, 6)
    ]
    released.set()

    assert [f.result(timeout=10) for f in futures] == [True] * 5
    assert [payload["seq"] for payload in delivered] == [1, 2, 3, 4, 5]
