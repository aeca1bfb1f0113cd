"""Roles are Django groups carrying named permissions, so they are data, not flags."""

from django.contrib.auth.models import Group, Permission
from django.db.models import Q

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


def holders_of(codename: str):
    """Active staff members granted ``accounts.<codename>`` explicitly, directly or
    through a role.

    Unlike ``has_perm``, a superuser holds nothing here by being a superuser: a
    break-glass permission is given to named people on purpose, never implied.
    """
    from accounts.models import StaffMember

    permission = Permission.objects.filter(
        content_type__app_label="accounts", codename=codename
    ).first()
    if permission is None:
        return StaffMember.objects.none()
    return StaffMember.objects.filter(
        Q(user_permissions=permission) | Q(groups__permissions=permission),
        is_active=True,
    ).distinct()


def holds(user, codename: str) -> bool:
    """Whether ``user`` was explicitly granted ``accounts.<codename>``."""
    if not getattr(user, "is_authenticated", False):
        return False
    return holders_of(codename).filter(pk=user.pk).exists()
