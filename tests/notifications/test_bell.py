"""The bell's socket (/ws/me/): a signed-in page hears its unread count change as it
happens; nobody hears anyone else's; and a channel layer that is down never stops a
notification."""

import asyncio
import json

import pytest
import pytest_asyncio
from asgiref.testing import ApplicationCommunicator
from channels.db import database_sync_to_async
from channels.layers import DEFAULT_CHANNEL_LAYER, channel_layers
from django.conf import settings
from django.db import connections
from django.test import Client

from config.asgi import application
from notifications import services as notifications
from notifications.bell import stop_bell_hub

pytestmark = [
    pytest.mark.asyncio,
    pytest.mark.django_db(transaction=True),
    pytest.mark.timeout(30),
]

db = database_sync_to_async
ORIGIN = (b"origin", b"http://testserver")


def session_cookie(user) -> bytes:
    client = Client()
    client.force_login(user)
    name = settings.SESSION_COOKIE_NAME
    return f"{name}={client.cookies[name].value}".encode()


class Bell(ApplicationCommunicator):
    def __init__(self, headers):
        super().__init__(
            application,
            {
                "type": "websocket",
                "path": "/ws/me/",
                "query_string": b"",
                "headers": headers,
                "subprotocols": [],
            },
        )

    async def open(self) -> dict:
        """Connect; the first thing after the handshake (a count, or a close)."""
        await self.send_input({"type": "websocket.connect"})
        response = await self.receive_output(timeout=3)
        assert response["type"] == "websocket.accept", response
        return await self.receive_output(timeout=3)

    async def count(self) -> int:
        response = await self.receive_output(timeout=3)
        assert response["type"] == "websocket.send", response
        frame = json.loads(response["text"])
        assert frame["type"] == "unread"
        return frame["count"]

    async def hang_up(self) -> None:
        await self.send_input({"type": "websocket.disconnect", "code": 1000})
        await self.wait(timeout=2)


@pytest_asyncio.fixture
async def fresh_layer():
    """A fresh layer per test, its Redis pools (if any) closed on this test's loop."""
    channel_layers.backends.clear()
    yield
    await stop_bell_hub()
    layer = channel_layers.backends.get(DEFAULT_CHANNEL_LAYER)
    if hasattr(layer, "close_pools"):
        async with asyncio.timeout(5):
            await layer.close_pools()
    channel_layers.backends.clear()
    await db(connections.close_all)()


async def bell_for(user) -> tuple[Bell, int]:
    bell = Bell([ORIGIN, (b"cookie", await db(session_cookie)(user))])
    first = await bell.open()
    assert first["type"] == "websocket.send", first
    return bell, json.loads(first["text"])["count"]


async def test_the_bell_hears_each_new_notification_and_reading_them(
    fresh_layer, make_staff
):
    person = await db(make_staff)()
    await db(notifications.notify)(person, "reply", "Old news", "")
    bell, count = await bell_for(person)
    assert count == 1

    await db(notifications.notify)(person, "reply", "Someone replied", "/x/")
    assert await bell.count() == 2
    await db(notifications.mark_all_read)(person)
    assert await bell.count() == 0
    await bell.hang_up()


async def test_nobody_hears_someone_elses_count(fresh_layer, make_staff):
    person, other = await db(make_staff)(), await db(make_staff)()
    bell, count = await bell_for(person)
    assert count == 0
    await db(notifications.notify)(other, "reply", "For someone else", "")
    assert await bell.receive_nothing(timeout=0.5)
    await bell.hang_up()


async def test_a_signed_out_socket_is_closed(fresh_layer):
    bell = Bell([ORIGIN])
    response = await bell.open()
    assert response == {"type": "websocket.close", "code": 4403}


async def test_a_socket_from_another_site_is_refused(fresh_layer, make_staff):
    person = await db(make_staff)()
    bell = Bell(
        [
            (b"origin", b"http://evil.example"),
            (b"cookie", await db(session_cookie)(person)),
        ]
    )
    await bell.send_input({"type": "websocket.connect"})
    response = await bell.receive_output(timeout=3)
    assert response["type"] == "websocket.close"


async def test_every_open_tab_hears_and_closing_one_leaves_the_others(
    fresh_layer, make_staff
):
    person = await db(make_staff)()
    first, _ = await bell_for(person)
    second, _ = await bell_for(person)
    await db(notifications.notify)(person, "reply", "One", "")
    assert await first.count() == 1 and await second.count() == 1
    await first.hang_up()
    await db(notifications.notify)(person, "reply", "Two", "")
    assert await second.count() == 2
    await second.hang_up()
