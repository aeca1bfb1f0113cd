"""A worker restarted under thousands of pages: past a number of handshakes in progress
(``LIVE_HANDSHAKES_IN_PROGRESS``), a page is told at once to come back later (close code
1013) instead of joining a queue in which no handshake finishes; those admitted finish,
and the next page is admitted as soon as one has. Through the real ASGI application."""

import asyncio

import pytest
from django.conf import settings

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
