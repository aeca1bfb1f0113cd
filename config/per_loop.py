"""One started object per running event loop: the process-local hubs that fan the
channel layer's messages out to a worker's sockets (``conversations.live.hub`` for campaign
pages, ``notifications.bell`` for the bell). A worker has one loop; tests have one per
test, and each gets its own.
"""

import asyncio
import weakref
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class PerLoop(Generic[T]):
    def __init__(self, start: Callable[[], Awaitable[T]]) -> None:
        self._start = start
        self.instances: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, T] = (
            weakref.WeakKeyDictionary()
        )
        self._starting: weakref.WeakKeyDictionary[
            asyncio.AbstractEventLoop, asyncio.Lock
        ] = weakref.WeakKeyDictionary()

    async def get(self) -> T:
        """The running loop's object, started on first use (once, however many
        sockets connect at the same moment)."""
        loop = asyncio.get_running_loop()
        async with self._starting.setdefault(loop, asyncio.Lock()):
            item = self.instances.get(loop)
            if item is None:
                item = self.instances[loop] = await self._start()
        return item

    def forget(self) -> T | None:
        """Take the running loop's object out (to stop it), if it has one."""
        return self.instances.pop(asyncio.get_running_loop(), None)
