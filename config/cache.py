"""The shared cache (Redis) as an accelerator: when it stops answering, work without it.

Django's ``RedisCache`` as it comes, through the documented extension point (a cache
backend class named in ``CACHES``), with each public method guarded. When Redis does not
answer (connection refused, a time-out), this process:

- treats every read as a miss and skips every write, so sessions (``cached_db``) come
  from the database, people and permissions from the database (``accounts.backends``),
  and shared fragments are rendered again; nothing answers 500 for want of a cache;
- keeps the counters named in ``LOCAL_WHEN_DOWN`` (our posting/voting limits, allauth's
  sign-in limits) in its own memory, so a limit still limits (per process: at most
  one limit's worth in each worker) and is never "no limit";
- asks Redis again only every ``RETRY_SECONDS``, so an outage costs one failed call per
  process per interval, not a time-out per request;
- logs once when Redis goes away and once when it answers again, not once a request.

When Redis answers again, the keys this process wrote (or deleted) while it could not
reach it are deleted there before anything is read from it, so an entry it could not
replace or remove (a session signed out, a person's row) never comes back. Past
``LOST_KEYS_LIMIT`` of them the whole cache database is cleared instead: the cache holds
nothing that cannot be computed again (``docs/DESIGN.md``).
"""

import logging
import re
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlsplit

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis import ConnectionPool
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger("staffvoice.cache")

UNAVAILABLE = (RedisConnectionError, RedisTimeoutError)
_OWN_OPTIONS = ("RETRY_SECONDS", "LOCAL_WHEN_DOWN", "LOST_KEYS_LIMIT")


def _where(servers: list[str]) -> str:
    """Host, port and database only: never a password from the URL in a log."""
    parts = urlsplit(servers[0])
    return f"{parts.hostname}:{parts.port or 6379}{parts.path or ''}"


class _Outage:
    """This process's view of one Redis cache, shared by every thread's backend
    instance (Django makes one per thread)."""

    def __init__(self, where: str, retry_seconds: float, lost_limit: int) -> None:
        self.where = where
        self.retry_seconds = retry_seconds
        self.lost_limit = lost_limit
        self.lock = threading.Lock()
        self.down_since: float | None = None
        self.retry_at = 0.0
        self.probing = False
        self.lost: set[tuple[str, int | None]] = set()
        self.clear_on_return = False
        self.local = LocMemCache(
            f"staffvoice-while-down-{where}", {"OPTIONS": {"MAX_ENTRIES": 20000}}
        )

    def went_down(self, error: Exception) -> None:
        with self.lock:
            self.probing = False
            self.retry_at = time.monotonic() + self.retry_seconds
            if self.down_since is not None:
                return
            self.down_since = time.monotonic()
        logger.error(
            "Redis cache at %s is not answering (%s): working without it, rate limits "
            "counted in this process until it returns",
            self.where,
            type(error).__name__,
        )

    def lose(self, keys: Iterable[str], version: int | None) -> None:
        with self.lock:
            for key in keys:
                if len(self.lost) >= self.lost_limit:
                    self.clear_on_return = True
                    return
                self.lost.add((key, version))

    def should_try(self) -> bool:
        """Whether to call Redis now: always while it answers; while it does not,
        one caller (the probe) once every ``retry_seconds``."""
        with self.lock:
            if self.down_since is None:
                return True
            if self.probing or time.monotonic() < self.retry_at:
                return False
            self.probing = True
            return True


class SharedConnectionPool(ConnectionPool):
    """One connection pool per Redis address and options in a process (the backend's
    documented ``pool_class`` option).

    Django makes a cache backend, and with it a connection pool, per thread, and under
    ASGI per request: its handler keeps them in context-local storage. So every
    socket handshake of a live worker opened a new Redis connection (with its
    ``CLIENT SETINFO`` round trips) and left it to the garbage collector: measured, a
    third of a handshake's time on the worker's one database thread, and a thousand
    pages coming back at once meant a thousand new connections to Redis."""

    _shared: dict[tuple, "SharedConnectionPool"] = {}
    _shared_lock = threading.Lock()

    @classmethod
    def from_url(cls, url: str, **kwargs):
        key = (url, repr(sorted(kwargs.items())))
        with cls._shared_lock:
            if key not in cls._shared:
                cls._shared[key] = super().from_url(url, **kwargs)
            return cls._shared[key]


