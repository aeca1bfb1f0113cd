"""The rate limit with the cache's Redis down: the API still answers, and a token over
its limit still gets 429 (the counters stay in the process: config/cache.py)."""

import socket

import pytest
from django.core.cache import caches

pytestmark = pytest.mark.django_db

URL = "/api/v1/campaigns/"


def _closed_port() -> int:
    with socket.socket() as sock:  # bound and closed: nothing listens there
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def redis_down(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "config.cache.RedisAccelerator",
            "LOCATION": f"redis://127.0.0.1:{_closed_port()}/1",
            "OPTIONS": {
                "socket_connect_timeout": 1,
                "socket_timeout": 1,
                "RETRY_SECONDS": 60,
                "LOCAL_WHEN_DOWN": ["rate:", "allauth:rl:"],
            },
        }
    }
    assert caches["default"].get("anything") is None  # the outage is noticed
    yield


def test_a_token_is_still_limited_while_redis_is_down(
    redis_down, settings, open_campaign, api
):
    settings.API_RATE_LIMIT = "3/minute"
    assert [api.get(URL).status_code for _ in range(4)] == [200, 200, 200, 429]
