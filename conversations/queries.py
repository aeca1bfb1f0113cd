"""Read paths for the hot pages, each a fixed number of queries whatever the size."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import ExpressionWrapper, F, IntegerField, Q, QuerySet
from django.db.models.functions import Coalesce, Mod
from django.utils.translation import gettext_lazy as _

from conversations.models import Campaign, Comment, Idea, Visibility
from voting.models import Tally

# Park–Miller constants: a cheap, portable (SQLite and PostgreSQL) shuffle of ids that
# is stable for one seed, so a person paging through "random" order sees no repeats.
_SHUFFLE_MULTIPLIER = 48271
_SHUFFLE_MODULUS = 2147483647

SORTS = {
    "newest": _("Newest"),
    "supported": _("Most supported"),
    "discussed": _("Most discussed"),
    "random": _("Random"),
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


def lists_everything(viewer) -> bool:
    """Whether the viewer's idea lists include held and hidden ideas (moderators)."""
    return viewer.is_authenticated and (
        viewer.is_moderator or viewer.is_engagement_manager
    )


def _listed_for(viewer) -> Q:
    """What a campaign's idea list shows: visible ideas (through the index on campaign,
    visibility and date), or everything for moderators. A person's own ideas waiting
    for a moderator are listed separately (:func:`own_waiting_ideas`)."""
    if lists_everything(viewer):
        return Q()
    return Q(visibility=Visibility.VISIBLE)


def _campaign_list(
    campaign: Campaign, viewer, theme_id: int | None, team_id: int | None = None
) -> QuerySet:
    ideas = Idea.objects.filter(
        _listed_for(viewer), campaign=campaign, merged_into__isnull=True
    )
    if team_id:
        # A team's own view: only ideas its members signed with their name.
        ideas = ideas.filter(is_anonymous=False, author__memberships__team_id=team_id)
    return ideas.filter(theme_id=theme_id) if theme_id else ideas


def campaign_ideas(
    campaign: Campaign,
    viewer,
    *,
    theme_id: int | None = None,
    sort: str = DEFAULT_SORT,
    seed: int = 1,
    team_id: int | None = None,
) -> QuerySet:
    ideas = _with_tallies(
        _campaign_list(campaign, viewer, theme_id, team_id).select_related(
            "theme", "author"
        )
    )
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


def campaign_idea_count(
    campaign: Campaign,
    viewer,
    *,
    theme_id: int | None = None,
    team_id: int | None = None,
) -> int:
    """The list's length without the tally join or ordering (an index-only count)."""
    return _campaign_list(campaign, viewer, theme_id, team_id).count()


def own_waiting_ideas(campaign: Campaign, viewer) -> list[Idea]:
    """The viewer's own ideas that wait for a moderator (only they see these)."""
    if (
        not viewer.is_authenticated
        or viewer.is_moderator
        or viewer.is_engagement_manager
    ):
        return []
    return list(
        Idea.objects.filter(
            campaign=campaign, visibility=Visibility.HELD, author=viewer
        )
        .select_related("theme")
        .order_by("-created_at")
    )


def idea_for_page(campaign: Campaign, viewer, pk: int) -> Idea | None:
    return (
        _with_tallies(Idea.objects.filter(_seen_by(viewer), campaign=campaign, pk=pk))
        .select_related("theme", "author", "campaign", "merged_into")
        .first()
    )


def idea_to_vote_on(campaign: Campaign, viewer, pk: int) -> Idea | None:
    """The idea, if the viewer may see it, with only what a vote reads (its
    visibility and whether it was merged away): votes are the hottest write."""
    idea = (
        Idea.objects.filter(_seen_by(viewer), campaign=campaign, pk=pk)
        .only("id", "campaign_id", "visibility", "merged_into_id")
        .first()
    )
    if idea is not None:
        idea.campaign = campaign  # already read, and checked, by the caller
    return idea


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


def visible_tallies(campaign_id: int, targets) -> list[dict]:
    """Current numbers for ``[kind, id]`` targets that are visible posts of this
    campaign (anything else is left out): what live tally frames carry."""
    items = []
    for kind, model, path in (
        ("idea", Idea, "campaign_id"),
        ("comment", Comment, "idea__campaign_id"),
    ):
        ids = [i for k, i in targets if k == kind]
        if not ids:
            continue
        own = model.objects.filter(
            pk__in=ids, visibility=Visibility.VISIBLE, **{path: campaign_id}
        )
        rows = Tally.objects.filter(
            target_type=ContentType.objects.get_for_model(model),
            target_id__in=own.values("pk"),
        ).values_list("target_id", "support", "dont_support")
        found = {t: (s, d) for t, s, d in rows}
        items.extend(
            {
                "kind": kind,
                "id": i,
                "support": found.get(i, (0, 0))[0],
                "dont_support": found.get(i, (0, 0))[1],
            }
            for i in own.values_list("pk", flat=True)
        )
    return items
