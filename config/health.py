"""Liveness and readiness, for load balancers, orchestrators and Compose health checks.

``/healthz`` (liveness) answers while the process can serve at all: it touches nothing
else, so a database outage never gets healthy processes restarted. ``/readyz``
(readiness) answers 200 only when PostgreSQL answers ``SELECT 1``, Redis (when
configured) answers ``PING``, and no background task has waited to run for longer than
``HEALTH_TASK_QUEUE_MAX_AGE`` seconds (no task worker is keeping up); otherwise 503.

Both are answered by a middleware placed first, before host validation, the HTTPS
redirect, sessions and sign-in: a probe comes from inside the platform, names the
container's address as its host and speaks plain HTTP. The answer is the status and one
true/false per check, nothing else: no versions, hosts or error messages.
"""

from collections.abc import Callable
from datetime import timedelta

import redis
from asgiref.sync import iscoroutinefunction, markcoroutinefunction, sync_to_async
from django.conf import settings
from django.db import DatabaseError, connection
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max

LIVENESS_PATH = "/healthz"
READINESS_PATH = "/readyz"


def database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except DatabaseError:
        # A broken connection is dropped here, so the next probe (or request) opens
        # a fresh one instead of failing on the dead one.
        connection.close_if_unusable_or_obsolete()
        return False


def _redis_urls() -> list[str]:
    """The channel layer's Redis and the cache's, when they are Redis."""
    urls = [settings.REDIS_URL] if getattr(settings, "REDIS_URL", "") else []
    cache = settings.CACHES.get("default", {})
    location = cache.get("LOCATION")
    if "redis" in cache.get("BACKEND", "").lower() and isinstance(location, str):
        urls.append(location)
    return list(dict.fromkeys(urls))


def redis_ok() -> bool:
    timeout = getattr(settings, "HEALTH_REDIS_TIMEOUT", 2)
    for url in _redis_urls():
        client = redis.Redis.from_url(
            url, socket_connect_timeout=timeout, socket_timeout=timeout
        )
        try:
            if not client.ping():
                return False
        except redis.RedisError:
            return False
        finally:
            client.close()
    return True


def task_queue_ok(now=None) -> bool:
    """No task ready to run has waited longer than the threshold. Tasks retrying
    later (an email with back-off) wait from their ``run_after``, not from when they
    were first queued; running tasks are not counted (a long synthesis is fine)."""
    backend = settings.TASKS.get("default", {}).get("BACKEND", "")
    if not backend.startswith("django_tasks_db."):
        return True  # no queue of our own to fall behind (immediate backend)
    cutoff = (now or timezone.now()) - timedelta(
        seconds=getattr(settings, "HEALTH_TASK_QUEUE_MAX_AGE", 900)
    )
    try:
        return not DBTaskResult.objects.filter(
            Q(run_after=get_date_max(), enqueued_at__lt=cutoff)
            | Q(run_after__lt=cutoff),
            status=TaskResultStatus.READY,
        ).exists()
    except DatabaseError:
        connection.close_if_unusable_or_obsolete()
        return False


def readiness_checks() -> dict[str, bool]:
    checks = {"database": database_ok()}
    if _redis_urls():
        checks["redis"] = redis_ok()
    # The queue lives in the database: unknown, so not ready, when that is down.
    checks["tasks"] = checks["database"] and task_queue_ok()
    return checks


def _answer(ok: bool, checks: dict[str, bool] | None = None) -> JsonResponse:
    body = {"status": "ok" if ok else "unavailable"}
    if checks is not None:
        body["checks"] = checks
    response = JsonResponse(body, status=200 if ok else 503)
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def liveness(request: HttpRequest) -> JsonResponse:
    return _answer(True)


def readiness(request: HttpRequest) -> JsonResponse:
    checks = readiness_checks()
    return _answer(all(checks.values()), checks)


PROBES = {LIVENESS_PATH: liveness, READINESS_PATH: readiness}


def _probe_for(request: HttpRequest) -> Callable[[HttpRequest], JsonResponse] | None:
    if request.method not in ("GET", "HEAD"):
        return None
    return PROBES.get(request.path_info.rstrip("/") or "/")


class HealthCheckMiddleware:
    """Answers the two probe paths (GET or HEAD) before any other middleware runs.
    Async-capable, so under ASGI (`make run`, the socket workers) every other request
    passes straight through without a hop to a thread."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable):
        self.get_response = get_response
        if iscoroutinefunction(get_response):
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest):
        if iscoroutinefunction(self):
            return self.__acall__(request)
        probe = _probe_for(request)
        if probe is not None:
            return probe(request)
        return self.get_response(request)

    async def __acall__(self, request: HttpRequest) -> HttpResponse:
        probe = _probe_for(request)
        if probe is not None:
            # The checks use Django's database connection: in a thread, as views do.
            return await sync_to_async(probe)(request)
        return await self.get_response(request)
