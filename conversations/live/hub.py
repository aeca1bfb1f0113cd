"""Process-local fan-out of live events to the websockets of this worker.

The channel layer carries one message per worker process, not one per viewer: each
process has one :class:`Hub` (per event loop), fed by the worker's one reader of the
layer (:mod:`conversations.live.receiver`), which joins the group of every campaign
that has a local viewer. A message arriving for a group is
encoded once and handed to every local socket of that group through its own bounded
queue, so a slow client never holds up the others (it is disconnected when its queue
is full, and catches up when it reconnects).

The hub also coalesces tallies (votes only mark targets dirty; the hub sends the exact
numbers read from the database at most ``TALLY_INTERVAL`` apart) and counts viewers
across processes (each hub announces its local count every ``PRESENCE_HEARTBEAT``;
every hub sums what it heard in the last ``PRESENCE_STALE`` seconds, so a killed
worker's viewers drop out within 10 s). When the layer pauses or resumes (Redis down
and back) every local page is told, and on resuming catches up by itself.
"""

import asyncio
import json
import logging
import time
import uuid
from collections import defaultdict

from channels.db import database_sync_to_async
from django.conf import settings

from config.per_loop import PerLoop
from conversations import queries, stats
from conversations.live.events import (
    LAYER_MESSAGE_TYPE,
    TRANSLATIONS,
    broadcast,
    campaign_group,
    for_language,
)
from conversations.live.receiver import get_receiver, spawn, stop_receiver
from conversations.models import Campaign

logger = logging.getLogger(__name__)

TALLY_INTERVAL = 0.25  # seconds between tally frames per campaign, per process
TALLY_RETRY_MAX = 4.0  # a failed tally read is retried after 0.5, 1, 2, 4, 4... s
_failing_flushes: set[int] = set()  # campaigns whose tallies could not be read
# Joins and leaves only mark the count changed: local sockets get the new count and other
# processes hear it at most once per interval, so N viewers joining at once cost O(N)
# frames, not N*(N-1)/2 (a new viewer already gets the count in its greeting).
PRESENCE_INTERVAL = 0.4
# Each count frame costs the event loop about what a frame of news does, per socket: a
# crowd joining at once (a worker restart) would get one every PRESENCE_INTERVAL for as
# long as the joins last. Past this many frames a second the interval grows with the
# crowd (1,000 local viewers: a count at most once a second).
COUNT_FRAMES_PER_SECOND = 1000
PRESENCE_HEARTBEAT = 2.0  # re-announce so counts survive a lost message
PRESENCE_STALE = 6.0  # forget a process that stopped announcing (killed)
INTERNAL_TYPES = {"tally.dirty", "presence"}


