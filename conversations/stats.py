"""Campaign counts (ideas, comments, votes, people taking part).

Counted with a few aggregate queries, shared between viewers under the campaign's
tally version (``conversations.versions``: every post, hide, merge and vote moves it).
People are published through ``conversations.small_numbers``: fewer than the
threshold is ``None`` ("fewer than 5") on the page, in lists and in live updates.
"""

from dataclasses import asdict, dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    OuterRef,
    Subquery,
    Sum,
    When,
)
from django.db.models.functions import Coalesce

from conversations import fragments, small_numbers
from conversations.models import Campaign, Comment, Idea, Participation, Visibility
from voting.models import Tally


@dataclass(frozen=True)
class CampaignCounts:
    ideas: int = 0
    comments: int = 0
    votes: int = 0
    people: int | None = None  # None: fewer than the small-numbers threshold


def _votes_on(model, **filters) -> int:
    ids = model.objects.filter(**filters).values("pk")
    total = Tally.objects.filter(
        target_type=ContentType.objects.get_for_model(model), target_id__in=ids
    ).aggregate(n=Coalesce(Sum("support") + Sum("dont_support"), 0))
    return total["n"]


def counts(campaign: Campaign) -> CampaignCounts:
    return fragments.shared(
        "campaign-counts",
        {"tallies": campaign.tally_version},
        lambda values: _count(campaign),
    )


def _count(campaign: Campaign) -> CampaignCounts:
    # As the idea list counts them: merged ideas live on in the idea they joined.
    ideas = Idea.objects.filter(
        campaign=campaign, visibility=Visibility.VISIBLE, merged_into__isnull=True
    ).aggregate(ideas=Count("pk"), comments=Coalesce(Sum("comment_count"), 0))
    result = CampaignCounts(
        ideas=ideas["ideas"],
        comments=ideas["comments"],
        votes=_votes_on(Idea, campaign=campaign)
        + _votes_on(Comment, idea__campaign=campaign),
        people=small_numbers.total(
            Participation.objects.filter(campaign=campaign).count()
        ),
    )
    return result


def as_frame(counts: CampaignCounts) -> dict:
    """The counts for a live update: a hidden number is left out, so the page keeps
    the "fewer than" it was rendered with."""
    return {key: value for key, value in asdict(counts).items() if value is not None}


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
        Idea.objects.filter(
            campaign=OuterRef("pk"),
            visibility=Visibility.VISIBLE,
            merged_into__isnull=True,
        )
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
        Idea.objects.filter(
            campaign=OuterRef("pk"),
            visibility=Visibility.VISIBLE,
            merged_into__isnull=True,
        )
        .order_by()
        .values("campaign")
        .annotate(n=Sum("comment_count"))
        .values("n")
    )
    people = Coalesce(Subquery(people_count), 0)
    return campaigns.annotate(people_n=people).annotate(
        idea_total=Coalesce(Subquery(idea_count), 0),
        vote_total=Coalesce(Subquery(_vote_count(Idea, "campaign")), 0)
        + Coalesce(Subquery(_vote_count(Comment, "idea__campaign")), 0),
        # None ("fewer than 5") when small, as everywhere people are counted.
        people_total=Case(
            When(people_n__gte=small_numbers.threshold(), then=F("people_n")),
            default=None,
            output_field=IntegerField(),
        ),
        comment_total=Coalesce(Subquery(comment_count), 0),
    )
