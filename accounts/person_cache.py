"""A signed-in person's row, and what every page shows of them, in one cache round trip.

Every signed-in page and websocket connect reads the person's row, their permission
set (``accounts.permission_cache``) and, for the header, other apps' per-person
figures (the bell's unread count). Each was a round trip of its own, the row one to
the database: on PostgreSQL a page spent more on them than on its own content. Here
they come in one ``get_many``; what is missing is read as before and cached.

The row is dropped whenever it is saved or deleted, now and again once the change
commits, and also expires after ``PERSON_CACHE_SECONDS`` (without Redis each process
has its own cache; and a read racing a write may put the old row back). Bulk writes
that send no signals call :func:`forget` themselves (the staff directory's import).
A session that should end is deleted, which no cached row outlives.
"""

import hashlib
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db.models.signals import post_delete, post_save

from accounts import permission_cache
from accounts.cache_drops import drop
from accounts.models import StaffMember
from accounts.prepared import Prepared

_row = Prepared(lambda user_id: StaffMember.objects.filter(pk=user_id))
_FIELDS = [field.attname for field in StaffMember._meta.concrete_fields]
# A row cached before a migration changed the fields is never read as the new one.
_SHAPE = hashlib.md5(",".join(_FIELDS).encode()).hexdigest()[:8]  # noqa: S324

# Other apps' per-person cache keys fetched with the row (``also_fetch``), and their
# keys for the page a path names (``also_fetch_for_path``).
_extra_keys: list[Callable[[int], str]] = []
_path_keys: list[Callable[[str, int], list[str]]] = []


def _row_key(user_id: int) -> str:
    return f"person:{_SHAPE}:{user_id}"


def also_fetch(key_of: Callable[[int], str]) -> None:
    """Fetch the cache entry ``key_of(person id)`` with every person's row; read it
    with :func:`prefetched`. For apps accounts may not import (notifications)."""
    if key_of not in _extra_keys:
        _extra_keys.append(key_of)


def also_fetch_for_path(keys_of: Callable[[str, int], list[str]]) -> None:
    """Fetch the cache entries ``keys_of(path, person id)`` with the row of the person
    requesting ``path`` (what that page will read of the cache anyway: a campaign
    page's versions, the person's votes there); read them with :func:`prefetched`."""
    if keys_of not in _path_keys:
        _path_keys.append(keys_of)


def keys(user_id: int, path: str | None = None) -> list[str]:
    """What :func:`person` reads of the cache: the row, the permission set, other
    apps' entries, and with ``path`` (a page's), the entries that page asked for."""
    extra = [key_of(user_id) for key_of in _extra_keys]
    if path is not None:
        for keys_of in _path_keys:
            extra.extend(keys_of(path, user_id))
    return [_row_key(user_id), permission_cache.key(user_id), *extra]


def person(
    user_id: int, path: str | None = None, found: dict | None = None
) -> StaffMember | None:
    """The person's row (active or not; the caller decides), or None if there is none,
    with their :func:`keys` read from the cache (or ``found``: read already)."""
    row_key, permissions_key = _row_key(user_id), permission_cache.key(user_id)
    found = dict(cache.get_many(keys(user_id, path)) if found is None else found)
    row = found.pop(row_key, None)
    if row is None:
        rows = _row.rows(user_id)
        if not rows:
            return None
        row = rows[0]
        cache.set(row_key, row, settings.PERSON_CACHE_SECONDS)
    user = StaffMember.from_db("default", _FIELDS, row)
    permissions = found.pop(permissions_key, None)
    if permissions is not None and user.is_active and not user.is_superuser:
        # What CachedPermissionsBackend would have read; superusers and inactive
        # people are answered without it.
        user._perm_cache = permissions
    user._prefetched = found  # the other entries asked for
    return user


def prefetched(user, key: str):
    """The entry ``key`` fetched with ``user``'s row, once (a later read in the same
    request, perhaps after a change, goes to the cache), or None."""
    kept = getattr(user, "_prefetched", None)
    return kept.pop(key, None) if kept else None


def read_through(viewer, key: str, load: Callable, timeout: int):
    """The cache entry ``key``: fetched with ``viewer``'s row where their page asked
    for it, else from the cache, else ``load()``, then cached (unless None)."""
    value = prefetched(viewer, key) if viewer is not None else None
    if value is None:
        value = cache.get(key)
    if value is None:
        value = load()
        if value is not None:
            cache.set(key, value, timeout)
    return value


def forget(user_ids) -> None:
    """Drop these people's cached rows, now and once the change commits."""
    drop(_row_key(pk) for pk in user_ids)


def _changed(sender, instance, **kwargs) -> None:
    forget([instance.pk])


def connect() -> None:
    post_save.connect(_changed, sender=StaffMember, dispatch_uid="person-cache-save")
    post_delete.connect(
        _changed, sender=StaffMember, dispatch_uid="person-cache-delete"
    )
