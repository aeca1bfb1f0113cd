"""Who may do what in a campaign: named rules, each taking ``now`` where time matters."""

from datetime import datetime

from conversations.models import Campaign, CampaignStatus


def can_manage(user, campaign: Campaign | None = None) -> bool:
    return user.is_authenticated and user.is_engagement_manager


def in_audience(user, campaign: Campaign) -> bool:
    """Everyone is in an organisation-wide campaign; a team campaign is for its teams."""
    if not user.is_authenticated:
        return False
    if user.is_engagement_manager or user.is_moderator:
        return True
    team_ids = [t.pk for t in campaign.audience_teams.all()]
    if not team_ids:
        return True
    return user.memberships.filter(team_id__in=team_ids).exists()


def can_view(user, campaign: Campaign, now: datetime) -> bool:
    if campaign.status(now) == CampaignStatus.DRAFT:
        return can_manage(user, campaign)
    return in_audience(user, campaign)


def can_take_part(user, campaign: Campaign, now: datetime) -> bool:
    return campaign.is_open(now) and in_audience(user, campaign)


def can_moderate(user, campaign: Campaign) -> bool:
    """Moderators and engagement managers moderate every campaign (team boards come later)."""
    return user.is_authenticated and (user.is_moderator or user.is_engagement_manager)
