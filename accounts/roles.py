"""Roles are Django groups carrying named permissions, so they are data, not flags."""

from django.contrib.auth.models import Group, Permission

ENGAGEMENT_MANAGER = "Engagement managers"
MODERATOR = "Moderators"
TEAM_LEAD = "Team leads"
ADMINISTRATOR = "Administrators"

ROLE_PERMISSIONS = {
    ENGAGEMENT_MANAGER: ["manage_campaigns", "moderate"],
    MODERATOR: ["moderate"],
    TEAM_LEAD: [],  # scoped by TeamMembership.role, not by a global permission
    ADMINISTRATOR: ["manage_campaigns", "moderate"],
}


def ensure_roles() -> dict[str, Group]:
    """Create (or repair) the role groups and their permissions; safe to run twice."""
    groups = {}
    for name, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        perms = Permission.objects.filter(
            content_type__app_label="accounts", codename__in=codenames
        )
        group.permissions.set(perms)
        groups[name] = group
    return groups
