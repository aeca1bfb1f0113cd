"""The one reader of the channel layer in a worker process (one per event loop).

Every socket a worker holds (campaign pages, the bell) is reached through here: the
receiver has a single layer channel, joins a layer group when the first local socket
joins it, and hands each message to the handler registered for its ``type``
(:meth:`Receiver.handle`): the live hub (``conversations.live.hub``), the bell
(``notifications.bell``) and the access checks (``conversations.live.access``). A
socket never reads the layer itself, so a worker with 5,000 sockets has one reader.

It also watches the layer: a probe sent to its own channel every ``PROBE_EVERY``
seconds must come back within ``PROBE_TIMEOUT``. When it does not (Redis down), the
layer is "paused" and the state listeners are told (pages say so); when probes come
back, every group is joined again (a restarted Redis has forgotten them) and the
listeners are told it resumed (pages catch up).
"""

import asyncio
import inspect
import logging
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable

from channels.layers import get_channel_layer

from config.per_loop import PerLoop

logger = logging.getLogger(__name__)


def spawn(coroutine, tasks: set | None = None) -> asyncio.Task:
    """A background task of this worker whose failure is logged, never left
    unobserved ("Task exception was never retrieved"); kept in ``tasks`` while it
    runs, so it is not garbage-collected half way."""
    task = asyncio.get_running_loop().create_task(coroutine)
    if tasks is not None:
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    task.add_done_callback(_log_failure)
    return task


def _log_failure(task: asyncio.Task) -> None:
    if not task.cancelled() and (error := task.exception()) is not None:
        logger.error("Live background task failed", exc_info=error)


PROBE_TYPE = "live.probe"
PROBE_EVERY = 1.0  # seconds between probes of the layer
PROBE_TIMEOUT = 2.5  # a probe not back by then: the layer is paused
# channels_redis forgets group members after a day; re-join well before that.
REJOIN_EVERY = 3600.0

Handler = Callable[[dict], Awaitable[None] | None]


