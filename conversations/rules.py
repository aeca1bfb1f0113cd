"""Who may do what in a campaign or a board: named rules, each taking ``now`` where
time matters.

Who may see, take part in and moderate a campaign is written once, as conditions on
campaigns (:func:`viewable_q`, :func:`audience_q`, :func:`moderated_q`). Lists filter
by them (``Campaign.objects.visible_to``), and the questions about one campaign
(:func:`can_view`, :func:`in_audience`, :func:`can_moderate`) ask the database whether
that campaign meets them: pages, sockets, announcements and exports all get the same
answer from the same words.

- A draft is seen by engagement managers only.
- A board (``Campaign.Kind.BOARD``) belongs to one team: its audience is the team's
  members, and only they, organisation moderators and the board's own moderators
  (the team's leads, and anyone named on it) may see it at all.
- A campaign with audience teams is for those teams' members, engagement managers and
  moderators, and its named moderators; a campaign without is for everyone.
"""

from datetime import datetime

from django.db.models import Q

from accounts.models import TeamMembership
from conversations.models import Campaign

# Conditions that need no database to answer about one campaign.
EVERYTHING = Q(pk__isnull=False)
NOTHING = Q(pk__in=[])
PUBLISHED = Q(is_published=True)


def can_manage(user, campaign: Campaign | None = None) -> bool:
    return user.is_authenticated and user.is_engagement_manager


def is_organisation_moderator(user) -> bool:
    """Moderators by permission: moderators, engagement managers, administrators."""
    return user.is_authenticated and (user.is_moderator or user.is_engagement_manager)


def is_team_member(user, team_id: int | None) -> bool:
    if not user.is_authenticated or team_id is None:
        return False
    return user.memberships.filter(team_id=team_id).exists()


def leads_team(user, team_id: int | None) -> bool:
    if not user.is_authenticated or team_id is None:
        return False
    return user.memberships.filter(team_id=team_id, role="lead").exists()


# -- the rule, once -----------------------------------------------------------------


def _teams_of(user, role: str | None = None):
    memberships = TeamMembership.objects.filter(staff_member=user.pk)
    if role is not None:
        memberships = memberships.filter(role=role)
    return memberships.values("team_id")


def audience_q(user) -> Q:
    """Campaigns whose audience includes ``user``: everyone is in an
    organisation-wide campaign; a team campaign is for its teams (and engagement
    managers and moderators); a board is for its team's members only."""
    if not user.is_authenticated:
        return NOTHING
    boards = Q(kind=Campaign.Kind.BOARD, team__in=_teams_of(user))
    if is_organisation_moderator(user):
        return boards | Q(kind=Campaign.Kind.CAMPAIGN)
    audiences = Campaign.audience_teams.through.objects
    campaigns = Q(kind=Campaign.Kind.CAMPAIGN) & (
        ~Q(pk__in=audiences.values("campaign_id"))
        | Q(pk__in=audiences.filter(team__in=_teams_of(user)).values("campaign_id"))
    )
    return boards | campaigns


def moderated_q(user) -> Q:
    """Campaigns ``user`` moderates: all of them for organisation moderators and
    engagement managers; those naming them as a moderator; their teams' boards
    where they lead the team."""
    if not user.is_authenticated:
        return NOTHING
    if is_organisation_moderator(user):
        return EVERYTHING
    named = Campaign.moderators.through.objects.filter(staffmember=user.pk)
    return Q(pk__in=named.values("campaign_id")) | Q(
        kind=Campaign.Kind.BOARD,
        team__in=_teams_of(user, TeamMembership.Role.LEAD),
    )


def viewable_q(user) -> Q:
    """Campaigns ``user`` may see: a draft only if they manage campaigns; anything
    else if they are in its audience or moderate it."""
    if not user.is_authenticated:
        return NOTHING
    if can_manage(user):
        return EVERYTHING
    if is_organisation_moderator(user):
        return PUBLISHED  # in every audience, moderates every board
    return PUBLISHED & (audience_q(user) | moderated_q(user))


def _holds(condition: Q, campaign: Campaign) -> bool:
    """Whether ``campaign``, as the database has it, meets ``condition``."""
    if condition == EVERYTHING:
        return True
    if condition == NOTHING or campaign.pk is None:
        return False
    return Campaign.objects.filter(condition, pk=campaign.pk).exists()


# -- questions about one campaign ---------------------------------------------------


def in_audience(user, campaign: Campaign) -> bool:
    return _holds(audience_q(user), campaign)


def can_view(user, campaign: Campaign, now: datetime) -> bool:
    """Visibility does not change with time (a draft is unpublished, whatever its
    dates); ``now`` keeps the rules' one signature."""
    return _holds(viewable_q(user), campaign)


def can_take_part(user, campaign: Campaign, now: datetime) -> bool:
    return campaign.is_open(now) and in_audience(user, campaign)


def can_moderate(user, campaign: Campaign | None) -> bool:
    """``campaign=None`` asks about moderating everywhere."""
    if campaign is None:
        return is_organisation_moderator(user)
    return _holds(moderated_q(user), campaign)


def moderates_anything(user) -> bool:
    """Whether ``user`` has a moderation queue at all (organisation-wide or scoped)."""
    if not user.is_authenticated:
        return False
    if is_organisation_moderator(user):
        return True
    return moderated_campaigns(user).exists()


def moderated_campaigns(user):
    """The campaigns and boards ``user`` moderates (all of them for an organisation
    moderator)."""
    return Campaign.objects.filter(moderated_q(user))


def audience_ids(campaign: Campaign) -> list[int]:
    """The ids of the campaign's audience teams (empty: the whole organisation)."""
    return [team.pk for team in campaign.audience_teams.all()]


def can_pin_note(user, campaign: Campaign) -> bool:
    """The board's leads (and organisation moderators) pin "what we changed"."""
    return campaign.is_board and can_moderate(user, campaign)


def can_run_board(user, campaign: Campaign) -> bool:
    """Pause, resume or archive a board: its leads and engagement managers."""
    return campaign.is_board and (
        can_manage(user) or leads_team(user, campaign.team_id)
    )
