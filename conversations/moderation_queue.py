"""The moderation queue: what waits for a moderator, oldest first, with its context.

Built from a fixed number of queries however long the queue is: held ideas, held
comments, open reports, open review requests, and the threads the queued comments sit
in. Items are grouped per post, so three reports of one comment are one item.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q

from conversations.models import (
    AuditEntry,
    Campaign,
    Comment,
    Flag,
    Idea,
    ReviewRequest,
    Visibility,
)

_IDEA_RELATED = ("campaign", "theme", "author")


@dataclass
class QueueItem:
    post: Idea | Comment
    since: datetime
    held: bool = False
    flags: list[Flag] = field(default_factory=list)
    review: ReviewRequest | None = None
    thread: list[Comment] = field(default_factory=list)
    waited: timedelta = timedelta(0)
    overdue: bool = False

    @property
    def kind(self) -> str:
        return "idea" if isinstance(self.post, Idea) else "comment"

    @property
    def idea(self) -> Idea:
        return self.post if isinstance(self.post, Idea) else self.post.idea

    @property
    def campaign(self) -> Campaign:
        return self.idea.campaign

    @property
    def reasons(self) -> list[tuple[str, int]]:
        """Each reason given in the open reports, with how many gave it."""
        counts = Counter(flag.reason for flag in self.flags)
        return [
            (str(AuditEntry.Reason(reason).label), n)
            for reason, n in counts.most_common()
        ]

    @property
    def notes(self) -> list[str]:
        return [flag.note for flag in self.flags if flag.note]


def moderation_queue(
    campaign: Campaign | None, now: datetime, *, within=None
) -> list[QueueItem]:
    """Everything waiting for a moderator in ``campaign`` (or in every campaign, or in
    the campaigns of the ``within`` queryset: those a lead or named moderator has)."""

    def _scoped(queryset, campaign: Campaign | None, path: str):
        if campaign is not None:
            return queryset.filter(**{path: campaign})
        if within is not None:
            return queryset.filter(**{f"{path}__in": within})
        return queryset

    items: dict[tuple[str, int], QueueItem] = {}

    def item_for(post, since: datetime) -> QueueItem:
        key = ("idea" if isinstance(post, Idea) else "comment", post.pk)
        if key not in items:
            items[key] = QueueItem(post=post, since=since)
        item = items[key]
        item.since = min(item.since, since)
        return item

    held_ideas = _scoped(
        Idea.objects.filter(visibility=Visibility.HELD, merged_into__isnull=True),
        campaign,
        "campaign",
    ).select_related(*_IDEA_RELATED)
    for idea in held_ideas:
        item_for(idea, idea.created_at).held = True

    held_comments = _scoped(
        Comment.objects.filter(visibility=Visibility.HELD), campaign, "idea__campaign"
    ).select_related(*(f"idea__{r}" for r in _IDEA_RELATED), "author")
    for comment in held_comments:
        item_for(comment, comment.created_at).held = True

    flags = Flag.objects.filter(outcome=Flag.Outcome.OPEN)
    if campaign is not None:
        flags = flags.filter(
            Q(idea__campaign=campaign) | Q(comment__idea__campaign=campaign)
        )
    elif within is not None:
        flags = flags.filter(
            Q(idea__campaign__in=within) | Q(comment__idea__campaign__in=within)
        )
    flags = flags.select_related(
        *(f"idea__{r}" for r in _IDEA_RELATED),
        *(f"comment__idea__{r}" for r in _IDEA_RELATED),
        "comment__author",
    ).order_by("created_at", "id")
    for flag in flags:
        item_for(flag.idea or flag.comment, flag.created_at).flags.append(flag)

    reviews = ReviewRequest.objects.filter(resolved_at__isnull=True)
    if campaign is not None:
        reviews = reviews.filter(
            Q(idea__campaign=campaign) | Q(comment__idea__campaign=campaign)
        )
    elif within is not None:
        reviews = reviews.filter(
            Q(idea__campaign__in=within) | Q(comment__idea__campaign__in=within)
        )
    reviews = reviews.select_related(
        *(f"idea__{r}" for r in _IDEA_RELATED),
        *(f"comment__idea__{r}" for r in _IDEA_RELATED),
        "comment__author",
    )
    for review in reviews:
        item_for(review.idea or review.comment, review.created_at).review = review

    _attach_threads([i for i in items.values() if i.kind == "comment"])

    target = timedelta(hours=settings.MODERATION_TARGET_HOURS)
    for item in items.values():
        item.waited = max(now - item.since, timedelta(0))
        item.overdue = item.waited > target
    return sorted(items.values(), key=lambda i: (i.since, i.kind, i.post.pk))


def _attach_threads(comment_items: list[QueueItem]) -> None:
    """Give each queued comment the thread it sits in: its top-level comment and that
    comment's replies, whatever their visibility (one query for all of them)."""
    if not comment_items:
        return
    tops = {item.post.parent_id or item.post.pk for item in comment_items}
    threads: dict[int, list[Comment]] = {top: [] for top in tops}
    rows = (
        Comment.objects.filter(Q(pk__in=tops) | Q(parent_id__in=tops))
        .select_related("author")
        .order_by("created_at", "id")
    )
    for comment in rows:
        threads[comment.parent_id or comment.pk].append(comment)
    for item in comment_items:
        item.thread = [
            item.post if comment.pk == item.post.pk else comment
            for comment in threads[item.post.parent_id or item.post.pk]
        ]
