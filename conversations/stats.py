"""Campaign counts (ideas, comments, votes, people taking part).

Counted with a few aggregate queries and cached briefly: a busy campaign page is
read far more often than it changes, and every service that changes a campaign
calls :func:`forget` so a person always sees their own post counted.
"""

from dataclasses import asdict, dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db.models import Count, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce

from conversations import idea_cards
from conversations.models import Campaign, Comment, Idea, Participation, Visibility
from voting.models import Tally

CACHE_SECONDS = 30


@dataclass(frozen=True)
class CampaignCounts:
    ideas: int = 0
    comments: int = 0
    votes: int = 0
    people: int = 0


def _key(campaign_id: int) -> str:
    return f"campaign-counts:{campaign_id}"


def forget(campaign: Campaign) -> None:
    cache.delete(_key(campaign.pk))
    idea_cards.campaign_changed(campaign.pk)  # the cached idea lists show counts too


def votes_changed(campaign: Campaign) -> None:
    """A vote changed the figures and tallies, nothing else of the campaign."""
    cache.delete(_key(campaign.pk))
    idea_cards.tallies_changed(campaign.pk)


def _votes_on(model, **filters) -> int:
    ids = model.objects.filter(**filters).values("pk")
    total = Tally.objects.filter(
        target_type=ContentType.objects.get_for_model(model), target_id__in=ids
    ).aggregate(n=Coalesce(Sum("support") + Sum("dont_support"), 0))
    return total["n"]


def counts(campaign: Campaign) -> CampaignCounts:
    cached = cache.get(_key(campaign.pk))
    if cached is not None:
        return CampaignCounts(**cached)
    ideas = Idea.objects.filter(
        campaign=campaign, visibility=Visibility.VISIBLE
    ).aggregate(ideas=Count("pk"), comments=Coalesce(Sum("comment_count"), 0))
    result = CampaignCounts(
        ideas=ideas["ideas"],
        comments=ideas["comments"],
        votes=_votes_on(Idea, campaign=campaign)
        + _votes_on(Comment, idea__campaign=campaign),
        people=Participation.objects.filter(campaign=campaign).count(),
    )
    cache.set(_key(campaign.pk), asdict(result), CACHE_SECONDS)
    return result


def _vote_count(model, campaign_path: str):
    """Votes on ``model`` rows of the outer campaign, as a subquery."""
    targets = model.objects.filter(**{campaign_path: OuterRef(OuterRef("pk"))}).values(
        "pk"
    )
    return (
        Tally.objects.filter(
            target_type=ContentType.objects.get_for_model(model), target_id__in=targets
        )
        .order_by()
        .values("target_type")
        .annotate(n=Sum("support") + Sum("dont_support"))
        .values("n")
    )


def annotate_list_counts(campaigns):
    """Idea, comment, vote and people counts for a list of campaigns, as subqueries
    (a fixed number of queries however many campaigns are listed)."""
    idea_count = (
        Idea.objects.filter(campaign=OuterRef("pk"), visibility=Visibility.VISIBLE)
        .order_by()
        .values("campaign")
        .annotate(n=Count("pk"))
        .values("n")
    )
    people_count = (
        Participation.objects.filter(campaign=OuterRef("pk"))
        .order_by()
        .values("campaign")
        .annotate(n=Count("pk"))
        .values("n")
    )
    comment_count = (
        Idea.objects.filter(campaign=OuterRef("pk"), visibility=Visibility.VISIBLE)
        .order_by()
        .values("campaign")
        .annotate(n=Sum("comment_count"))
        .values("n")
    )
    return campaigns.annotate(
        idea_total=Coalesce(Subquery(idea_count), 0),
        vote_total=Coalesce(Subquery(_vote_count(Idea, "campaign")), 0)
        + Coalesce(Subquery(_vote_count(Comment, "idea__campaign")), 0),
        people_total=Coalesce(Subquery(people_count), 0),
        comment_total=Coalesce(Subquery(comment_count), 0),
    )
