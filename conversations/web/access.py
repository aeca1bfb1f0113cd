"""Fetch-with-permission helpers: the one way views get a campaign or idea."""

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from conversations import queries, rules
from conversations.exceptions import Refused
from conversations.models import Campaign, CampaignStatus, Idea


def campaign_for_viewer(request: HttpRequest, slug: str) -> Campaign:
    """The campaign, if the viewer may see it: 404 if unknown (or a draft they may not
    see), 403 if it exists but is for teams they are not in. Read afresh on every
    request: its versions key every cached fragment of its pages."""
    campaign = Campaign.objects.filter(slug=slug).order_by().first()
    now = timezone.now()
    if campaign is None:
        raise Http404(_("There is no campaign at this address."))
    if campaign.status(now) == CampaignStatus.DRAFT and not rules.can_manage(
        request.user
    ):
        raise Http404(_("There is no campaign at this address."))
    if not rules.can_view(request.user, campaign, now):
        if campaign.is_board:
            # A team's board is not even confirmed to exist for anyone outside it.
            raise Http404(_("There is no campaign at this address."))
        raise PermissionDenied(
            _("This campaign is for particular teams, and you are not in one of them.")
        )
    return campaign


def campaign_for_manager(request: HttpRequest, slug: str) -> Campaign:
    campaign = campaign_for_viewer(request, slug)
    if not rules.can_manage(request.user, campaign):
        raise PermissionDenied(_("Only engagement managers can change campaigns."))
    return campaign


def idea_for_viewer(request: HttpRequest, campaign: Campaign, pk: int) -> Idea:
    idea = queries.idea_for_page(campaign, request.user, pk)
    if idea is None:
        raise Http404(_("This idea does not exist, or has been removed."))
    return idea


def idea_to_vote_on(request: HttpRequest, campaign: Campaign, pk: int) -> Idea:
    """As :func:`idea_for_viewer`, reading only what a vote needs."""
    idea = queries.idea_to_vote_on(campaign, request.user, pk)
    if idea is None:
        raise Http404(_("This idea does not exist, or has been removed."))
    return idea


def refusal(
    request: HttpRequest, campaign: Campaign | None, error: Refused
) -> HttpResponse:
    """The page that says why something was refused (closed, paused, not allowed)."""
    return render(
        request,
        "conversations/refused.html",
        {"campaign": campaign, "message": error.message},
        status=error.status_code,
    )
