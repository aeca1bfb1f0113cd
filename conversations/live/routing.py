import logging

from channels.generic.websocket import AsyncWebsocketConsumer
from django.urls import path, re_path

from conversations.live.consumers import CampaignConsumer

logger = logging.getLogger(__name__)


class NoSuchSocket(AsyncWebsocketConsumer):
    """Any other websocket path: refused at the handshake (the server answers 403),
    never an error from the router."""

    channel_layer_alias = None  # no layer channel for a socket that never opens

    async def connect(self) -> None:
        logger.info("Websocket refused: no such path %r", self.scope.get("path"))
        await self.close()  # before accepting: a refused handshake


websocket_urlpatterns = [
    path("ws/campaigns/<int:campaign_id>/", CampaignConsumer.as_asgi()),
]

# Routed last (config/asgi.py), after every app's sockets.
unknown_websocket_paths = [re_path(r"", NoSuchSocket.as_asgi())]
