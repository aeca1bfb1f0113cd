"""Misbehaving websocket clients against a running server (issue 16 item 5): an unknown
path is refused at the handshake (403, never a 500), and a client that stops reading
is dropped by the platform's own limit within 10 s, its connection with it, while the
others keep up."""

import asyncio
import base64
import json
import os
import socket
import struct
import time

import pytest
import websockets
from asgiref.sync import sync_to_async

from conversations.models import Campaign, CampaignEvent
from tests.live.helpers import Person, receive_until, run
from tests.servers import session_cookie_for

pytestmark = [
    pytest.mark.live,
    pytest.mark.django_db(transaction=True),
    pytest.mark.timeout(90),
]


def test_an_unknown_websocket_path_is_refused_at_the_handshake(asgi_server):
    async def scenario():
        for path in ("/ws/nothing-here/", "/ws/campaigns/not-a-number/", "/"):
            with pytest.raises(websockets.InvalidStatus) as refused:
                async with websockets.connect(
                    f"{asgi_server.ws_url}{path}",
                    additional_headers={"Origin": asgi_server.url},
                ):
                    pass
            assert refused.value.response.status_code == 403, path

    run(scenario())
    assert asgi_server.process.poll() is None  # still serving


def _frame(text: str) -> bytes:
    """A masked client text frame (RFC 6455)."""
    data = text.encode()
    mask = os.urandom(4)
    head = bytes([0x81])
    if len(data) < 126:
        head += bytes([0x80 | len(data)])
    else:
        head += bytes([0x80 | 126]) + struct.pack("!H", len(data))
    return head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data))


TCP_ESTABLISHED = 1  # the first byte of Linux's struct tcp_info


def _tcp_state(raw: socket.socket) -> int:
    """The connection's state as this end's kernel has it, read without reading data."""
    return raw.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 1)[0]


def _stalled_client(server, session_key: str, campaign_id: int) -> socket.socket:
    """A websocket that completes the handshake and then never reads."""
    raw = socket.socket()
    raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    raw.connect(("127.0.0.1", server.port))
    key = base64.b64encode(os.urandom(16)).decode()
    raw.sendall(
        (
            f"GET /ws/campaigns/{campaign_id}/ HTTP/1.1\r\n"
            f"Host: 127.0.0.1:{server.port}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
            f"Sec-WebSocket-Version: 13\r\nOrigin: {server.url}\r\n"
            f"Cookie: sessionid={session_key}\r\n\r\n"
        ).encode()
    )
    answer = b""
    while b"\r\n\r\n" not in answer:
        answer += raw.recv(1)  # the handshake's answer only, byte by byte
    assert answer.startswith(b"HTTP/1.1 101"), answer
    return raw


def test_a_client_that_stops_reading_is_dropped_without_slowing_the_others(
    asgi_server, make_staff, make_campaign
):
    campaign = make_campaign("open")
    theme = campaign.themes.first()
    # A busy campaign: 150 numbered events of about 10 kB each to catch up on.
    html = "<p>" + "A long idea about rotas. " * 400 + "</p>"
    CampaignEvent.objects.bulk_create(
        CampaignEvent(
            campaign=campaign,
            seq=n,
            type="idea.status",
            payload={"type": "idea.status", "seq": n, "idea_id": 0, "html": html},
        )
        for n in range(1, 151)
    )
    Campaign.objects.filter(pk=campaign.pk).update(last_event_seq=150)
    reader = Person(asgi_server, session_cookie_for(make_staff()))
    stalled_key = session_cookie_for(make_staff())
    poster = Person(asgi_server, session_cookie_for(make_staff()))

    async def scenario():
        async with reader.socket(campaign) as ws:
            await receive_until(ws, lambda f: f["type"] == "hello")
            stalled = await sync_to_async(_stalled_client)(
                asgi_server, stalled_key, campaign.pk
            )
            try:
                await receive_until(
                    ws, lambda f: f["type"] == "viewers" and f["count"] == 2
                )
                flooded_at = time.monotonic()
                for _ in range(4):  # about 6 MB it will never read
                    stalled.sendall(
                        _frame(json.dumps({"type": "catch_up", "after": 0}))
                    )

                # Someone else's news still arrives at once.
                response = await sync_to_async(poster.post)(
                    f"/campaigns/{campaign.slug}/ideas/new/",
                    {"theme": theme.pk, "title": "While it stalls", "body": "Hello."},
                )
                assert response.status_code == 302
                posted_at = time.monotonic()  # committed and answered
                await receive_until(ws, lambda f: f["type"] == "idea.posted", timeout=2)
                news_took = time.monotonic() - posted_at

                # The stalled client is dropped: the count goes back to 1.
                await receive_until(
                    ws,
                    lambda f: f["type"] == "viewers" and f["count"] == 1,
                    timeout=10,
                )
                dropped_after = time.monotonic() - flooded_at
                # And its connection is cut, though it reads nothing (not even the
                # close): nothing of it is kept on the server.
                while _tcp_state(stalled) == TCP_ESTABLISHED:
                    assert time.monotonic() - flooded_at < 10, "still connected"
                    await asyncio.sleep(0.1)
                cut_after = time.monotonic() - flooded_at
            finally:
                stalled.close()
        print(
            f"news {news_took:.2f} s; stalled client dropped after "
            f"{dropped_after:.1f} s, its connection cut after {cut_after:.1f} s"
        )
        assert news_took < 1.0, news_took

    try:
        run(scenario())
    finally:
        reader.close()
        poster.close()
