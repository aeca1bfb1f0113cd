"""The moderation queue: what waits for a moderator, oldest first, with its context.

Built from a fixed number of queries however long the queue is. First the ids and
times of everything waiting (held ideas, held comments, open reports, open review
requests) are read and ordered, oldest first; then only the page being shown is
loaded with its posts, reports, review requests and the threads its comments sit in.
Items are grouped per post, so three reports of one comment are one item.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.paginator import Page, Paginator
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
PAGE_SIZE = 20


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


def _scoped(queryset, campaign: Campaign | None, path: str, within=None):
    """Rows of ``campaign``, or of the campaigns in the ``within`` queryset (those a
    lead or named moderator has), or of every campaign."""
    if campaign is not None:
        return queryset.filter(**{path: campaign})
    if within is not None:
        return queryset.filter(**{f"{path}__in": within})
    return queryset


def _scoped_either(queryset, campaign: Campaign | None, within=None):
    """Flags and review requests point at an idea or a comment."""
    if campaign is not None:
        return queryset.filter(
            Q(idea__campaign=campaign) | Q(comment__idea__campaign=campaign)
        )
    if within is not None:
        return queryset.filter(
            Q(idea__campaign__in=within) | Q(comment__idea__campaign__in=within)
        )
    return queryset


Key = tuple[str, int]


def _waiting(
    campaign: Campaign | None, within=None
) -> dict[Key, tuple[datetime, bool]]:
    """Every post waiting for a moderator: (kind, id) -> (waiting since, held).

    Reads only ids and times (four queries), so the whole queue can be ordered and
    counted without loading what is not on the page being shown.
    """
    waiting: dict[Key, tuple[datetime, bool]] = {}

    def add(key: Key, since: datetime, held: bool = False) -> None:
        if key in waiting:
            old_since, old_held = waiting[key]
            since, held = min(old_since, since), old_held or held
        waiting[key] = (since, held)

    held_ideas = _scoped(
        Idea.objects.filter(visibility=Visibility.HELD, merged_into__isnull=True),
        campaign,
        "campaign",
        within,
    )
    # A post its author edited into being held has waited since the edit.
    for pk, created_at, edited_at in held_ideas.values_list(
        "pk", "created_at", "edited_at"
    ):
        add(("idea", pk), edited_at or created_at, held=True)
    held_comments = _scoped(
        Comment.objects.filter(visibility=Visibility.HELD),
        campaign,
        "idea__campaign",
        within,
    )
    for pk, created_at, edited_at in held_comments.values_list(
        "pk", "created_at", "edited_at"
    ):
        add(("comment", pk), edited_at or created_at, held=True)
    for rows in (
        Flag.objects.filter(outcome=Flag.Outcome.OPEN),
        ReviewRequest.objects.filter(resolved_at__isnull=True),
    ):
        rows = _scoped_either(rows, campaign, within)
        for idea_id, comment_id, created_at in rows.values_list(
            "idea_id", "comment_id", "created_at"
        ):
            key = ("comment", comment_id) if comment_id else ("idea", idea_id)
            add(key, created_at)
    return waiting


@dataclass
class QueuePage:
    """One page of the queue, and figures about the whole of it."""

    items: list[QueueItem]
    page: Page
    overdue_count: int

    @property
    def total(self) -> int:
        return self.page.paginator.count


def moderation_queue(
    campaign: Campaign | None,
    now: datetime,
    page_number: int | str | None = 1,
    per_page: int = PAGE_SIZE,
    *,
    within=None,
) -> QueuePage:
    """One page of everything waiting for a moderator in ``campaign`` (or in every
    campaign, or in those of ``within``), oldest first across all pages, in a fixed
    number of queries."""
    waiting = _waiting(campaign, within)
    keys = sorted(waiting, key=lambda k: (waiting[k][0], k[0], k[1]))
    target = timedelta(hours=settings.MODERATION_TARGET_HOURS)
    overdue_count = sum(now - since > target for since, _held in waiting.values())
    page = Paginator(keys, per_page).get_page(page_number)
    items = _load(list(page.object_list), waiting, now, target)
    return QueuePage(items=items, page=page, overdue_count=overdue_count)


def _load(
    keys: list[Key],
    waiting: dict[Key, tuple[datetime, bool]],
    now: datetime,
    target: timedelta,
) -> list[QueueItem]:
    """The page's items with their posts, reports, review requests and threads."""
    idea_ids = [pk for kind, pk in keys if kind == "idea"]
    comment_ids = [pk for kind, pk in keys if kind == "comment"]
    ideas = Idea.objects.filter(pk__in=idea_ids).select_related(*_IDEA_RELATED)
    comments = Comment.objects.filter(pk__in=comment_ids).select_related(
        *(f"idea__{r}" for r in _IDEA_RELATED), "author"
    )
    posts: dict[Key, Idea | Comment] = {("idea", i.pk): i for i in ideas}
    posts.update({("comment", c.pk): c for c in comments})
    items: dict[Key, QueueItem] = {}
    for key in keys:
        if key not in posts:  # deleted since the first read
            continue
        since, held = waiting[key]
        waited = max(now - since, timedelta(0))
        items[key] = QueueItem(
            post=posts[key],
            since=since,
            held=held,
            waited=waited,
            overdue=waited > target,
        )
    on_page = Q(idea_id__in=idea_ids, comment__isnull=True) | Q(
        comment_id__in=comment_ids
    )
    flags = Flag.objects.filter(on_page, outcome=Flag.Outcome.OPEN).order_by(
        "created_at", "id"
    )
    for flag in flags:
        item = items.get(_key_of(flag))
        if item is not None:
            item.flags.append(flag)
    for review in ReviewRequest.objects.filter(on_page, resolved_at__isnull=True):
        item = items.get(_key_of(review))
        if item is not None:
            item.review = review
    _attach_threads([i for i in items.values() if i.kind == "comment"])
    return list(items.values())


def _key_of(row: Flag | ReviewRequest) -> Key:
    return ("comment", row.comment_id) if row.comment_id else ("idea", row.idea_id)


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
