"""Fixtures for the conversations tests: what live events were published, and to whom."""

import pytest

from conversations.live import events
from conversations.models import CampaignEvent


@pytest.fixture
def published(monkeypatch):
    """Every message broadcast on commit, as (group, payload)."""
    sent: list[tuple[str, dict]] = []

    def broadcast(campaign_id, payload, group=None):
        sent.append((group or events.campaign_group(campaign_id), payload))
        return True

    monkeypatch.setattr(events, "broadcast", broadcast)
    return sent


def event_types(campaign) -> list[str]:
    """The numbered events the campaign's viewers received, in order."""
    return list(
        CampaignEvent.objects.filter(campaign=campaign)
        .order_by("seq")
        .values_list("type", flat=True)
    )


def last_event(campaign) -> dict:
    return CampaignEvent.objects.filter(campaign=campaign).order_by("-seq")[0].payload
