"""What a service account may read, asked of ``conversations.rules`` and the reports
app's own read paths: nothing here decides visibility on its own."""

from django.db.models import F, Prefetch
from django.db.models.functions import Coalesce
from django.utils import timezone

from conversations import rules
from conversations.models import Campaign, Idea, Theme, Visibility
from reports import figures
from reports.models import Action, ActionReport


def campaigns(reader):
    """Published organisation-wide campaigns (``rules.visible_campaigns`` for a
    reader with no team or role; boards are excluded again here as a second lock)."""
    return (
        rules.visible_campaigns(reader)
        .filter(kind=Campaign.Kind.CAMPAIGN, is_published=True)
        .order_by("-opens_at", "-id")
    )


def themes(reader):
    return Theme.objects.filter(campaign__in=campaigns(reader)).order_by(
        "campaign_id", "position", "id"
    )


def ideas(reader):
    """Ideas everyone may see: visible, not merged away, in a readable campaign."""
    return (
        Idea.objects.filter(
            campaign__in=campaigns(reader),
            visibility=Visibility.VISIBLE,
            merged_into__isnull=True,
        )
        .select_related("author")
        .annotate(
            support=Coalesce(F("tallies__support"), 0),
            dont_support=Coalesce(F("tallies__dont_support"), 0),
        )
        .order_by("-created_at", "-id")
    )


def reports(reader):
    """Published action reports of readable campaigns, with their actions and the
    ids of the visible ideas each answers."""
    readable = campaigns(reader)
    visible = Idea.objects.filter(
        campaign__in=readable, visibility=Visibility.VISIBLE, merged_into__isnull=True
    ).only("id")
    return (
        ActionReport.objects.filter(
            state=ActionReport.State.PUBLISHED, campaign__in=readable
        )
        .prefetch_related(
            Prefetch(
                "actions",
                queryset=Action.objects.select_related("theme").prefetch_related(
                    Prefetch("ideas", queryset=visible)
                ),
            )
        )
        .order_by("-published_at", "-id")
    )


def participation(campaign: Campaign) -> tuple[dict, bool]:
    """The campaign's participation figures as the analytics page publishes them:
    the published report's frozen copy if there is one, else today's, both through
    ``reports.figures`` (small numbers suppressed there). Returns (figures, frozen)."""
    report = ActionReport.objects.filter(
        campaign=campaign, state=ActionReport.State.PUBLISHED
    ).first()
    if report is not None and report.figures:
        return figures.as_published(report.figures), True
    return figures.campaign_figures(campaign, timezone.now()), False


def author_name(idea: Idea) -> str | None:
    """The name colleagues see on a named idea; None for an anonymous one, one
    entered on behalf of staff, or one whose author has gone."""
    if idea.is_anonymous or idea.source or idea.author_id is None:
        return None
    return idea.author.public_name
