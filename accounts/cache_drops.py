"""Dropping cache entries that a write makes stale."""

from django.core.cache import cache
from django.db import transaction


def drop(keys) -> None:
    """Delete these cache entries now and again once the current transaction commits
    (a request reading in between must not cache the old values for long)."""
    keys = list(keys)
    if not keys:
        return
    cache.delete_many(keys)
    transaction.on_commit(lambda: cache.delete_many(keys), robust=True)
