"""Fetch-with-permission helpers: the one way views get a campaign or idea."""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.prepared import Prepared
from conversations import idea_cards, queries, rules
from conversations.models import Campaign, CampaignStatus, Idea
from conversations.socket_access import campaign_facts
from notifications.services import active_follows

# Unordered: a slug is unique, and the model's ordering made PostgreSQL sort.
_campaign_row = Prepared(lambda slug: Campaign.objects.filter(slug=slug).order_by())
# The same, and whether one person follows it, in the same round trip.
_campaign_row_followed = Prepared(
    lambda slug, person_id, type_id: (
        Campaign.objects.filter(slug=slug)
        .order_by()
        .annotate(followed=Exists(active_follows(person_id, type_id, OuterRef("pk"))))
    )
)
_CAMPAIGN_FIELDS = [field.attname for field in Campaign._meta.concrete_fields]


def campaign_by_slug(slug: str, follower=None) -> Campaign | None:
    """The campaign, with its audience teams and named moderators as ``access_facts``
    (which the rules read instead of querying): its row by a prepared query, the facts
    from the process's copy kept with the row's ``updated_at`` (``socket_access``).
    Read on every campaign and idea page. With ``follower`` (signed in), also whether
    they follow it, as ``followed``."""
    if follower is not None and follower.is_authenticated:
        type_id = ContentType.objects.get_for_model(Campaign).pk
        rows = _campaign_row_followed.rows(slug, follower.pk, type_id)
    else:
        rows = _campaign_row.rows(slug)
    if not rows:
        return None
    row = rows[0]
    campaign = Campaign.from_db(
        "default", _CAMPAIGN_FIELDS, row[: len(_CAMPAIGN_FIELDS)]
    )
    if len(row) > len(_CAMPAIGN_FIELDS):
        campaign.followed = bool(row[len(_CAMPAIGN_FIELDS)])
    campaign.access_facts = campaign_facts(campaign.pk, campaign.updated_at, campaign)
    return campaign


def campaign_for_viewer(
    request: HttpRequest, slug: str, *, with_following: bool = False
) -> Campaign:
    """The campaign, if the viewer may see it: 404 if unknown (or a draft they may not
    see), 403 if it exists but is for teams they are not in. ``with_following``: with
    whether the viewer follows it, as ``followed``."""
    campaign = campaign_by_slug(slug, request.user if with_following else None)
    now = timezone.now()
    if campaign is None:
        raise Http404(_("There is no campaign at this address."))
    idea_cards.take_prefetched_versions(campaign, request.user)
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
