"""Writes about staff members; views and commands call these."""

from django.db import transaction
from django.utils import timezone

from accounts.models import StaffMember, Team, TeamMembership


@transaction.atomic
def save_profile(staff_member: StaffMember, cleaned: dict) -> StaffMember:
    """Store the profile answers (any may be blank) and mark the questions as asked."""
    for field in ("display_name", "directorate", "staff_group", "band"):
        setattr(
            staff_member,
            field,
            cleaned.get(field) or (None if field != "display_name" else ""),
        )
    staff_member.profile_completed_at = timezone.now()
    staff_member.save()
    team: Team | None = cleaned.get("team")
    if team is not None:
        TeamMembership.objects.get_or_create(team=team, staff_member=staff_member)
    return staff_member


def skip_profile(staff_member: StaffMember) -> None:
    staff_member.profile_completed_at = timezone.now()
    staff_member.save(update_fields=["profile_completed_at"])