class RedisAccelerator(RedisCache):
    """``RedisCache`` that degrades to "no cache" while Redis is unreachable."""

    _outages: dict[tuple, _Outage] = {}
    _outages_lock = threading.Lock()

    def __init__(self, server, params) -> None:
        options = dict(params.get("OPTIONS", {}))
        own = {name: options.pop(name) for name in _OWN_OPTIONS if name in options}
        super().__init__(server, {**params, "OPTIONS": options})
        self._local_prefixes = tuple(own.get("LOCAL_WHEN_DOWN", ()))
        servers = re.split("[;,]", server) if isinstance(server, str) else server
        identity = (tuple(servers), self.key_prefix)
        with self._outages_lock:
            if identity not in self._outages:
                self._outages[identity] = _Outage(
                    _where(servers),
                    float(own.get("RETRY_SECONDS", 5)),
                    int(own.get("LOST_KEYS_LIMIT", 50000)),
                )
            self.outage = self._outages[identity]

    # -- the guard ------------------------------------------------------------------

    def _is_local(self, key: str) -> bool:
        return bool(self._local_prefixes) and key.startswith(self._local_prefixes)

    def _come_back(self) -> None:
        """The probe: remove what this process could not write, then resume."""
        outage = self.outage
        with outage.lock:
            lost, outage.lost = outage.lost, set()
            clear, outage.clear_on_return = outage.clear_on_return, False
        try:
            if clear:
                super().clear()
            else:
                by_version: dict[int | None, list[str]] = {}
                for key, version in lost:
                    by_version.setdefault(version, []).append(key)
                for version, keys in by_version.items():
                    super().delete_many(keys, version=version)
                super().has_key("staffvoice:probe")  # answers even with nothing lost
        except BaseException:  # still owed; and another caller may probe later
            with outage.lock:
                outage.lost |= lost
                outage.clear_on_return |= clear
                outage.probing = False
                outage.retry_at = time.monotonic() + outage.retry_seconds
            raise
        with outage.lock:
            down_for = time.monotonic() - (outage.down_since or time.monotonic())
            outage.down_since = None
            outage.probing = False
            outage.local.clear()
        logger.warning(
            "Redis cache at %s answering again after %.0f s (%s)",
            outage.where,
            down_for,
            "cleared" if clear else f"{len(lost)} keys written meanwhile removed",
        )

    def _guard(
        self,
        call: Callable[[], Any],
        fallback: Callable[[], Any],
        written: Iterable[str] = (),
        version: int | None = None,
    ) -> Any:
        outage = self.outage
        if outage.should_try():
            try:
                if outage.down_since is not None:
                    self._come_back()
                return call()
            except UNAVAILABLE as error:
                outage.went_down(error)
        outage.lose([key for key in written if not self._is_local(key)], version)
        return fallback()

    def _one(self, key: str, call, local_call, missing, write: bool, version=None):
        """An operation on one key: Redis, else this process's memory for a counter,
        else ``missing``."""
        return self._guard(
            call,
            local_call if self._is_local(key) else (lambda: missing),
            [key] if write else (),
            version,
        )

    # -- Django's cache API ---------------------------------------------------------

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._one(
            key,
            lambda: super(RedisAccelerator, self).add(key, value, timeout, version),
            lambda: self.outage.local.add(key, value, timeout, version),
            False,
            True,
            version,
        )

    def get(self, key, default=None, version=None):
        return self._one(
            key,
            lambda: super(RedisAccelerator, self).get(key, default, version),
            lambda: self.outage.local.get(key, default, version),
            default,
            False,
        )

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._one(
            key,
            lambda: super(RedisAccelerator, self).set(key, value, timeout, version),
            lambda: self.outage.local.set(key, value, timeout, version),
            None,
            True,
            version,
        )

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._one(
            key,
            lambda: super(RedisAccelerator, self).touch(key, timeout, version),
            lambda: self.outage.local.touch(key, timeout, version),
            False,
            True,
            version,
        )

    def delete(self, key, version=None):
        return self._one(
            key,
            lambda: super(RedisAccelerator, self).delete(key, version),
            lambda: self.outage.local.delete(key, version),
            False,
            True,
            version,
        )

    def has_key(self, key, version=None):
        return self._one(
            key,
            lambda: super(RedisAccelerator, self).has_key(key, version),
            lambda: self.outage.local.has_key(key, version),
            False,
            False,
        )

    def incr(self, key, delta=1, version=None):
        def missing():
            raise ValueError(f"Key '{key}' not found (the cache is unavailable).")

        return self._guard(
            lambda: super(RedisAccelerator, self).incr(key, delta, version),
            (lambda: self.outage.local.incr(key, delta, version))
            if self._is_local(key)
            else missing,
            [key],
            version,
        )

    def get_many(self, keys, version=None):
        keys = list(keys)
        return self._guard(
            lambda: super(RedisAccelerator, self).get_many(keys, version),
            lambda: self.outage.local.get_many(
                [k for k in keys if self._is_local(k)], version
            ),
        )

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        def local():
            self.outage.local.set_many(
                {k: v for k, v in data.items() if self._is_local(k)}, timeout, version
            )
            return []

        return self._guard(
            lambda: super(RedisAccelerator, self).set_many(data, timeout, version),
            local,
            list(data),
            version,
        )

    def delete_many(self, keys, version=None):
        keys = list(keys)
        self._guard(
            lambda: super(RedisAccelerator, self).delete_many(keys, version),
            lambda: self.outage.local.delete_many(
                [k for k in keys if self._is_local(k)], version
            ),
            keys,
            version,
        )

    def clear(self):
        def local():
            with self.outage.lock:
                self.outage.clear_on_return = True
            self.outage.local.clear()
            return False

        return self._guard(lambda: super(RedisAccelerator, self).clear(), local)
