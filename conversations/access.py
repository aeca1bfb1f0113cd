"""Fetch-with-permission helpers: the one way views get a campaign or idea."""

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from conversations import campaign_rows, prefetch, queries, rules
from conversations.models import Campaign, CampaignStatus, Idea
from conversations.socket_access import campaign_facts
from notifications.services import is_following


def campaign_by_slug(
    slug: str, viewer=None, *, with_following: bool = False
) -> Campaign | None:
    """The campaign, with its audience teams and named moderators as ``access_facts``
    (which the rules read instead of querying): its row from ``campaign_rows`` (the
    cache, fetched with ``viewer``'s own row where their page asked), the facts from
    the process's copy kept with the row's ``updated_at`` (``socket_access``). Read on
    every campaign and idea page. ``with_following``: also whether ``viewer`` follows
    it, as ``followed``."""
    row = campaign_rows.row(slug, viewer)
    if row is None:
        return None
    campaign = Campaign.from_db("default", campaign_rows.FIELDS, row)
    if with_following:
        campaign.followed = is_following(viewer, campaign)
    campaign.access_facts = campaign_facts(campaign.pk, campaign.updated_at, campaign)
    return campaign


def campaign_for_viewer(
    request: HttpRequest, slug: str, *, with_following: bool = False
) -> Campaign:
    """The campaign, if the viewer may see it: 404 if unknown (or a draft they may not
    see), 403 if it exists but is for teams they are not in. ``with_following``: with
    whether the viewer follows it, as ``followed``."""
    campaign = campaign_by_slug(slug, request.user, with_following=with_following)
    now = timezone.now()
    if campaign is None:
        raise Http404(_("There is no campaign at this address."))
    prefetch.take_versions(campaign, request.user)
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
