"""The bell's socket: one per signed-in page, in the person's own group. It only
listens; marking read and everything else goes over HTTP."""

import json

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer

from notifications import live, services

CLOSE_FORBIDDEN = 4403


class NotificationConsumer(AsyncWebsocketConsumer):
    async def connect(self) -> None:
        user = self.scope.get("user")
        self.group = None
        if user is None or not user.is_authenticated:
            # Accept, then close with our code, so the page stops trying.
            await self.accept()
            await self.close(code=CLOSE_FORBIDDEN)
            return
        self.group = live.user_group(user.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        count = await database_sync_to_async(services.unread_count)(user)
        await self.send(text_data=json.dumps({"type": "unread", "count": count}))

    async def disconnect(self, code: int) -> None:
        if self.group is not None:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive(self, text_data=None, bytes_data=None) -> None:
        """Clients have nothing to say here."""

    async def bell_count(self, event: dict) -> None:
        await self.send(
            text_data=json.dumps({"type": "unread", "count": event["count"]})
        )
