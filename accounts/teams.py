"""Writes about teams: creating them, naming leads, members joining and leaving.

Engagement managers create teams and name their leads; a team's leads add and remove
members by email, and approve or decline colleagues who ask to join. Each function
checks who may do it and writes in one transaction; views and commands call these.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts.models import JoinRequest, StaffMember, Team, TeamMembership
from accounts.signals import memberships_changed

Role = TeamMembership.Role


def is_lead(user, team: Team) -> bool:
    return (
        user.is_authenticated
        and TeamMembership.objects.filter(
            team=team, staff_member=user, role=Role.LEAD
        ).exists()
    )


def is_member(user, team: Team) -> bool:
    return (
        user.is_authenticated
        and TeamMembership.objects.filter(team=team, staff_member=user).exists()
    )


def can_run(user, team: Team) -> bool:
    """Add and remove members, decide join requests: the team's leads and managers."""
    return user.is_authenticated and (user.is_engagement_manager or is_lead(user, team))


def _require_manager(user) -> None:
    if not (user.is_authenticated and user.is_engagement_manager):
        raise PermissionDenied(_("Only engagement managers can do that."))


def _require_runner(user, team: Team) -> None:
    if not can_run(user, team):
        raise PermissionDenied(_("Only the team's leads can do that."))


def _unique_slug(name: str) -> str:
    base = slugify(name)[:150] or "team"
    slug, n = base, 2
    while Team.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def staff_by_emails(emails: list[str]) -> list[StaffMember]:
    """Active staff members with these emails; a ValidationError names any unknown."""
    wanted = {e.strip().lower() for e in emails if e.strip()}
    found = list(StaffMember.objects.filter(email__in=wanted, is_active=True))
    missing = sorted(wanted - {s.email for s in found})
    if missing:
        raise ValidationError(
            _("Nobody with these emails has an account: %(emails)s.")
            % {"emails": ", ".join(missing)}
        )
    return found


@transaction.atomic
def create_team(manager, *, name: str, leads: list[StaffMember] = ()) -> Team:
    _require_manager(manager)
    name = name.strip()
    if Team.objects.filter(name__iexact=name).exists():
        raise ValidationError(_("There is already a team with this name."))
    team = Team.objects.create(name=name, slug=_unique_slug(name))
    set_leads(manager, team, leads)
    return team


@transaction.atomic
def set_leads(manager, team: Team, leads: list[StaffMember]) -> Team:
    """Make exactly ``leads`` the team's leads; former leads stay on as members."""
    _require_manager(manager)
    lead_ids = {lead.pk for lead in leads}
    former = TeamMembership.objects.filter(team=team, role=Role.LEAD).exclude(
        staff_member_id__in=lead_ids
    )
    former_ids = list(former.values_list("staff_member_id", flat=True))
    former.update(role=Role.MEMBER)
    if former_ids:  # no post_save from update(): pages and open sockets are told
        memberships_changed.send(sender=TeamMembership, person_ids=former_ids)
    for lead in leads:
        TeamMembership.objects.update_or_create(
            team=team, staff_member=lead, defaults={"role": Role.LEAD}
        )
    return team


@transaction.atomic
def add_member(by, team: Team, email: str) -> TeamMembership:
    _require_runner(by, team)
    (person,) = staff_by_emails([email])
    membership, _created = TeamMembership.objects.get_or_create(
        team=team, staff_member=person
    )
    JoinRequest.objects.filter(
        team=team, staff_member=person, state=JoinRequest.State.PENDING
    ).update(state=JoinRequest.State.APPROVED, decided_at=timezone.now(), decided_by=by)
    return membership


@transaction.atomic
def remove_member(by, team: Team, person: StaffMember) -> None:
    """Leads remove members; only a manager removes a lead (leads are named by them)."""
    _require_runner(by, team)
    membership = TeamMembership.objects.filter(team=team, staff_member=person).first()
    if membership is None:
        return
    if membership.role == Role.LEAD and not by.is_engagement_manager:
        raise PermissionDenied(_("Only an engagement manager can remove a team lead."))
    membership.delete()


@transaction.atomic
def request_to_join(person, team: Team) -> JoinRequest:
    if is_member(person, team):
        raise ValidationError(_("You are already in this team."))
    request = JoinRequest.objects.filter(
        team=team, staff_member=person, state=JoinRequest.State.PENDING
    ).first()
    return request or JoinRequest.objects.create(team=team, staff_member=person)


@transaction.atomic
def decide_join_request(by, request: JoinRequest, *, approve: bool) -> JoinRequest:
    _require_runner(by, request.team)
    request = JoinRequest.objects.select_for_update().get(pk=request.pk)
    if request.state != JoinRequest.State.PENDING:
        return request
    request.state = (
        JoinRequest.State.APPROVED if approve else JoinRequest.State.DECLINED
    )
    request.decided_at = timezone.now()
    request.decided_by = by
    request.save()
    if approve:
        TeamMembership.objects.get_or_create(
            team=request.team, staff_member=request.staff_member
        )
    return request
