"""When a person was last on a campaign's page, and what is new since.

One row per person and campaign (``CampaignVisit``). A page view reads it in one
query, with the number of new ideas counted in the same query; it writes only when
the row is older than :data:`SEEN_EVERY` (so a person paging through a campaign writes
once, not on every page). A view after a gap longer than :data:`VISIT_GAP` starts a
new visit: what was seen up to then becomes the boundary "new" counts from.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce

from conversations.models import Campaign, CampaignVisit, Idea, Visibility

SEEN_EVERY = timedelta(minutes=10)
VISIT_GAP = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class LastVisit:
    since: datetime | None  # None: the first visit, nothing is "new" yet
    new_ideas: int


def _new_ideas(campaign: Campaign, person_id: int, since) -> Idea:
    """Visible ideas posted by others after ``since`` (a value or an outer ref)."""
    return Idea.objects.filter(
        campaign=campaign,
        visibility=Visibility.VISIBLE,
        merged_into__isnull=True,
        created_at__gt=since,
    ).exclude(author_id=person_id)


def record(user, campaign: Campaign, now: datetime) -> LastVisit | None:
    """Note that ``user`` is looking at ``campaign`` and say what is new since their
    last visit; None for someone not signed in."""
    if not user.is_authenticated:
        return None
    counted = (
        _new_ideas(campaign, user.pk, OuterRef("since"))
        .order_by()
        .values("campaign")
        .annotate(n=Count("pk"))
        .values("n")
    )
    row = (
        CampaignVisit.objects.filter(staff_member=user.pk, campaign=campaign)
        .annotate(new_ideas=Coalesce(Subquery(counted), 0))
        .first()
    )
    if row is None:
        # One insert; a second tab racing this one has written the same row.
        CampaignVisit.objects.bulk_create(
            [CampaignVisit(staff_member_id=user.pk, campaign=campaign, seen_at=now)],
            ignore_conflicts=True,
        )
        return LastVisit(since=None, new_ideas=0)
    if now - row.seen_at > VISIT_GAP:
        # A new visit: everything up to the last view of the old one has been seen.
        CampaignVisit.objects.filter(pk=row.pk).update(since=row.seen_at, seen_at=now)
        since = row.seen_at
        return LastVisit(
            since=since, new_ideas=_new_ideas(campaign, user.pk, since).count()
        )
    if now - row.seen_at > SEEN_EVERY:
        CampaignVisit.objects.filter(pk=row.pk).update(seen_at=now)
    return LastVisit(since=row.since, new_ideas=row.new_ideas if row.since else 0)
