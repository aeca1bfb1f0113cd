"""Baseline server for the live benchmarks: raw ASGI, no Django, no Channels.

    .venv/bin/python -m uvicorn bench.bare_asgi:app --ws-per-message-deflate false

- a websocket on any path is accepted and kept in a set until it disconnects;
- ``POST /publish`` sends the request body, as text, to every socket, concurrently
  (one ``asyncio.gather`` over the sends, as the app's per-socket writer tasks are
  concurrent), and answers 202 at once;
- ``GET /stats`` answers the number of open sockets.

Nothing else: the floor any websocket fan-out on uvicorn can reach.
"""

import asyncio

sockets: set = set()
_tasks: set = set()


async def _fan_out(text: str) -> None:
    async def one(send):
        try:
            await send({"type": "websocket.send", "text": text})
        except Exception:  # noqa: BLE001 - a socket closing mid-send is not our business
            sockets.discard(send)

    await asyncio.gather(*(one(send) for send in list(sockets)))


async def _websocket(scope, receive, send) -> None:
    message = await receive()
    if message["type"] != "websocket.connect":
        return
    await send({"type": "websocket.accept"})
    sockets.add(send)
    try:
        while True:
            message = await receive()
            if message["type"] == "websocket.disconnect":
                break
    finally:
        sockets.discard(send)


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


async def app(scope, receive, send) -> None:
    if scope["type"] == "websocket":
        await _websocket(scope, receive, send)
    elif scope["type"] == "http":
        body = await _read_body(receive)
        if scope["method"] == "POST" and scope["path"] == "/publish":
            task = asyncio.get_running_loop().create_task(_fan_out(body.decode()))
            _tasks.add(task)
            task.add_done_callback(_tasks.discard)
            await _respond(send, 202)
        elif scope["path"] == "/stats":
            await _respond(send, 200, str(len(sockets)).encode())
        else:
            await _respond(send, 404)
    elif scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return


application = app
