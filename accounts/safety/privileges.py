"""Who holds a privilege that can reach an anonymous author, and since when.

Two privileges are watched: "reveal" (the ``accounts.reveal_identity`` permission,
given directly or through a role) and "grant" (whoever can give it: an active
superuser, or active staff who may change people or roles). Whatever changes them -
the admin, a role gaining a permission, a command, erasure - ends in Django's
``m2m_changed`` or ``post_save`` for people, groups and permissions, and each of those
calls :func:`reconcile`, which compares who holds each privilege now with the last
recorded change (``PrivilegeChange``, append-only) and records the difference.

Each recorded change is sent as ``accounts.signals.privilege_changed``; the reveal
service announces it to every holder (accounts knows no notifications).
"""

import contextvars
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.contrib.auth.models import Group, Permission
from django.db.models import Q
from django.utils import timezone

from accounts import roles
from accounts.models import PrivilegeChange, StaffMember
from accounts.signals import privilege_changed

REVEAL = PrivilegeChange.Privilege.REVEAL
GRANT = PrivilegeChange.Privilege.GRANT
# Permissions that let staff give others permissions in the admin.
GRANTING = [("accounts", "change_staffmember"), ("auth", "change_group")]

# The admin person making a change, while the admin saves it (accounts.safety.admin_site).
acting = contextvars.ContextVar("privileges_acting", default=None)


def _granting_permissions():
    query = Q()
    for app_label, codename in GRANTING:
        query |= Q(content_type__app_label=app_label, codename=codename)
    return Permission.objects.filter(query)


def grantors():
    """Active people who can give others permissions."""
    granting = list(_granting_permissions())
    return StaffMember.objects.filter(
        Q(is_superuser=True)
        | Q(is_staff=True, user_permissions__in=granting)
        | Q(is_staff=True, groups__permissions__in=granting),
        is_active=True,
    ).distinct()


def holders(privilege: str):
    return roles.holders_of("reveal_identity") if privilege == REVEAL else grantors()


def _recorded(privilege: str, person_ids: Iterable[int] | None = None) -> set[int]:
    """Who the log says holds ``privilege`` now (their last change is a grant)."""
    rows = PrivilegeChange.objects.filter(privilege=privilege, person__isnull=False)
    if person_ids is not None:
        rows = rows.filter(person_id__in=list(person_ids))
    last: dict[int, str] = {}
    for person_id, change in rows.order_by("at", "id").values_list(
        "person_id", "change"
    ):
        last[person_id] = change
    return {
        pk for pk, change in last.items() if change == PrivilegeChange.Change.GRANTED
    }


def reconcile(person_ids: Iterable[int] | None = None) -> list[PrivilegeChange]:
    """Record every difference between who holds each privilege and the log; for
    ``person_ids`` only, or for everyone."""
    by = acting.get()
    made = []
    ids = None if person_ids is None else set(person_ids)
    for privilege in (REVEAL, GRANT):
        now_holding = holders(privilege)
        if ids is not None:
            now_holding = now_holding.filter(pk__in=ids)
        current = set(now_holding.values_list("pk", flat=True))
        recorded = _recorded(privilege, ids)
        for pk, change in [(pk, "granted") for pk in sorted(current - recorded)] + [
            (pk, "removed") for pk in sorted(recorded - current)
        ]:
            made.append(
                PrivilegeChange.objects.create(
                    person_id=pk,
                    privilege=privilege,
                    change=change,
                    by=by if getattr(by, "pk", None) else None,
                )
            )
    for change in made:
        privilege_changed.send(sender=PrivilegeChange, change=change)
    return made


def held_since(person, privilege: str = REVEAL) -> datetime | None:
    """When ``person``'s current holding of ``privilege`` began, or None."""
    last = (
        PrivilegeChange.objects.filter(person=person, privilege=privilege)
        .order_by("-at", "-id")
        .first()
    )
    if last is None or last.change != PrivilegeChange.Change.GRANTED:
        return None
    return last.at


def has_held_for(person, days: int, *, now: datetime | None = None) -> bool:
    since = held_since(person, REVEAL)
    return since is not None and since <= (now or timezone.now()) - timedelta(days=days)


# -- what calls reconcile --------------------------------------------------------------

_FLAGS = {"is_superuser", "is_staff", "is_active"}


def _person_saved(sender, instance, created, update_fields=None, **kwargs) -> None:
    if update_fields is not None and not (_FLAGS & set(update_fields)):
        return  # a sign-in's last_login, a language choice: nothing that grants
    if created and not (instance.is_superuser or instance.is_staff):
        return  # a new person holds nothing yet (roles come by m2m_changed)
    reconcile([instance.pk])


def _person_links_changed(sender, instance, action, pk_set=None, reverse=False, **kw):
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if isinstance(instance, StaffMember):
        reconcile([instance.pk])
    else:
        reconcile()  # a group's members or permissions, a permission's holders


def connect() -> None:
    from django.db.models.signals import m2m_changed, post_save

    post_save.connect(_person_saved, sender=StaffMember, dispatch_uid="privileges-save")
    for through in (
        StaffMember.groups.through,
        StaffMember.user_permissions.through,
        Group.permissions.through,
    ):
        m2m_changed.connect(
            _person_links_changed, sender=through, dispatch_uid=f"privileges-{through}"
        )
