"""Live events: the one helper services use to publish what happened in a campaign.

Sequenced events (an idea or comment posted, an idea's status or visibility changed)
are written to ``CampaignEvent`` inside the service's transaction and broadcast on
commit, so a viewer who reconnects asks for everything after the last number it saw.

Tallies are different: votes come far faster than anyone can read, so a vote only
marks its target "dirty" on commit, and :mod:`conversations.tally_flusher` sends the
current numbers for dirty targets a few times a second. The final numbers are always
read from the database, so they are exact.

Payloads hold only what every member of the campaign group may see: partials are
rendered for a neutral viewer (anonymous authors are "a colleague"), there is no
per-user data, and nothing held or hidden is ever published here.
"""

import logging
import time

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string

from conversations.models import Campaign, CampaignEvent, Comment, Idea

logger = logging.getLogger(__name__)

# How many missed events a reconnecting client may ask for before it is told to reload.
CATCH_UP_LIMIT = 200
LAYER_MESSAGE_TYPE = "campaign.broadcast"  # handled by conversations.hub


def campaign_group(campaign_id: int) -> str:
    return f"campaign.{campaign_id}"


def moderators_group(campaign_id: int) -> str:
    return f"campaign.{campaign_id}.moderators"


class _NeutralViewer:
    """Who pushed partials are rendered for: nobody in particular."""

    pk = None
    is_authenticated = False
    is_engagement_manager = False
    is_moderator = False


class _NeutralRequest:
    user = _NeutralViewer()

    def get_full_path(self) -> str:
        return ""


def render_idea_card(idea: Idea) -> str:
    idea.my_vote = 0
    return render_to_string(
        "conversations/includes/idea_card.html",
        {
            "idea": idea,
            "campaign": idea.campaign,
            "can_take_part": True,
            "request": _NeutralRequest(),
            "csrf_token": "",
        },
    )


def render_comment(comment: Comment) -> str:
    comment.my_vote = 0
    comment.thread_replies = []
    return render_to_string(
        "conversations/includes/comment.html",
        {
            "comment": comment,
            "campaign": comment.idea.campaign,
            "can_take_part": True,
            "request": _NeutralRequest(),
            "csrf_token": "",
        },
    )


def record_event(campaign: Campaign, event_type: str, **data) -> dict:
    """Number and store an event in the current transaction; broadcast it on commit.

    Must be called inside ``transaction.atomic``: the campaign row is locked by the
    sequence bump until commit, so numbers are handed out in commit order.
    """
    Campaign.objects.filter(pk=campaign.pk).update(
        last_event_seq=F("last_event_seq") + 1
    )
    seq = (
        Campaign.objects.filter(pk=campaign.pk)
        .values_list("last_event_seq", flat=True)
        .get()
    )
    payload = {"type": event_type, "seq": seq, **data}
    CampaignEvent.objects.create(
        campaign=campaign, seq=seq, type=event_type, payload=payload
    )
    transaction.on_commit(lambda: broadcast(campaign.pk, payload))
    return payload


def events_after(campaign_id: int, seq: int) -> list[dict] | None:
    """Events a reconnecting viewer missed, in order; None if too many to replay."""
    payloads = list(
        CampaignEvent.objects.filter(campaign_id=campaign_id, seq__gt=seq)
        .order_by("seq")
        .values_list("payload", flat=True)[: CATCH_UP_LIMIT + 1]
    )
    return None if len(payloads) > CATCH_UP_LIMIT else payloads


class _FailureLog:
    """Log a channel-layer outage once, not once per event, and say when it is back."""

    def __init__(self, quiet_seconds: float = 60.0):
        self.quiet_seconds = quiet_seconds
        self.failing_since: float | None = None
        self.last_logged = 0.0

    def failed(self, error: Exception) -> None:
        now = time.monotonic()
        if self.failing_since is None or now - self.last_logged > self.quiet_seconds:
            logger.error(
                "Live updates are not being delivered: channel layer failed: %r", error
            )
            self.last_logged = now
        self.failing_since = self.failing_since or now

    def succeeded(self) -> None:
        if self.failing_since is not None:
            logger.warning("Live updates are being delivered again")
            self.failing_since = None


layer_failures = _FailureLog()


def broadcast(campaign_id: int, payload: dict, group: str | None = None) -> bool:
    """Send one message to every worker process that has viewers of the campaign.

    Never raises: posting and voting must succeed when Redis or the layer is down.
    """
    layer = get_channel_layer()
    if layer is None:
        return False
    group = group or campaign_group(campaign_id)
    message = {
        "type": LAYER_MESSAGE_TYPE,
        "campaign_id": campaign_id,
        "group": group,
        "payload": payload,
    }
    try:
        async_to_sync(layer.group_send)(group, message)
    except Exception as error:  # noqa: BLE001 - any layer failure must not fail the write
        layer_failures.failed(error)
        return False
    layer_failures.succeeded()
    return True
