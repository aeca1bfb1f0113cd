"""The real ASGI application with one extra, bench-only HTTP endpoint.

    .venv/bin/python -m uvicorn bench.live_app:application --ws-per-message-deflate false

``POST /__bench/publish?campaign=<id>`` with a JSON body sends that body as the
payload of a campaign event through the channel layer, exactly as
``conversations.live.events.broadcast`` does on commit (same message, same group), and
answers 202 once the layer has taken it. Everything else goes to
``config.asgi.application`` untouched. Never deploy this.
"""

import json
from urllib.parse import parse_qs

from channels.layers import get_channel_layer  # noqa: E402

from config.asgi import application as real_application  # noqa: E402 (sets up Django)
from conversations.live.events import LAYER_MESSAGE_TYPE, campaign_group  # noqa: E402

PUBLISH_PATH = "/__bench/publish"


async def _read_body(receive) -> bytes:
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            return body


async def _respond(send, status: int, body: bytes = b"") -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/plain"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def _publish(scope, receive, send) -> None:
    query = parse_qs(scope.get("query_string", b"").decode())
    campaign_id = int(query["campaign"][0])
    payload = json.loads(await _read_body(receive))
    group = campaign_group(campaign_id)
    await get_channel_layer().group_send(
        group,
        {
            "type": LAYER_MESSAGE_TYPE,
            "campaign_id": campaign_id,
            "group": group,
            "payload": payload,
        },
    )
    await _respond(send, 202)


async def application(scope, receive, send) -> None:
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    if (
        scope["type"] == "http"
        and scope["path"] == PUBLISH_PATH
        and scope["method"] == "POST"
    ):
        await _publish(scope, receive, send)
        return
    await real_application(scope, receive, send)
