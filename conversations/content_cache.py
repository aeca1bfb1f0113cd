"""Entries keyed by everything they hold (page fragments, a campaign's idea lists):
a value never changes under its key, so each process keeps a copy in its own memory in
front of the shared cache, and asks Redis only for what it has not seen yet.

With Redis, a campaign page read a dozen entries from it, one round trip and one
unpickling each, and that was most of the page's time. The copies here are the very
objects (no pickling): callers must not change what they get.
"""

import threading

from cachetools import TTLCache
from django.conf import settings
from django.core.cache import cache

_lock = threading.Lock()
# As long as the shortest-lived of them (idea lists: an author's new name shows then).
_local = TTLCache(maxsize=2000, ttl=settings.IDEA_CARDS_CACHE_SECONDS)


def get(key: str):
    with _lock:
        value = _local.get(key)
    if value is None:
        value = cache.get(key)
        if value is not None:
            with _lock:
                _local[key] = value
    return value


def set(key: str, value, timeout: int) -> None:  # noqa: A001 - as cache.set
    cache.set(key, value, timeout)
    with _lock:
        _local[key] = value


def clear() -> None:
    """Forget the local copies (tests, between cases)."""
    with _lock:
        _local.clear()
