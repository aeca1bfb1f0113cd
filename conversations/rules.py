"""Who may do what in a campaign or a board: named rules, each taking ``now`` where
time matters.

A board (``Campaign.Kind.BOARD``) belongs to one team: its audience is the team's
members, and only they, organisation moderators and the board's own moderators (the
team's leads, and anyone named on it) may see it at all.
"""

from datetime import datetime

from django.db.models import Q

from conversations.models import Campaign, CampaignStatus


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


def in_audience(user, campaign: Campaign) -> bool:
    """Everyone is in an organisation-wide campaign; a team campaign is for its teams;
    a board is for its team's members only."""
    if not user.is_authenticated:
        return False
    if campaign.is_board:
        return is_team_member(user, campaign.team_id)
    if user.is_engagement_manager or user.is_moderator:
        return True
    team_ids = audience_ids(campaign)
    if not team_ids:
        return True
    return user.memberships.filter(team_id__in=team_ids).exists()


def can_view(user, campaign: Campaign, now: datetime) -> bool:
    if campaign.status(now) == CampaignStatus.DRAFT:
        return can_manage(user, campaign)
    if campaign.is_board:
        return in_audience(user, campaign) or can_moderate(user, campaign)
    return in_audience(user, campaign) or _named_moderator(user, campaign)


def can_take_part(user, campaign: Campaign, now: datetime) -> bool:
    return campaign.is_open(now) and in_audience(user, campaign)


def _named_moderator(user, campaign: Campaign) -> bool:
    if not user.is_authenticated or campaign.pk is None:
        return False
    facts = getattr(campaign, "access_facts", None)
    if facts is not None:
        return user.pk in facts.moderator_ids
    return campaign.moderators.filter(pk=user.pk).exists()


def audience_ids(campaign: Campaign):
    """The audience's team ids: from ``access_facts`` where the page's fetch put them
    (``access.campaign_by_slug``), else from the database."""
    facts = getattr(campaign, "access_facts", None)
    if facts is not None:
        return facts.audience
    return [t.pk for t in campaign.audience_teams.all()]


def can_moderate(user, campaign: Campaign | None) -> bool:
    """Organisation moderators and engagement managers moderate everything; a
    campaign's named moderators moderate that campaign; a team's leads moderate their
    team's board. ``campaign=None`` asks about moderating everywhere."""
    if not user.is_authenticated:
        return False
    if is_organisation_moderator(user):
        return True
    if campaign is None:
        return False
    if campaign.is_board and leads_team(user, campaign.team_id):
        return True
    return _named_moderator(user, campaign)


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
    if is_organisation_moderator(user):
        return Campaign.objects.all()
    if not user.is_authenticated:
        return Campaign.objects.none()
    return Campaign.objects.filter(
        Q(moderators=user)
        | Q(
            kind=Campaign.Kind.BOARD,
            team__memberships__staff_member=user,
            team__memberships__role="lead",
        )
    ).distinct()


def can_pin_note(user, campaign: Campaign) -> bool:
    """The board's leads (and organisation moderators) pin "what we changed"."""
    return campaign.is_board and can_moderate(user, campaign)


def can_run_board(user, campaign: Campaign) -> bool:
    """Pause, resume or archive a board: its leads and engagement managers."""
    return campaign.is_board and (
        can_manage(user) or leads_team(user, campaign.team_id)
    )
