"""Deployment checks for what keeps people safe, run by ``manage.py check --deploy``."""

from django.conf import settings
from django.core import checks

_PROCESS_LOCAL_CACHES = (
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
)


@checks.register(checks.Tags.security, deploy=True)
def check_shared_cache(app_configs, **kwargs) -> list:
    """Rate limits (sign-in, sign-up, posting, voting) count in the cache; a cache
    inside each worker process lets a script spread its attempts across workers and
    forgets them on every restart."""
    backend = settings.CACHES["default"]["BACKEND"]
    if backend in _PROCESS_LOCAL_CACHES:
        return [
            checks.Warning(
                "Rate limits are kept in a per-process cache.",
                hint="Set REDIS_URL so every worker counts sign-in attempts and "
                "posts in one shared cache.",
                id="accounts.W001",
            )
        ]
    return []
