"""Fetch-with-permission helpers for the reports pages: 404 or PermissionDenied."""

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from conversations.models import Campaign, Idea
from conversations.web.access import campaign_for_viewer
from reports import rules
from reports.models import Action, ActionReport, OutcomeTheme, SuggestedGroup


def campaign_for_editor(request: HttpRequest, slug: str) -> Campaign:
    campaign = campaign_for_viewer(request, slug)
    if not rules.can_edit_report(request.user, campaign):
        raise PermissionDenied(
            _("Only engagement managers and moderators can work on the report.")
        )
    return campaign


def published_report(campaign: Campaign) -> ActionReport:
    report = ActionReport.objects.filter(
        campaign=campaign, state=ActionReport.State.PUBLISHED
    ).first()
    if report is None:
        raise Http404(_("This campaign has no published report yet."))
    return report


def theme_in(campaign: Campaign, pk) -> OutcomeTheme:
    return get_object_or_404(OutcomeTheme, campaign=campaign, pk=pk)


def suggestion_in(campaign: Campaign, pk) -> SuggestedGroup:
    return get_object_or_404(
        SuggestedGroup.objects.select_related("run__campaign"),
        run__campaign=campaign,
        pk=pk,
    )


def action_in(campaign: Campaign, pk) -> Action:
    return get_object_or_404(
        Action.objects.select_related("report__campaign"),
        report__campaign=campaign,
        pk=pk,
    )


def idea_in(campaign: Campaign, pk) -> Idea:
    return get_object_or_404(
        Idea.objects.select_related("campaign"), campaign=campaign, pk=pk
    )