class Receiver:
    def __init__(self) -> None:
        self.layer = get_channel_layer()
        self.channel: str | None = None
        self.members: dict[str, set] = defaultdict(set)  # group -> local sockets
        self.handlers: dict[str, Handler] = {}
        self.state_listeners: list[Callable[[bool], None]] = []
        self.live = True  # whether the layer answers the probe
        self._probe_back = time.monotonic()
        self._tasks: set[asyncio.Task] = set()

    async def start(self) -> None:
        self.channel = await self.layer.new_channel("worker.")
        self.spawn(self._receive_forever())
        self.spawn(self._probe_forever())
        self.spawn(self._rejoin_forever())

    def spawn(self, coroutine) -> asyncio.Task:
        return spawn(coroutine, self._tasks)

    def handle(self, message_type: str, handler: Handler) -> None:
        """Hand every message of ``message_type`` to ``handler`` (one per type)."""
        self.handlers[message_type] = handler

    def on_state(self, listener: Callable[[bool], None]) -> None:
        """Call ``listener(live)`` whenever the layer pauses or resumes."""
        self.state_listeners.append(listener)

    # -- groups of local sockets --------------------------------------------------
    def sockets(self, group: str) -> list:
        return list(self.members.get(group, ()))

    async def join(self, group: str, socket) -> None:
        if not self.members[group]:
            try:
                await self.layer.group_add(group, self.channel)
            except Exception as error:  # noqa: BLE001 - Redis down: the page opens paused
                self._paused(error)  # and the group is joined when the layer is back
        self.members[group].add(socket)

    async def leave(self, group: str, socket, *, linger: bool = False) -> None:
        """Take ``socket`` out of ``group``; leave the layer group once no local
        socket is in it, unless ``linger`` (the caller prunes later, so a page reload
        does not leave and join again)."""
        members = self.members.get(group)
        if members is None:
            return
        members.discard(socket)
        if not linger:
            await self.prune([group])

    async def prune(self, groups) -> None:
        """Leave the layer groups among ``groups`` that no local socket is in. Each is
        checked again before leaving: a socket may have joined during an await."""
        for group in list(groups):
            if group in self.members and not self.members[group]:
                self.members.pop(group, None)
                try:
                    await self.layer.group_discard(group, self.channel)
                except Exception as error:  # noqa: BLE001 - the layer may be down
                    logger.debug("Could not leave %s: %r", group, error)

    async def rejoin(self) -> None:
        for group, members in list(self.members.items()):
            if members:
                await self.layer.group_add(group, self.channel)

    # -- reading the layer ----------------------------------------------------------
    async def _receive_forever(self) -> None:
        while True:
            try:
                message = await self.layer.receive(self.channel)
            except asyncio.CancelledError:
                raise
            except Exception as error:  # noqa: BLE001 - keep serving; retry after a pause
                if asyncio.current_task().cancelling():
                    # A cancelled read can surface as the client's own timeout error.
                    raise asyncio.CancelledError from error
                self._paused(error)
                await asyncio.sleep(1.0)
                continue
            await self.dispatch(message)
            # Let the sockets' writers run before the next message: a burst already
            # buffered by the layer would otherwise fill every backlog at once, and
            # close fast clients as if they were slow.
            await asyncio.sleep(0)

    async def dispatch(self, message: dict) -> None:
        kind = message.get("type")
        if kind == PROBE_TYPE:
            self._probe_back = time.monotonic()
            if not self.live:
                await self._resumed()
            return
        handler = self.handlers.get(kind)
        if handler is None:
            return
        try:
            result = handler(message)
            if inspect.isawaitable(result):
                await result
        except Exception:
            logger.exception("Live receiver failed to handle a %s message", kind)

    # -- watching the layer -------------------------------------------------------
    async def _probe_forever(self) -> None:
        while True:
            await asyncio.sleep(PROBE_EVERY)
            try:
                async with asyncio.timeout(PROBE_TIMEOUT):
                    await self.layer.send(self.channel, {"type": PROBE_TYPE})
            except asyncio.CancelledError:
                raise
            except Exception as error:  # noqa: BLE001 - Redis down: say so, go on
                if asyncio.current_task().cancelling():
                    raise asyncio.CancelledError from error
                self._paused(error)
                continue
            if self.live and time.monotonic() - self._probe_back > PROBE_TIMEOUT:
                self._paused(TimeoutError("the layer's probe did not come back"))

    def _paused(self, error: Exception) -> None:
        if not self.live:
            return
        self.live = False
        logger.error("Live updates paused: the channel layer failed: %r", error)
        self._tell(False)

    async def _resumed(self) -> None:
        try:
            await self.rejoin()  # a restarted Redis has forgotten every group
        except Exception as error:  # noqa: BLE001 - try again at the next probe
            logger.warning("Live updates could not rejoin their groups: %r", error)
            return
        self.live = True
        logger.warning("Live updates resumed: the channel layer answers again")
        self._tell(True)

    def _tell(self, live: bool) -> None:
        for listener in list(self.state_listeners):
            try:
                listener(live)
            except Exception:
                logger.exception("A live state listener failed")

    async def _rejoin_forever(self) -> None:
        while True:
            await asyncio.sleep(REJOIN_EVERY)
            try:
                await self.rejoin()
            except Exception as error:  # noqa: BLE001 - the probe reports outages
                logger.debug("Periodic rejoin failed: %r", error)

    async def stop(self) -> None:
        """Cancel every task until it has stopped (a cancellation landing while the
        Redis client is mid-read can come back as its own error and be retried)."""
        tasks = list(self._tasks)
        async with asyncio.timeout(5):
            while not all(task.done() for task in tasks):
                for task in tasks:
                    task.cancel()
                await asyncio.wait(tasks, timeout=0.1)


async def _started() -> Receiver:
    receiver = Receiver()
    await receiver.start()
    return receiver


_receivers = PerLoop(_started)


async def get_receiver() -> Receiver:
    """The receiver of the running event loop, started on first use."""
    return await _receivers.get()


async def stop_receiver() -> None:
    """Stop this loop's receiver (tests, before their loop closes)."""
    receiver = _receivers.forget()
    if receiver is not None:
        await receiver.stop()
