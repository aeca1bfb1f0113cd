"""How Django finds the signed-in person: ``ModelBackend``, with the person's row and
permission set read from a cache shared by every process (Redis), where there is one.

Django's documented extension point: ``AuthenticationMiddleware`` and Channels'
``AuthMiddlewareStack`` ask the backend a session names for its person
(``get_user``), and ``has_perm`` asks every backend for the permissions. Sessions,
session hashes, ``user_can_authenticate`` and the checks around them stay Django's.

The cache is used only when it is shared between processes (``REDIS_URL``): a
per-process cache could not be told that another process changed a row. Without it,
or when Redis fails, the database answers, as ``ModelBackend`` does.

Cache discipline (no read can put an old row back after a write):

- a read that misses loads the row from the database and stores it with
  ``cache.add``, which never overwrites;
- a write (a saved or deleted person, changed groups or permissions, the staff
  directory's bulk import through :func:`forget`) replaces the entry once the change
  commits, with the row read again after the commit (or deletes it if it is gone).
  A reader that loaded the old row before the commit then finds the entry taken.

Entries also expire (``PERSON_CACHE_SECONDS``, ``PERMISSIONS_CACHE_SECONDS``).
"""

import functools
import hashlib
import logging
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete

logger = logging.getLogger(__name__)


@functools.cache
def _fields() -> tuple[str, ...]:
    return tuple(field.attname for field in get_user_model()._meta.concrete_fields)


@functools.cache
def _shape() -> str:
    """A row cached before a migration changed the fields is never read as the new
    one: the fields' names are part of the key."""
    names = ",".join(_fields()).encode()
    return hashlib.md5(names, usedforsecurity=False).hexdigest()[:8]


def _row_key(user_id) -> str:
    return f"person.{_shape()}.{user_id}"


def _permissions_key(user_id) -> str:
    return f"person.permissions.{user_id}"


def cache_is_shared() -> bool:
    """Whether every process reads the same cache (Redis)."""
    return bool(getattr(settings, "REDIS_URL", ""))


# -- reading ------------------------------------------------------------------------


def _row_from_database(user_id) -> tuple | None:
    return (
        get_user_model()
        ._default_manager.filter(pk=user_id)
        .values_list(*_fields())
        .first()
    )


def _granted_from_database(user) -> frozenset[str]:
    """``user``'s own and their groups' permissions as ``"app.codename"``, in one
    query (``ModelBackend`` asks two)."""
    rows = (
        Permission.objects.filter(Q(user=user) | Q(group__user=user))
        .values_list("content_type__app_label", "codename")
        .distinct()
    )
    return frozenset(f"{app}.{codename}" for app, codename in rows)


def _cache_get_many(keys: list[str]) -> dict:
    try:
        return cache.get_many(keys)
    except Exception:  # noqa: BLE001 - Redis is an accelerator, never required
        logger.warning("Cache unreadable; asking the database", exc_info=True)
        return {}


def _cache_add(key: str, value, timeout: int) -> None:
    try:
        cache.add(key, value, timeout)
    except Exception:  # noqa: BLE001
        logger.warning("Cache unwritable; read from the database next time too")


def _cached_person(user_id):
    """The person (active or not) with their permission set if cached, or None."""
    model = get_user_model()
    row_key, permissions_key = _row_key(user_id), _permissions_key(user_id)
    found = _cache_get_many([row_key, permissions_key])
    row = found.get(row_key)
    if row is None:
        row = _row_from_database(user_id)
        if row is None:
            return None
        _cache_add(row_key, row, settings.PERSON_CACHE_SECONDS)
    user = model.from_db(model._default_manager.db, _fields(), row)
    permissions = found.get(permissions_key)
    if permissions is not None and user.is_active and not user.is_superuser:
        # What get_all_permissions below would read (a superuser holds every one).
        user._perm_cache = permissions
    return user


def _granted(user) -> frozenset[str]:
    if not cache_is_shared():
        return _granted_from_database(user)
    key = _permissions_key(user.pk)
    names = _cache_get_many([key]).get(key)
    if names is None:
        names = _granted_from_database(user)
        _cache_add(key, names, settings.PERMISSIONS_CACHE_SECONDS)
    return names


