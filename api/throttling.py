"""A rate limit per token (``API_RATE_LIMIT``, e.g. "600/hour") with DRF's throttle.

Its counters are cache keys starting ``rate:``, which the Redis cache backend keeps in
the process while Redis is down (``LOCAL_WHEN_DOWN``, config/cache.py), so the limit
still limits then and nothing fails."""

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle


class TokenRateThrottle(SimpleRateThrottle):
    scope = "api"
    cache_format = "rate:api:%(scope)s:%(ident)s"

    def get_rate(self) -> str:
        return settings.API_RATE_LIMIT

    def get_cache_key(self, request, view):
        if request.auth is None:
            return None  # refused by authentication first
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}
