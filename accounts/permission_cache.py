"""A person's permissions, kept in the cache between requests.

Every signed-in page asks about roles (the header's links, the campaign rules, a
websocket's connect), and Django's ``ModelBackend`` reads them afresh for every
request: two queries. Roles change rarely (an administrator adds someone to a group),
so a person's set is cached and dropped the moment any grant that feeds it changes:
their groups, their own permissions, a group's permissions, a group or a permission
deleted. The cache entry also expires after ``PERMISSIONS_CACHE_SECONDS``: without
Redis each process has its own cache, and only the process that made a change can drop
its own copy.
"""

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.db.models import Q
from django.db.models.signals import m2m_changed, pre_delete

from accounts.cache_drops import drop


def key(user_id: int) -> str:
    return f"permissions:{user_id}"


def granted(user) -> frozenset[str]:
    """``user``'s own and their groups' permissions, as ``"app.codename"``: what was
    explicitly granted (a superuser holds nothing more here by being one)."""
    entry = key(user.pk)
    names = cache.get(entry)
    if names is None:
        rows = (
            Permission.objects.filter(Q(user=user) | Q(group__user=user))
            .values_list("content_type__app_label", "codename")
            .distinct()
        )
        names = frozenset(f"{app}.{codename}" for app, codename in rows)
        cache.set(entry, names, settings.PERMISSIONS_CACHE_SECONDS)
    return names


def forget(user_ids) -> None:
    """Drop the cached sets of these people, now and again once the change commits
    (a request reading in between must not cache the old grants for long)."""
    drop(key(pk) for pk in user_ids)


class CachedPermissionsBackend(ModelBackend):
    """Permissions only: first in ``AUTHENTICATION_BACKENDS``, it puts the cached set
    on the user as ``_perm_cache``, which ``ModelBackend`` (still listed: sessions name
    it as the backend that signed people in) and allauth's backend then read instead
    of querying. It checks no password (so a failed sign-in hashes once, not twice),
    but loads the person of a session that names it, as ``force_login`` does."""

    def authenticate(self, request, **credentials):
        return None

    def get_all_permissions(self, user_obj, obj=None):
        if (
            not user_obj.is_active
            or user_obj.is_anonymous
            or obj is not None
            or user_obj.is_superuser  # has_perm never asks; the admin may list all
        ):
            return super().get_all_permissions(user_obj, obj)
        if not hasattr(user_obj, "_perm_cache"):
            user_obj._perm_cache = granted(user_obj)
        return user_obj._perm_cache


def _members_of(group_ids) -> list[int]:
    from accounts.models import StaffMember

    return list(
        StaffMember.objects.filter(groups__in=group_ids)
        .values_list("pk", flat=True)
        .distinct()
    )


def _grants_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    """m2m_changed for a person's groups and permissions, and a group's permissions."""
    if action not in ("post_add", "post_remove", "pre_clear", "post_clear"):
        return
    from accounts.models import StaffMember

    if isinstance(instance, StaffMember):
        forget([instance.pk])
    elif isinstance(instance, Group):
        if model is StaffMember:  # group.user_set changed: those people, or all
            forget(pk_set or _members_of([instance.pk]))
        else:  # the group's permissions changed: all its members
            forget(_members_of([instance.pk]))
    elif isinstance(instance, Permission):  # permission.group_set / user_set
        if model is Group:
            forget(_members_of(pk_set or instance.group_set.all()))
        else:
            forget(pk_set or instance.user_set.values_list("pk", flat=True))


def _group_deleted(sender, instance, **kwargs):
    forget(_members_of([instance.pk]))


def _permission_deleted(sender, instance, **kwargs):
    holders = set(instance.user_set.values_list("pk", flat=True))
    holders.update(_members_of(instance.group_set.all()))
    forget(holders)


def connect() -> None:
    from accounts.models import StaffMember

    for through in (
        StaffMember.groups.through,
        StaffMember.user_permissions.through,
        Group.permissions.through,
    ):
        m2m_changed.connect(
            _grants_changed, sender=through, dispatch_uid=f"perm-cache-{through}"
        )
    pre_delete.connect(_group_deleted, sender=Group, dispatch_uid="perm-cache-group")
    pre_delete.connect(
        _permission_deleted, sender=Permission, dispatch_uid="perm-cache-permission"
    )
