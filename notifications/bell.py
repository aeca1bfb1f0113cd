"""The bell's process-wide receiver: one channel-layer channel per worker process
(per event loop), not one per socket.

Every signed-in page keeps a bell socket open, so sockets come and go with every page
view. Giving each its own layer channel would put a short-lived reader on the layer's
shared receive loop for each of them (and cancel it at every page change), next to the
live hub's reader (conversations/live/hub.py). Instead this hub joins the group of each
person with a bell open in this process, and hands each count to their local sockets.
"""

import asyncio
import logging
from collections import defaultdict

from channels.layers import get_channel_layer

from config.per_loop import PerLoop
from notifications.live import MESSAGE_TYPE

logger = logging.getLogger(__name__)

# channels_redis forgets group members after a day; re-join well before that.
REJOIN_EVERY = 3600.0


class BellHub:
    def __init__(self) -> None:
        self.layer = get_channel_layer()
        self.channel: str | None = None
        self.sockets: dict[str, set] = defaultdict(set)  # group -> local consumers
        self._tasks: set[asyncio.Task] = set()

    async def start(self) -> None:
        self.channel = await self.layer.new_channel("bell.")
        for coroutine in (self._receive_forever(), self._rejoin_forever()):
            task = asyncio.get_running_loop().create_task(coroutine)
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def subscribe(self, consumer, group: str) -> None:
        if not self.sockets[group]:
            await self.layer.group_add(group, self.channel)
        self.sockets[group].add(consumer)

    async def unsubscribe(self, consumer, group: str) -> None:
        members = self.sockets.get(group)
        if members is None:
            return
        members.discard(consumer)
        if not members:
            self.sockets.pop(group, None)
            await self.layer.group_discard(group, self.channel)

    async def _receive_forever(self) -> None:
        while True:
            try:
                message = await self.layer.receive(self.channel)
            except asyncio.CancelledError:
                raise
            except Exception as error:  # noqa: BLE001 - keep serving; retry after a pause
                if asyncio.current_task().cancelling():
                    raise asyncio.CancelledError from error
                logger.warning(
                    "The bell could not read from the channel layer: %r", error
                )
                await asyncio.sleep(1.0)
                continue
            if message.get("type") != MESSAGE_TYPE:
                continue
            for consumer in list(self.sockets.get(message.get("group"), ())):
                try:
                    await consumer.send_count(message["count"])
                except Exception:  # noqa: BLE001 - one closed socket must not stop others
                    logger.debug("A bell socket went away mid-send", exc_info=True)

    async def _rejoin_forever(self) -> None:
        while True:
            await asyncio.sleep(REJOIN_EVERY)
            for group, members in list(self.sockets.items()):
                if members:
                    await self.layer.group_add(group, self.channel)

    async def stop(self) -> None:
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks, timeout=2)


async def _started() -> BellHub:
    hub = BellHub()
    await hub.start()
    return hub


_hubs = PerLoop(_started)


async def get_bell_hub() -> BellHub:
    """The bell hub of the running event loop, started on first use."""
    return await _hubs.get()


async def stop_bell_hub() -> None:
    """Stop this loop's hub (tests, before their loop closes)."""
    hub = _hubs.forget()
    if hub is not None:
        await hub.stop()
