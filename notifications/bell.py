"""The bell's share of the worker's one reader of the channel layer
(:mod:`conversations.live.receiver`): counts sent to a person's group reach their
local bell sockets.

Every signed-in page keeps a bell socket open, so sockets come and go with every page
view; none of them reads the layer itself. The receiver joins the group of each person
with a bell open in this process, and this module hands each count to their sockets.
"""

import logging

from config.per_loop import PerLoop
from conversations.live.receiver import get_receiver, stop_receiver
from notifications.live import MESSAGE_TYPE

logger = logging.getLogger(__name__)


class BellHub:
    def __init__(self) -> None:
        self.receiver = None

    async def start(self) -> None:
        self.receiver = await get_receiver()
        self.receiver.handle(MESSAGE_TYPE, self._deliver)

    async def subscribe(self, consumer, group: str) -> None:
        await self.receiver.join(group, consumer)

    async def unsubscribe(self, consumer, group: str) -> None:
        await self.receiver.leave(group, consumer)

    async def _deliver(self, message: dict) -> None:
        for consumer in self.receiver.sockets(message.get("group")):
            try:
                await consumer.send_count(message["count"])
            except Exception:  # noqa: BLE001 - one closed socket must not stop others
                logger.debug("A bell socket went away mid-send", exc_info=True)


async def _started() -> BellHub:
    hub = BellHub()
    await hub.start()
    return hub


_hubs = PerLoop(_started)


async def get_bell_hub() -> BellHub:
    """The bell hub of the running event loop, started on first use."""
    return await _hubs.get()


async def stop_bell_hub() -> None:
    """Stop this loop's bell and the receiver behind it (tests, before their loop
    closes)."""
    _hubs.forget()
    await stop_receiver()
