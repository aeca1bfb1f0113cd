"""A campaign's row, cached by its address: every campaign and idea page reads it first.

On PostgreSQL the row was a page's one remaining database round trip. It is dropped on
every write to it: a save or delete (signals; a save that may change the address
drops the old one's too), a numbered event (``events``, which
bumps ``last_event_seq`` with an UPDATE), an audience or moderators change
(``socket_access`` restamps the row) and the demo seed's renames. It is kept only
``CAMPAIGN_ROW_CACHE_SECONDS`` (seconds), because a page reading the row just before a
write commits may put the old row back after the write dropped it; a busy page still
reads it from the cache nearly every time.
"""

import hashlib

from django.conf import settings
from django.db.models.signals import post_delete, post_save, pre_save

from accounts import person_cache
from accounts.cache_drops import drop
from accounts.prepared import Prepared
from conversations.models import Campaign

FIELDS = [field.attname for field in Campaign._meta.concrete_fields]
# A row cached before a migration changed the fields is never read as the new one.
_SHAPE = hashlib.md5(",".join(FIELDS).encode()).hexdigest()[:8]  # noqa: S324
# Unordered: a slug is unique, and the model's ordering made PostgreSQL sort.
_row = Prepared(lambda slug: Campaign.objects.filter(slug=slug).order_by())


def key(slug: str) -> str:
    return f"campaign-row:{_SHAPE}:{slug}"


def row(slug: str, viewer=None) -> tuple | None:
    """The row of the campaign at ``slug`` (``FIELDS`` in order), or None: fetched with
    ``viewer``'s own row where their page asked for it, else from the cache, else from
    the database."""
    return person_cache.read_through(
        viewer,
        key(slug),
        lambda: next(iter(_row.rows(slug)), None),
        settings.CAMPAIGN_ROW_CACHE_SECONDS,
    )


def forget(slugs) -> None:
    """Drop these campaigns' cached rows, now and once the change commits."""
    drop(key(slug) for slug in slugs)


def _changed(sender, instance, **kwargs) -> None:
    forget([instance.slug])


def _saving(sender, instance, update_fields=None, **kwargs) -> None:
    """A save that may change the address (the admin's form can): the row cached at
    the old address goes too."""
    if instance.pk is None or (
        update_fields is not None and "slug" not in update_fields
    ):
        return
    forget(Campaign.objects.filter(pk=instance.pk).values_list("slug", flat=True))


def connect() -> None:
    pre_save.connect(_saving, sender=Campaign, dispatch_uid="campaign-row-saving")
    post_save.connect(_changed, sender=Campaign, dispatch_uid="campaign-row-save")
    post_delete.connect(_changed, sender=Campaign, dispatch_uid="campaign-row-delete")
