"""Read paths for the hot pages, each a fixed number of queries whatever the size."""

from django.db.models import ExpressionWrapper, F, IntegerField, Q, QuerySet
from django.db.models.functions import Coalesce, Mod

from conversations.models import Campaign, Comment, Idea, Visibility

# Park–Miller constants: a cheap, portable (SQLite and PostgreSQL) shuffle of ids that
# is stable for one seed, so a person paging through "random" order sees no repeats.
_SHUFFLE_MULTIPLIER = 48271
_SHUFFLE_MODULUS = 2147483647

SORTS = {
    "newest": "Newest",
    "supported": "Most supported",
    "discussed": "Most discussed",
    "random": "Random",
}
DEFAULT_SORT = "newest"


def _with_tallies(queryset: QuerySet) -> QuerySet:
    return queryset.annotate(
        support=Coalesce(F("tallies__support"), 0),
        dont_support=Coalesce(F("tallies__dont_support"), 0),
    )


def _seen_by(viewer) -> Q:
    """Visible posts, plus the viewer's own posts waiting for a moderator; moderators
    also see what is held or hidden, so they can restore it."""
    if viewer.is_authenticated and (
        viewer.is_moderator or viewer.is_engagement_manager
    ):
        return Q()
    visible = Q(visibility=Visibility.VISIBLE)
    if viewer.is_authenticated:
        visible |= Q(visibility=Visibility.HELD, author=viewer)
    return visible


def campaign_ideas(
    campaign: Campaign,
    viewer,
    *,
    theme_id: int | None = None,
    sort: str = DEFAULT_SORT,
    seed: int = 1,
) -> QuerySet:
    ideas = _with_tallies(
        Idea.objects.filter(
            _seen_by(viewer), campaign=campaign, merged_into__isnull=True
        ).select_related("theme", "author")
    )
    if theme_id:
        ideas = ideas.filter(theme_id=theme_id)
    if sort == "supported":
        return ideas.order_by("-support", "dont_support", "-created_at", "-id")
    if sort == "discussed":
        return ideas.order_by("-comment_count", "-created_at", "-id")
    if sort == "random":
        # Multiplying by a seed-derived factor modulo a prime scatters ids; adding the
        # seed instead would keep them in id order.
        factor = (seed * _SHUFFLE_MULTIPLIER) % _SHUFFLE_MODULUS or 1
        shuffled = ExpressionWrapper(
            Mod(F("id") * factor, _SHUFFLE_MODULUS), output_field=IntegerField()
        )
        return ideas.annotate(shuffle=shuffled).order_by("shuffle", "id")
    return ideas.order_by("-created_at", "-id")


def idea_for_page(campaign: Campaign, viewer, pk: int) -> Idea | None:
    return (
        _with_tallies(Idea.objects.filter(_seen_by(viewer), campaign=campaign, pk=pk))
        .select_related("theme", "author", "campaign", "merged_into")
        .first()
    )


def idea_comments(idea: Idea, viewer) -> list[Comment]:
    """Top-level comments in order, each with ``thread_replies`` attached (one query)."""
    comments = list(
        _with_tallies(Comment.objects.filter(_seen_by(viewer), idea=idea))
        .select_related("author")
        .order_by("created_at", "id")
    )
    by_id = {c.pk: c for c in comments}
    top_level = []
    for comment in comments:
        comment.thread_replies = []
        if comment.parent_id is None:
            top_level.append(comment)
    for comment in comments:
        if comment.parent_id is not None and comment.parent_id in by_id:
            by_id[comment.parent_id].thread_replies.append(comment)
    return top_level