class StaffBackend(ModelBackend):
    """``ModelBackend`` whose person and permission set may come from the shared
    cache. First in ``AUTHENTICATION_BACKENDS``: ``force_login`` and password sign-in
    name it in the session, and ``has_perm`` reads its set before the others."""

    def get_user(self, user_id):
        if not cache_is_shared():
            return super().get_user(user_id)
        user = _cached_person(user_id)
        if user is None:
            return None
        return user if self.user_can_authenticate(user) else None

    def get_all_permissions(self, user_obj, obj=None):
        if (
            not user_obj.is_active
            or user_obj.is_anonymous
            or obj is not None
            or user_obj.is_superuser  # every permission: ModelBackend lists them
        ):
            return super().get_all_permissions(user_obj, obj)
        if not hasattr(user_obj, "_perm_cache"):
            user_obj._perm_cache = _granted(user_obj)
        return user_obj._perm_cache


# -- writing ------------------------------------------------------------------------


def _replace_rows(user_ids: list) -> None:
    """After a commit: put each person's committed row in the cache, or drop it."""
    model = get_user_model()
    pk_index = _fields().index(model._meta.pk.attname)
    rows = {
        row[pk_index]: row
        for row in model._default_manager.filter(pk__in=user_ids).values_list(
            *_fields()
        )
    }
    try:
        for user_id in user_ids:
            if user_id in rows:
                cache.set(
                    _row_key(user_id), rows[user_id], settings.PERSON_CACHE_SECONDS
                )
            else:
                cache.delete(_row_key(user_id))
    except Exception:  # noqa: BLE001 - the write committed; the entry expires
        logger.warning("Cache unwritable; a person's old row may show until it expires")


def _replace_permissions(user_ids: list) -> None:
    """After a commit: put each person's committed permission set in the cache."""
    people = get_user_model()._default_manager.filter(pk__in=user_ids)
    try:
        seen = set()
        for person in people:
            seen.add(person.pk)
            cache.set(
                _permissions_key(person.pk),
                _granted_from_database(person),
                settings.PERMISSIONS_CACHE_SECONDS,
            )
        cache.delete_many([_permissions_key(pk) for pk in user_ids if pk not in seen])
    except Exception:  # noqa: BLE001
        logger.warning("Cache unwritable; old permissions may show until they expire")


def forget(user_ids: Iterable) -> None:
    """These people's rows changed without a signal (a bulk update): replace their
    cached rows once the change commits."""
    ids = list(user_ids)
    if ids and cache_is_shared():
        transaction.on_commit(lambda: _replace_rows(ids), robust=True)


def forget_permissions(user_ids: Iterable) -> None:
    """These people's grants changed: replace their cached sets once committed."""
    ids = list(user_ids)
    if ids and cache_is_shared():
        transaction.on_commit(lambda: _replace_permissions(ids), robust=True)


def _person_saved(sender, instance, **kwargs) -> None:
    forget([instance.pk])


def _person_deleted(sender, instance, **kwargs) -> None:
    forget([instance.pk])
    forget_permissions([instance.pk])


def _members_of(group_ids) -> list:
    return list(
        get_user_model()
        ._default_manager.filter(groups__in=group_ids)
        .values_list("pk", flat=True)
        .distinct()
    )


def _grants_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    """m2m_changed for a person's groups and permissions, and a group's permissions."""
    if action not in ("post_add", "post_remove", "pre_clear", "post_clear"):
        return
    user_model = get_user_model()
    if isinstance(instance, user_model):
        forget_permissions([instance.pk])
    elif isinstance(instance, Group):
        if model is user_model:  # group.user_set changed: those people, or all
            forget_permissions(pk_set or _members_of([instance.pk]))
        else:  # the group's permissions changed: all its members
            forget_permissions(_members_of([instance.pk]))
    elif isinstance(instance, Permission):  # permission.group_set / user_set
        if model is Group:
            forget_permissions(_members_of(pk_set or instance.group_set.all()))
        else:
            forget_permissions(pk_set or instance.user_set.values_list("pk", flat=True))


def _group_deleted(sender, instance, **kwargs) -> None:
    forget_permissions(_members_of([instance.pk]))


def _permission_deleted(sender, instance, **kwargs) -> None:
    holders = set(instance.user_set.values_list("pk", flat=True))
    holders.update(_members_of(instance.group_set.all()))
    forget_permissions(holders)


def connect() -> None:
    user_model = get_user_model()
    post_save.connect(_person_saved, sender=user_model, dispatch_uid="person-save")
    post_delete.connect(_person_deleted, sender=user_model, dispatch_uid="person-del")
    for through in (
        user_model.groups.through,
        user_model.user_permissions.through,
        Group.permissions.through,
    ):
        m2m_changed.connect(
            _grants_changed, sender=through, dispatch_uid=f"person-grants-{through}"
        )
    pre_delete.connect(_group_deleted, sender=Group, dispatch_uid="person-grants-g")
    pre_delete.connect(
        _permission_deleted, sender=Permission, dispatch_uid="person-grants-p"
    )
