"""A person's votes on a campaign's ideas, cached for them until they vote again.

Every card on a campaign page shows whether its viewer supports it. Their votes in
one campaign are a few dozen at most (one an idea), so all of them are read at once,
cached, fetched with the person's row where their page asks
(``conversations.prefetch``), and dropped by :func:`changed` whenever they vote on one
of the campaign's ideas (``services.vote``, the only way votes are cast).
"""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType

from accounts import person_cache
from accounts.cache_drops import drop
from accounts.prepared import Prepared
from conversations.models import Campaign, Idea
from voting.models import Vote

_votes_in_campaign = Prepared(
    lambda voter_id, type_id, campaign_id: Vote.objects.filter(
        voter=voter_id,
        target_type=type_id,
        target_id__in=Idea.objects.filter(campaign=campaign_id).values("pk"),
    ).values_list("target_id", "value")
)


def key(campaign_id: int, viewer_id: int) -> str:
    return f"idea-votes:{campaign_id}:{viewer_id}"


def of(campaign: Campaign, viewer) -> dict[int, int]:
    """``viewer``'s votes on the campaign's ideas, {idea id: 1 or -1}: fetched with
    their row, or from the cache, or in one query (then cached)."""
    type_id = ContentType.objects.get_for_model(Idea).pk
    return person_cache.read_through(
        viewer,
        key(campaign.pk, viewer.pk),
        lambda: dict(_votes_in_campaign.rows(viewer.pk, type_id, campaign.pk)),
        settings.IDEA_CARDS_CACHE_SECONDS,
    )


def changed(campaign_id: int, viewer_id: int) -> None:
    """The viewer voted on one of the campaign's ideas: drop their cached votes now
    and once the vote commits (a page read in between must not keep the old ones)."""
    drop([key(campaign_id, viewer_id)])
