"""A limit on websocket handshakes in progress in one worker.

A handshake costs the worker a few milliseconds of database and cache work (the session
and person in Channels' AuthMiddlewareStack, then the access check: about 4 ms of CPU
with the cache warm, as after a restart), done on the process's one
``database_sync_to_async`` thread. When thousands of pages come back at once (their
worker restarted), every handshake in progress moves forward together, none finishes
before its page gives up, and the worker keeps working for pages that left: measured,
5,000 pages were never taken back (bench/README.md, ``reconnect_stampede.py``).

So past ``LIVE_HANDSHAKES_IN_PROGRESS`` handshakes, a page is told at once, before any
session or database work, to come back a little later (close code 1013, "try again
later", after accepting: a refused handshake looks to the page like a network
failure). Those admitted finish, and the rest follow as they do.

Outermost in ``config.asgi``, around Channels' own stack, which it does not change.
"""

import logging

from django.conf import settings

logger = logging.getLogger(__name__)

CLOSE_TRY_LATER = 1013  # RFC 6455's "Try Again Later"


class HandshakeLimit:
    def __init__(self, app, limit: int | None = None):
        self.app = app
        self.limit = limit
        self.in_progress = 0
        self.refused = 0  # pages told to come back later since the worker started

    async def __call__(self, scope, receive, send):
        if scope["type"] != "websocket":
            return await self.app(scope, receive, send)
        limit = self.limit or settings.LIVE_HANDSHAKES_IN_PROGRESS
        if self.in_progress >= limit:
            return await self._try_later(receive, send, limit)
        self.in_progress += 1
        pending = True

        async def send_and_count(message):
            nonlocal pending
            if pending and message["type"] in (
                "websocket.accept",
                "websocket.close",
                "websocket.http.response.start",
            ):
                pending = False
                self.in_progress -= 1
            await send(message)

        try:
            await self.app(scope, receive, send_and_count)
        finally:
            if pending:
                self.in_progress -= 1

    async def _try_later(self, receive, send, limit: int) -> None:
        message = await receive()
        if message["type"] != "websocket.connect":
            return
        self.refused += 1
        if self.refused == 1 or self.refused % 1000 == 0:
            logger.warning(
                "Websocket handshakes over the limit (%s in progress): %s pages told "
                "to come back later",
                limit,
                self.refused,
            )
        await send({"type": "websocket.accept"})
        await send({"type": "websocket.close", "code": CLOSE_TRY_LATER})
