"""Read paths of the reports pages: what a report shows, and the synthesis lists."""

from django.db.models import Count, F, Prefetch, Q
from django.db.models.functions import Coalesce

from conversations.models import Campaign, Idea, Visibility
from reports import charts
from reports.figures import as_published
from reports.models import (
    Action,
    ActionReport,
    ActionUpdate,
    OutcomeTheme,
    OutcomeThemeIdea,
)
from reports.prioritisation import results as prioritisation_results

QUOTES = 3

SORTS = {
    "supported": ["-support", "dont_support", "-id"],
    "discussed": ["-comment_count", "-id"],
    "newest": ["-created_at", "-id"],
}


def with_tallies(ideas):
    return ideas.annotate(
        support=Coalesce(F("tallies__support"), 0),
        dont_support=Coalesce(F("tallies__dont_support"), 0),
    )


def workspace_ideas(
    campaign: Campaign, *, theme_id=None, status="", placed="", sort="supported"
):
    """Every idea people can see (merged-away ones left out), with its outcome theme."""
    ideas = Idea.objects.filter(
        campaign=campaign, visibility=Visibility.VISIBLE, merged_into__isnull=True
    )
    if theme_id:
        ideas = ideas.filter(theme_id=theme_id)
    if status:
        ideas = ideas.filter(status=status)
    if placed == "no":
        ideas = ideas.filter(outcome_link__isnull=True)
    elif placed == "yes":
        ideas = ideas.filter(outcome_link__isnull=False)
    return (
        with_tallies(ideas)
        .select_related("theme", "outcome_link__theme")
        .order_by(*SORTS.get(sort, SORTS["supported"]))
    )


def outcome_themes(campaign: Campaign) -> list[OutcomeTheme]:
    """Outcome themes with their ideas (most supported first) and figures."""
    ideas = with_tallies(
        Idea.objects.filter(visibility=Visibility.VISIBLE).select_related("author")
    ).order_by("-support", "-comment_count", "pk")
    themes = list(
        OutcomeTheme.objects.filter(campaign=campaign)
        .annotate(
            idea_count=Count(
                "links", filter=Q(links__idea__visibility=Visibility.VISIBLE)
            ),
        )
        .prefetch_related(
            Prefetch(
                "links",
                queryset=OutcomeThemeIdea.objects.filter(
                    idea__visibility=Visibility.VISIBLE
                ).prefetch_related(Prefetch("idea", queryset=ideas)),
            )
        )
    )
    for theme in themes:
        theme.idea_list = sorted(
            (link.idea for link in theme.links.all()),
            key=lambda i: (-i.support, -i.comment_count, i.pk),
        )
        theme.support_total = sum(i.support for i in theme.idea_list)
        theme.dont_support_total = sum(i.dont_support for i in theme.idea_list)
        theme.comment_total = sum(i.comment_count for i in theme.idea_list)
        theme.quotes = theme.idea_list[:QUOTES]
    return themes


def report_actions(report: ActionReport) -> list[Action]:
    visible = Idea.objects.filter(visibility=Visibility.VISIBLE).select_related(
        "campaign"
    )
    return list(
        report.actions.select_related("theme").prefetch_related(
            Prefetch("ideas", queryset=visible),
            Prefetch("updates", queryset=ActionUpdate.objects.order_by("changed_at")),
        )
    )


def progress(actions) -> dict:
    counts = {s: 0 for s in Action.Status.values}
    for action in actions:
        counts[action.status] += 1
    total = len(actions)
    return {
        "total": total,
        "done": counts[Action.Status.DONE],
        "in_progress": counts[Action.Status.IN_PROGRESS],
        "planned": counts[Action.Status.PLANNED],
        "percent_done": round(100 * counts[Action.Status.DONE] / total) if total else 0,
    }


def report_content(report: ActionReport) -> dict:
    """Everything the report page, its preview, the printable page and the PDF show."""
    actions = report_actions(report)
    return {
        "report": report,
        "campaign": report.campaign,
        "themes": outcome_themes(report.campaign),
        "actions": actions,
        "progress": progress(actions),
        "figures": as_published(report.figures),
        "priorities": prioritisation_results.for_report(report.campaign),
    }


def published_reports(campaigns):
    """Published reports of these campaigns, newest first, with action counts."""
    return (
        ActionReport.objects.filter(
            state=ActionReport.State.PUBLISHED, campaign__in=campaigns
        )
        .select_related("campaign")
        .annotate(
            action_total=Count("actions"),
            action_done=Count("actions", filter=Q(actions__status=Action.Status.DONE)),
            action_in_progress=Count(
                "actions", filter=Q(actions__status=Action.Status.IN_PROGRESS)
            ),
        )
        .order_by("-published_at", "-id")
    )


def analytics_charts(figures: dict) -> dict:
    activity = [
        {**day, "activity": day["ideas"] + day["comments"] + day["votes"]}
        for day in figures["timeline"]
    ]
    periods = [
        {"date": p["from"], "people": p["people"] or 0} for p in figures["newcomers"]
    ]
    return {
        "people": charts.column_chart(periods, "people"),
        "activity": charts.column_chart(activity, "activity"),
        "breakdowns": [
            {**item, "groups": charts.with_bars(item["groups"])}
            for item in figures["breakdowns"]
        ],
    }
