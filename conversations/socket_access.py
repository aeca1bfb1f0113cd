"""May this person watch this campaign's socket: decided in one database hop.

``rules.can_view`` and ``rules.can_moderate`` asked of ORM objects cost a connect about
seven queries and several milliseconds on Channels' single database thread, where a
worker restart queues thousands of connects (bench/LIVE.md). Here the same rules are
asked of facts read cheaply: the person's roles and teams with prepared queries, and
the campaign's inputs (status times, board team, audience teams, named moderators)
from a process-local copy. ``tests/live/test_socket_access.py`` holds :func:`decide`
equal to the rules over every combination of role, team and campaign kind.

The copy is keyed by the campaign row's ``updated_at``, read fresh on every connect
with the greeting's sequence number (and by every campaign and idea page, which read
the row: ``access.campaign_by_slug``). Any change to a campaign's audience teams or
named moderators stamps the row again in the same transaction (:func:`_restamp`),
whatever made it (``update_campaign``, the admin, a script), so nobody is decided on
with an edit's row but not its teams. An entry also lives at most ``FACTS_SECONDS``,
bounding what no signal reports (a team deleted with its rows).
"""

import time
from dataclasses import dataclass
from datetime import datetime

from django.db.models.signals import m2m_changed
from django.dispatch import receiver
from django.utils import timezone

from accounts import sockets
from accounts.models import StaffMember, Team, TeamMembership
from accounts.prepared import Prepared
from conversations import campaign_rows
from conversations.models import Campaign, CampaignStatus

FACTS_SECONDS = 60.0
_MAX_ENTRIES = 1000  # campaigns with live viewers in one process; past this, prune


@dataclass(frozen=True, slots=True)
class CampaignFacts:
    campaign: Campaign  # unsaved; only its status fields, kind and team are set
    audience: frozenset[int]  # team ids; empty: the whole organisation
    moderator_ids: frozenset[int]  # named moderators of this campaign only
    stamp: object  # the row's updated_at, as the database driver returned it
    loaded_at: float

    @property
    def restricted(self) -> bool:
        """Only some people may watch: recheck open sockets now and then."""
        return self.campaign.is_board or bool(self.audience)


@dataclass(frozen=True, slots=True)
class Viewer:
    id: int
    manager: bool
    moderator: bool
    teams: frozenset[int]
    lead_teams: frozenset[int]


@dataclass(frozen=True, slots=True)
class Access:
    allowed: bool
    moderates: bool = False
    seq: int = 0
    restricted: bool = False
    user_id: int | None = None


REFUSED = Access(False)

_now_row = Prepared(
    lambda campaign_id: Campaign.objects.filter(pk=campaign_id).values_list(
        "last_event_seq", "updated_at"
    )
)
_memberships = Prepared(
    lambda user_id: TeamMembership.objects.filter(staff_member=user_id).values_list(
        "team_id", "role"
    )
)
_facts: dict[int, CampaignFacts] = {}


def decide(viewer: Viewer, facts: CampaignFacts, now: datetime) -> tuple[bool, bool]:
    """(may view, moderates): ``rules.can_view`` and ``rules.can_moderate``, asked
    of facts. Change both together."""
    campaign = facts.campaign
    org_moderator = viewer.manager or viewer.moderator
    named = viewer.id in facts.moderator_ids
    moderates = (
        org_moderator
        or (campaign.is_board and campaign.team_id in viewer.lead_teams)
        or named
    )
    if campaign.status(now) == CampaignStatus.DRAFT:
        return viewer.manager, moderates
    if campaign.is_board:
        return campaign.team_id in viewer.teams or moderates, moderates
    in_audience = (
        org_moderator
        or not facts.audience
        or not facts.audience.isdisjoint(viewer.teams)
    )
    return in_audience or named, moderates


