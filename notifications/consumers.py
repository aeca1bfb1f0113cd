"""The bell's socket: one per signed-in page. It only listens (marking read and all
else goes over HTTP); counts reach it through this worker's bell hub. It closes for
good when the person's access ends (signed out, account switched off:
``conversations.live.access``)."""

import json
import logging

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer

from conversations.live import access
from notifications import live, services
from notifications.bell import get_bell_hub

logger = logging.getLogger(__name__)

CLOSE_FORBIDDEN = access.CLOSE_FORBIDDEN
CLOSE_SIGNED_OUT = access.CLOSE_SIGNED_OUT


class NotificationConsumer(AsyncWebsocketConsumer):
    # No layer channel of its own: the worker's one reader of the layer
    # (conversations.live.receiver) hands this socket its counts.
    channel_layer_alias = None
    campaign_id = None  # watches no campaign, only the person's access

    async def connect(self) -> None:
        self.group = None
        self.closing = False
        user = self.scope["user"]  # found by Channels' AuthMiddlewareStack
        if not user.is_authenticated:
            # Accept, then close with our code, so the page stops trying.
            await self.accept()
            await self.close(code=CLOSE_FORBIDDEN)
            return
        self.user_id = user.pk
        session = self.scope.get("session")
        self.session_key = getattr(session, "session_key", None)
        self.group = live.user_group(user.pk)
        self.hub = await get_bell_hub()
        await self.accept()
        await self.hub.subscribe(self, self.group)
        await access.watch(self)
        # Counted once subscribed, so a change in between is not missed.
        await self.send_count(await _unread_count(user.pk))

    async def disconnect(self, code: int) -> None:
        self.closing = True
        await self._leave()

    async def _leave(self) -> None:
        if self.group is not None:
            group, self.group = self.group, None
            await self.hub.unsubscribe(self, group)
            await access.unwatch(self)

    async def end(self, code: int) -> None:
        """Access ended: stop counting and close for good."""
        if self.closing:
            return
        self.closing = True
        await self._leave()
        await self.close(code=code)

    async def receive(self, text_data=None, bytes_data=None) -> None:
        """Clients have nothing to say here: anything sent is ignored, and logged
        once per socket (a chatty client cannot fill the log)."""
        if not getattr(self, "refused", False):
            self.refused = True
            size = len(text_data or "") if bytes_data is None else len(bytes_data)
            logger.warning(
                "Bell socket message refused (%d bytes): nothing is read", size
            )

    async def send_count(self, count: int) -> None:
        if not self.closing:
            await self.send(text_data=json.dumps({"type": "unread", "count": count}))


@database_sync_to_async
def _unread_count(user_id: int) -> int:
    return services.unread_count(user_id)
