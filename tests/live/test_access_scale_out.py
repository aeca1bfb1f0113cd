"""Two worker processes sharing Redis: signing out through one closes, within 2
seconds, the pages and the bell the same session holds open on the other."""

import asyncio
import os
import time

import pytest
import websockets
from asgiref.sync import sync_to_async
from django.urls import reverse
from django.utils.crypto import get_random_string

from conversations.live import access
from tests.live.helpers import Person, receive_until, run
from tests.servers import session_cookie_for

pytestmark = [
    pytest.mark.live,
    pytest.mark.django_db(transaction=True),
    pytest.mark.timeout(60),
    pytest.mark.skipif(
        not os.environ.get("REDIS_URL"),
        reason="scale-out needs the Redis channel layer (REDIS_URL); CI runs it there",
    ),
]


async def close_code(ws, timeout: float) -> int:
    async with asyncio.timeout(timeout):
        try:
            while True:
                await ws.recv()
        except websockets.ConnectionClosed as closed:
            return closed.rcvd.code if closed.rcvd else 1006


def test_signing_out_on_one_worker_closes_the_sessions_sockets_on_the_other(
    asgi_server, second_asgi_server, make_staff, make_campaign
):
    campaign = make_campaign("open")
    on_a = Person(asgi_server, session_cookie_for(make_staff()))
    on_b = Person(second_asgi_server, on_a.session_key)  # the same browser session
    # The browser's CSRF cookie, as a page it loaded would have set it.
    on_a.http.cookies.set("csrftoken", get_random_string(32))

    async def scenario():
        bell = websockets.connect(
            f"{second_asgi_server.ws_url}/ws/me/",
            additional_headers={
                "Cookie": f"sessionid={on_a.session_key}",
                "Origin": second_asgi_server.url,
            },
        )
        async with on_b.socket(campaign) as page, bell as bell_socket:
            await receive_until(page, lambda f: f["type"] == "hello")
            await receive_until(bell_socket, lambda f: f["type"] == "unread")
            await asyncio.sleep(0.3)  # both joined their groups on worker B

            started = time.monotonic()
            response = await sync_to_async(on_a.post)(reverse("account_logout"), {})
            assert response.status_code in (200, 302), response.status_code
            codes = await asyncio.gather(
                close_code(page, timeout=2.5), close_code(bell_socket, timeout=2.5)
            )
            took = time.monotonic() - started

        print(f"signed out on A: sockets on B closed {took:.2f} s after the request")
        assert codes == [access.CLOSE_SIGNED_OUT, access.CLOSE_SIGNED_OUT]
        assert took < 2.0, took
        # Reconnecting is refused: the session is gone.
        async with on_b.socket(campaign) as again:
            assert await close_code(again, timeout=3) == access.CLOSE_FORBIDDEN

    try:
        run(scenario())
    finally:
        on_a.close()
        on_b.close()