def authorise(session_key: str | None, campaign_id: int) -> Access:
    """Synchronous, for one ``database_sync_to_async`` hop: the session's person, and
    whether (and how) they may watch ``campaign_id``."""
    user = sockets.person(session_key)
    if user is None:
        return REFUSED
    rows = _now_row.rows(campaign_id)
    if not rows:
        return REFUSED
    seq, stamp = rows[0]
    facts = campaign_facts(campaign_id, stamp)
    if facts is None:
        return REFUSED
    sockets.load_permissions(user)
    viewer = _viewer(user, facts)
    allowed, moderates = decide(viewer, facts, timezone.now())
    if not allowed:
        return Access(False, user_id=user.pk)
    return Access(True, moderates, seq, facts.restricted, user.pk)


def _viewer(user, facts: CampaignFacts) -> Viewer:
    manager, moderator = user.is_engagement_manager, user.is_moderator
    teams: frozenset[int] = frozenset()
    leads: frozenset[int] = frozenset()
    # Teams only matter for a board, or for a team campaign and someone without a role.
    if facts.campaign.is_board or (facts.audience and not (manager or moderator)):
        rows = _memberships.rows(user.pk)
        teams = frozenset(team for team, _ in rows)
        leads = frozenset(team for team, role in rows if role == "lead")
    return Viewer(user.pk, manager, moderator, teams, leads)


def campaign_facts(
    campaign_id: int, stamp: object, campaign: Campaign | None = None
) -> CampaignFacts | None:
    """The facts of the campaign whose row has ``stamp``; ``campaign``: that row, if
    the caller has read it."""
    facts = _facts.get(campaign_id)
    if (
        facts is not None
        and facts.stamp == stamp
        and time.monotonic() - facts.loaded_at < FACTS_SECONDS
    ):
        return facts
    if campaign is None:
        campaign = (
            Campaign.objects.filter(pk=campaign_id)
            .only("kind", "team", "is_published", "opens_at", "closes_at")
            .first()
        )
    if campaign is None:
        _facts.pop(campaign_id, None)
        return None
    facts = CampaignFacts(
        campaign=Campaign(
            pk=campaign.pk,
            kind=campaign.kind,
            team_id=campaign.team_id,
            is_published=campaign.is_published,
            opens_at=campaign.opens_at,
            closes_at=campaign.closes_at,
        ),
        audience=frozenset(
            Team.objects.filter(campaigns=campaign_id).values_list("pk", flat=True)
        ),
        moderator_ids=frozenset(
            StaffMember.objects.filter(moderated_campaigns=campaign_id).values_list(
                "pk", flat=True
            )
        ),
        stamp=stamp,
        loaded_at=time.monotonic(),
    )
    if len(_facts) >= _MAX_ENTRIES:
        _prune()
    _facts[campaign_id] = facts
    return facts


def _prune() -> None:
    now = time.monotonic()
    for campaign_id, facts in list(_facts.items()):
        if now - facts.loaded_at >= FACTS_SECONDS:
            _facts.pop(campaign_id, None)
    if len(_facts) >= _MAX_ENTRIES:
        _facts.clear()


def forget_all() -> None:
    """Drop the process's copies (tests, between cases)."""
    _facts.clear()


# The campaign's side of each relation the facts hold, by its through model.
_RELATIONS = {
    Campaign.audience_teams.through: "audience_teams",
    Campaign.moderators.through: "moderators",
}


@receiver(m2m_changed, sender=Campaign.audience_teams.through)
@receiver(m2m_changed, sender=Campaign.moderators.through)
def _restamp(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    """A campaign's audience or moderators changed: stamp its row, so every process
    reads the facts again."""
    if not reverse and action in ("post_add", "post_remove", "post_clear"):
        campaigns = Campaign.objects.filter(pk=instance.pk)
    elif reverse and action in ("post_add", "post_remove"):  # from a team or person
        campaigns = Campaign.objects.filter(pk__in=pk_set)
    elif reverse and action == "pre_clear":  # while the rows still say which campaigns
        campaigns = Campaign.objects.filter(**{_RELATIONS[sender]: instance})
    else:
        return
    campaigns.update(updated_at=timezone.now())
    campaign_rows.forget(campaigns.values_list("slug", flat=True))
