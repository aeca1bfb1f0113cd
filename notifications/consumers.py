"""The bell's socket: one per signed-in page. It only listens (marking read and all
else goes over HTTP); counts reach it through this process's bell hub."""

import json

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer

from notifications import live, services
from notifications.bell import get_bell_hub

CLOSE_FORBIDDEN = 4403


class NotificationConsumer(AsyncWebsocketConsumer):
    # The process's bell hub holds the only layer channel that hears counts; this
    # consumer joins no layer groups of its own.

    async def connect(self) -> None:
        self.group = None
        user = self.scope["user"]  # found by Channels' AuthMiddlewareStack
        if not user.is_authenticated:
            # Accept, then close with our code, so the page stops trying.
            await self.accept()
            await self.close(code=CLOSE_FORBIDDEN)
            return
        self.group = live.user_group(user.pk)
        self.hub = await get_bell_hub()
        await self.accept()
        await self.hub.subscribe(self, self.group)
        # Counted once subscribed, so a change in between is not missed.
        await self.send_count(await _unread_count(user.pk))

    async def disconnect(self, code: int) -> None:
        if self.group is not None:
            group, self.group = self.group, None
            await self.hub.unsubscribe(self, group)

    async def receive(self, text_data=None, bytes_data=None) -> None:
        """Clients have nothing to say here."""

    async def send_count(self, count: int) -> None:
        await self.send(text_data=json.dumps({"type": "unread", "count": count}))


@database_sync_to_async
def _unread_count(user_id: int) -> int:
    return services.unread_count(user_id)