class Hub:
    def __init__(self) -> None:
        self.id = uuid.uuid4().hex[:12]
        self.receiver = None  # the worker's reader of the layer, set by start()
        # group -> local consumers: the receiver's, shared with the bell (start()).
        self.sockets: dict[str, set] = {}
        self.dirty: dict[int, set[tuple[str, int]]] = defaultdict(set)
        self.flush_scheduled: set[int] = set()
        self.presence: dict[int, dict[str, tuple[int, float]]] = defaultdict(dict)
        self.viewers_sent: dict[int, int] = {}
        self.presence_scheduled: set[int] = set()
        self.push_scheduled: set[int] = set()
        self._started = asyncio.Event()
        self._tasks: set[asyncio.Task] = set()

    # -- lifecycle ---------------------------------------------------------------
    async def start(self) -> None:
        self.receiver = await get_receiver()
        self.sockets = self.receiver.members
        self.receiver.handle(LAYER_MESSAGE_TYPE, self._dispatch)
        self.receiver.on_state(self._layer_state)
        self._spawn(self._heartbeat_forever())
        self._started.set()

    @property
    def live(self) -> bool:
        """Whether the channel layer answers (False while Redis is down)."""
        return self.receiver.live

    def _layer_state(self, live: bool) -> None:
        """Tell every local page that live updates paused or resumed; a resumed page
        asks for what it missed (events by number, then the tallies it shows)."""
        frame = _encode({"type": "live", "state": "live" if live else "paused"})
        done = set()
        for group, members in list(self.sockets.items()):
            if not group.startswith("campaign."):
                continue
            for consumer in list(members):
                if consumer not in done:
                    done.add(consumer)
                    consumer.enqueue(frame)

    def _spawn(self, coroutine) -> asyncio.Task:
        return spawn(coroutine, self._tasks)

    # -- local sockets -----------------------------------------------------------
    async def subscribe(self, consumer, groups: list[str], campaign_id: int) -> None:
        for group in groups:
            await self.receiver.join(group, consumer)
        self._schedule_presence(campaign_id)

    async def unsubscribe(self, consumer, groups: list[str], campaign_id: int) -> None:
        for group in groups:
            # Stay in the layer group for now: the next announcement leaves it if
            # nobody has come back (a reload leaves and joins again at once).
            await self.receiver.leave(group, consumer, linger=True)
        self._schedule_presence(campaign_id)

    def local_viewers(self, campaign_id: int) -> int:
        return len(self.sockets.get(campaign_group(campaign_id), ()))

    def viewers(self, campaign_id: int) -> int:
        now = time.monotonic()
        others = sum(
            count
            for hub_id, (count, at) in self.presence[campaign_id].items()
            if hub_id != self.id and now - at < PRESENCE_STALE
        )
        return others + self.local_viewers(campaign_id)

    def _send_local(self, group: str, frame: str) -> None:
        for consumer in list(self.sockets.get(group, ())):
            consumer.enqueue(frame)

    def _send_payload(self, group: str, payload: dict) -> None:
        """Encode once per interface language in use, not once per socket."""
        if TRANSLATIONS not in payload:
            self._send_local(group, _encode(payload))
            return
        frames: dict[str, str] = {}
        for consumer in list(self.sockets.get(group, ())):
            language = getattr(consumer, "language", None) or settings.LANGUAGE_CODE
            if language not in frames:
                frames[language] = _encode(for_language(payload, language))
            consumer.enqueue(frames[language])

    # -- messages from the layer (through the receiver) ----------------------------
    async def _dispatch(self, message: dict) -> None:
        if message.get("type") != LAYER_MESSAGE_TYPE:
            return
        payload, campaign_id = message["payload"], message["campaign_id"]
        group = message.get("group") or campaign_group(campaign_id)
        kind = payload.get("type")
        if kind == "tally.dirty":
            self.dirty[campaign_id].update(tuple(t) for t in payload.get("targets", ()))
            self._schedule_flush(campaign_id)
        elif kind == "presence":
            self.presence[campaign_id][payload["hub"]] = (
                payload["count"],
                time.monotonic(),
            )
            self._schedule_push(campaign_id)  # not at once: every hub announces
        else:
            self._send_payload(group, payload)
            if "seq" in payload:
                self._schedule_flush(campaign_id)  # counts moved

    # -- coalesced tallies ------------------------------------------------------
    def _schedule_flush(self, campaign_id: int) -> None:
        if campaign_id not in self.flush_scheduled:
            self.flush_scheduled.add(campaign_id)
            self._spawn(self._flush_later(campaign_id))

    async def _flush_later(self, campaign_id: int) -> None:
        """Send the exact tallies of what was marked dirty. A read that fails (the
        database restarting) leaves them owed and is tried again with back-off for as
        long as anyone here watches, so no viewer keeps a wrong tally; it never ends
        in an exception nobody sees. Logged once per outage, not per try."""
        delay = TALLY_INTERVAL
        while True:
            await asyncio.sleep(delay)
            self.flush_scheduled.discard(campaign_id)
            targets, self.dirty[campaign_id] = self.dirty[campaign_id], set()
            if not self.local_viewers(campaign_id):
                return
            try:
                frame = await _tally_frame(campaign_id, targets)
            except Exception:  # noqa: BLE001 - owed, so retried, never dropped
                self.dirty[campaign_id] |= targets
                if campaign_id in self.flush_scheduled:
                    return  # marked again meanwhile: that flush takes them all
                self.flush_scheduled.add(campaign_id)
                delay = min(delay * 2, TALLY_RETRY_MAX)
                if campaign_id not in _failing_flushes:
                    _failing_flushes.add(campaign_id)
                    logger.warning(
                        "Live tallies of campaign %s could not be read; retrying "
                        "every %s s at most",
                        campaign_id,
                        TALLY_RETRY_MAX,
                        exc_info=True,
                    )
                continue
            if campaign_id in _failing_flushes:
                _failing_flushes.discard(campaign_id)
                logger.warning("Live tallies of campaign %s sent again", campaign_id)
            self._send_local(
                campaign_group(campaign_id), json.dumps(frame, separators=(",", ":"))
            )
            return

    # -- viewers across processes ----------------------------------------------
    def _schedule_presence(self, campaign_id: int) -> None:
        if campaign_id not in self.presence_scheduled:
            self.presence_scheduled.add(campaign_id)
            self._spawn(self._announce_later(campaign_id))
        self._schedule_push(campaign_id)

    async def _announce_later(self, campaign_id: int) -> None:
        await asyncio.sleep(PRESENCE_INTERVAL)
        self.presence_scheduled.discard(campaign_id)
        await self._announce(campaign_id)

    def _schedule_push(self, campaign_id: int) -> None:
        if campaign_id not in self.push_scheduled:
            self.push_scheduled.add(campaign_id)
            self._spawn(self._push_later(campaign_id))

    async def _push_later(self, campaign_id: int) -> None:
        crowd = self.local_viewers(campaign_id) / COUNT_FRAMES_PER_SECOND
        await asyncio.sleep(max(PRESENCE_INTERVAL, crowd))
        self.push_scheduled.discard(campaign_id)
        self._push_viewers(campaign_id)

    async def _announce(self, campaign_id: int) -> None:
        count = self.local_viewers(campaign_id)
        broadcast(campaign_id, {"type": "presence", "hub": self.id, "count": count})
        if count == 0:
            # Last local viewer gone: stop receiving this campaign's messages.
            await self.receiver.prune(
                [g for g, members in self.sockets.items() if not members]
            )

    def _push_viewers(self, campaign_id: int) -> None:
        """Tell each local socket the count, unless it already has that number (a new
        viewer was told in its greeting)."""
        total = self.viewers(campaign_id)
        self.viewers_sent[campaign_id] = total
        frame = None
        for consumer in list(self.sockets.get(campaign_group(campaign_id), ())):
            if consumer.viewers_known != total:
                consumer.viewers_known = total
                frame = frame or json.dumps({"type": "viewers", "count": total})
                consumer.enqueue(frame)

    async def _heartbeat_forever(self) -> None:
        while True:
            await asyncio.sleep(PRESENCE_HEARTBEAT)
            for campaign_id in list(self.viewers_sent):
                try:
                    if self.local_viewers(campaign_id):
                        await self._announce(campaign_id)
                    self._push_viewers(campaign_id)  # a silent worker drops out
                except Exception:  # noqa: BLE001 - one campaign must not stop the rest
                    logger.exception("Live hub heartbeat failed")
                self._forget_stale(campaign_id)

    def _forget_stale(self, campaign_id: int) -> None:
        now = time.monotonic()
        heard = self.presence[campaign_id]
        for hub_id in [
            h for h, (_n, at) in heard.items() if now - at >= PRESENCE_STALE
        ]:
            heard.pop(hub_id, None)
        if not heard and not self.local_viewers(campaign_id):
            self.presence.pop(campaign_id, None)
            self.viewers_sent.pop(campaign_id, None)

    async def stop(self) -> None:
        tasks = list(self._tasks)
        async with asyncio.timeout(5):
            while not all(task.done() for task in tasks):
                for task in tasks:
                    task.cancel()
                await asyncio.wait(tasks, timeout=0.1)


