"""A worker restarted under thousands of pages: past a number of handshakes in progress
(``LIVE_HANDSHAKES_IN_PROGRESS``), a page is told at once to come back later (close code
1013) instead of joining a queue in which no handshake finishes; those admitted finish,
and the next page is admitted as soon as one has. Through the real ASGI application."""

import asyncio

import pytest
from django.conf import settings
from redis import Redis

from conversations.live.admission import CLOSE_TRY_LATER
from tests.live.test_access_ends import browser  # noqa: F401 (a fixture)
from tests.live.test_consumer import ORIGIN, Socket, db

pytestmark = [
    pytest.mark.asyncio,
    pytest.mark.django_db(transaction=True),
    pytest.mark.timeout(60),
]


async def test_past_the_limit_a_page_is_told_to_come_back_later_then_admitted(
    browser,  # noqa: F811
    make_staff,
    make_campaign,
):
    settings.LIVE_HANDSHAKES_IN_PROGRESS = 2
    try:
        campaign = await db(make_campaign)("open")
        session = await browser(await db(make_staff)())
        path = f"/ws/campaigns/{campaign.pk}/"
        headers = [(b"origin", ORIGIN), (b"cookie", session.cookie)]
        # Two pages whose connections are open and whose handshakes have not finished.
        slow = [Socket(path, headers), Socket(path, headers)]
        session.opened.extend(slow)
        for socket in slow:
            socket.future  # the server has started on it  # noqa: B018
        await asyncio.sleep(0.1)

        told = await session.socket(path)

        assert not told.admitted and told.close_code == CLOSE_TRY_LATER
        await slow[0].hang_up()  # one of them goes: room for one more
        page = await session.campaign(campaign)
        assert page.admitted
    finally:
        settings.LIVE_HANDSHAKES_IN_PROGRESS = 32


async def test_pages_coming_back_together_do_not_open_a_redis_connection_each(
    browser,  # noqa: F811
    make_staff,
    make_campaign,
):
    """Each handshake reads the session and the person from the shared cache. A worker
    taking back a thousand pages must reuse its connections to Redis, not open (and
    leave behind) one for each page: Redis has a limit on its clients, and every page
    of every worker would lose its cache when it is reached."""
    if not settings.REDIS_URL:
        pytest.skip("the cache is Redis only in the PostgreSQL + Redis run")
    campaign = await db(make_campaign)("open")
    session = await browser(await db(make_staff)())
    await session.campaign(campaign)  # the worker's first page may open what it needs
    redis = Redis.from_url(settings.CACHES["default"]["LOCATION"])
    before = redis.info("stats")["total_connections_received"]

    pages = [await session.campaign(campaign) for _ in range(30)]

    assert all(page.admitted for page in pages)
    opened = redis.info("stats")["total_connections_received"] - before
    assert opened < 10, f"{opened} Redis connections opened for 30 pages"
    redis.close()