def _encode(payload: dict) -> str:
    return json.dumps(payload, separators=(",", ":"))


@database_sync_to_async
def _tally_frame(campaign_id: int, targets: set[tuple[str, int]]) -> dict:
    items = queries.visible_tallies(campaign_id, targets)
    # The row as it is now: the figures are shared under its versions, and an unsaved
    # stand-in's would never move (the figures would stay as first counted).
    campaign = Campaign.objects.filter(pk=campaign_id).first()
    if campaign is None:
        return {"type": "tallies", "items": items}
    counts = stats.counts(campaign)
    return {"type": "tallies", "items": items, "counts": stats.as_frame(counts)}


async def tally_snapshot(campaign_id: int, targets: set[tuple[str, int]]) -> dict:
    """The current tallies of ``targets`` and the campaign's figures, as one frame
    (what a page that reconnects or resumes is sent)."""
    return await _tally_frame(campaign_id, targets)


async def _started() -> Hub:
    hub = Hub()
    await hub.start()
    return hub


_hubs = PerLoop(_started)


async def get_hub() -> Hub:
    """The hub of the running event loop (one per worker process), started on first use."""
    return await _hubs.get()


async def stop_hub() -> None:
    """Stop this loop's hub and its receiver (tests, before their loop closes)."""
    hub = _hubs.forget()
    if hub is not None:
        await hub.stop()
    await stop_receiver()
