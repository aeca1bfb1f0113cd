"""The campaign websocket: authorise on connect, join the hub, forward events.

Consumers never write. A viewer's writes go over HTTP to the services, so there is one
path for validation, CSRF and rate limits. The only messages a client may send are
read requests: catch up on missed events (and get the current tallies of what the page
shows), or refresh some tallies. Anything else is refused with an error frame and
logged; the socket stays open unless the client floods.

A socket closes for good when its viewer's access ends (``conversations.live.access``:
signed out, account switched off, no longer in the audience), and when its client
stops reading (a bounded backlog and a time-out on each send).
"""

import asyncio
import contextlib
import json
import logging
import time
from collections import deque
from dataclasses import dataclass
from types import SimpleNamespace

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.utils import timezone, translation

from accounts.safety import mfa
from conversations import queries, rules
from conversations.live import access, events
from conversations.live.hub import get_hub, tally_snapshot
from conversations.live.receiver import spawn
from conversations.models import Campaign

logger = logging.getLogger(__name__)

MAX_MESSAGE_BYTES = 2048
MAX_TALLY_IDS = 100
RATE_LIMIT = 20  # client messages per RATE_WINDOW; beyond it they are refused
RATE_WINDOW = 10.0
RATE_CLOSE = 3 * RATE_LIMIT  # a client this far over the limit is disconnected
SEND_QUEUE = 500  # frames waiting for a slow client before it is disconnected
# A client that has not taken one frame in this long has stopped reading: dropped,
# well before the server's ping time-out (20 s + 20 s), and nobody else waits for it.
SEND_TIMEOUT = 5.0

CLOSE_SIGNED_OUT = access.CLOSE_SIGNED_OUT
CLOSE_FORBIDDEN = access.CLOSE_FORBIDDEN
CLOSE_TOO_SLOW = 4408
CLOSE_ABUSE = 4429


class CampaignConsumer(AsyncWebsocketConsumer):
    # No layer channel of its own: the worker's one reader of the layer
    # (conversations.live.receiver) hands this socket what is meant for it.
    channel_layer_alias = None

    async def connect(self) -> None:
        self.groups_joined: list[str] = []
        # Frames waiting for this socket, written by a task that exists only while
        # there is a backlog: an idle socket holds no task, no queue, no deque.
        self.backlog: deque[str] | None = None
        self.writer: asyncio.Task | None = None
        self.closing = False
        self.viewers_known: int | None = None  # the count this viewer was last told
        self.recent: list[float] | None = None
        self.watching = False
        scope = self.scope
        self.campaign_id = campaign_id = scope["url_route"]["kwargs"]["campaign_id"]
        # Channels' AuthMiddlewareStack has found the person of the session.
        allowed = await _authorise(scope["user"], campaign_id)
        self.language = language_of(scope)
        self.user_id = allowed.user_id
        self.session_key = _session_key(scope)
        self.moderates = allowed.moderates
        if not allowed.allowed:
            logger.info(
                "Websocket refused: user %s, campaign %s", allowed.user_id, campaign_id
            )
            # Accept, then close with our code: a handshake refusal would look like a
            # network failure, and the page would keep trying to reconnect.
            await self.accept()
            await self.close(code=CLOSE_FORBIDDEN)
            return
        self.hub = await get_hub()
        self.groups_joined = [events.campaign_group(campaign_id)]
        if allowed.moderates:
            self.groups_joined.append(events.moderators_group(campaign_id))
        await self.accept()
        await self.hub.subscribe(self, self.groups_joined, campaign_id)
        # In the person's group too, so access taken away closes this socket.
        await access.watch(self)
        self.watching = True
        self.viewers_known = self.hub.viewers(campaign_id)
        hello = json.dumps(
            {
                "type": "hello",
                "seq": allowed.seq,
                "viewers": self.viewers_known,
                "live": self.hub.live,  # False while the layer (Redis) is down
            }
        )
        if self.backlog is not None:
            self.enqueue(hello)
            return
        try:
            await self.send(text_data=hello)  # no writer task just for the greeting
        except BaseException:
            # Gone already (no disconnect message will come): leave the hub now.
            self.closing = True
            await self._leave_hub()
            raise

    async def disconnect(self, code: int) -> None:
        self.closing = True
        await self._leave_hub()

    async def _leave_hub(self) -> None:
        if self.groups_joined:
            groups, self.groups_joined = self.groups_joined, []
            await self.hub.unsubscribe(self, groups, self.campaign_id)
        if self.watching:
            self.watching = False
            await access.unwatch(self)
        self.backlog = None
        if self.writer is not None and self.writer is not asyncio.current_task():
            self.writer.cancel()
        self.writer = None

    # -- asked by conversations.live.access ----------------------------------------
    async def end(self, code: int) -> None:
        """Access ended: close for good (the page does not reconnect)."""
        self._close_soon(code)

    async def regroup(self, moderates: bool) -> None:
        """Still a viewer, but now does (or no longer does) moderate the campaign."""
        if self.closing:
            return
        group = events.moderators_group(self.campaign_id)
        self.moderates = moderates
        if moderates and group not in self.groups_joined:
            self.groups_joined.append(group)
            await self.hub.receiver.join(group, self)
        elif not moderates and group in self.groups_joined:
            self.groups_joined.remove(group)
            await self.hub.receiver.leave(group, self, linger=True)

    def enqueue(self, frame: str) -> None:
        """Called by the hub for every frame; never blocks the hub."""
        if self.closing:
            return
        if self.backlog is None:
            self.backlog = deque()
        elif len(self.backlog) >= SEND_QUEUE:
            logger.warning(
                "Websocket too slow, disconnecting: campaign %s", self.campaign_id
            )
            self._close_soon(CLOSE_TOO_SLOW)
            return
        self.backlog.append(frame)
        if self.writer is None:
            self.writer = spawn(self._write_backlog())

    def _close_soon(self, code: int) -> None:
        """Close once, from synchronous code: stop taking frames, leave the hub, close."""
        if self.closing:
            return
        self.closing = True
        spawn(self._shut(code))

    async def _shut(self, code: int) -> None:
        self.closing = True
        await self._leave_hub()
        with contextlib.suppress(OSError):  # the server's ClientDisconnected: it left
            await self.close(code=code)

    async def _write_backlog(self) -> None:
        try:
            while self.backlog:
                frame = self.backlog.popleft()
                try:
                    async with asyncio.timeout(SEND_TIMEOUT):
                        await self.send(text_data=frame)
                except TimeoutError:
                    logger.warning(
                        "Websocket stopped reading, disconnecting: campaign %s",
                        self.campaign_id,
                    )
                    self._close_soon(CLOSE_TOO_SLOW)
                    return
                except (
                    OSError
                ):  # the client went away (the server's ClientDisconnected)
                    self.backlog.clear()
                    return
        finally:
            if self.writer is asyncio.current_task():
                self.writer = None
                if not self.backlog:
                    self.backlog = None  # an idle socket keeps no deque

    async def receive(
        self, text_data: str | None = None, bytes_data: bytes | None = None
    ):
        if self.closing:
            return  # a socket being closed ignores whatever else it is sent
        size = (
            len(text_data.encode()) if text_data is not None else len(bytes_data or b"")
        )
        if not self._within_rate():
            return
        if size > MAX_MESSAGE_BYTES:
            return self._refuse(f"message too large ({size} bytes)")
        if text_data is None:
            return self._refuse("binary frames are not accepted")
        try:
            message = json.loads(text_data)
        except ValueError:
            return self._refuse("malformed JSON")
        if not isinstance(message, dict):
            return self._refuse("a message must be a JSON object")
        kind = message.get("type")
        if kind == "catch_up":
            after = message.get("after")
            if not _is_id(after, allow_zero=True):
                return self._refuse("catch_up needs a non-negative integer 'after'")
            targets = message.get("targets", [])
            if targets and not _valid_targets(targets):
                return self._refuse(
                    f"catch_up takes up to {MAX_TALLY_IDS} [kind, id] targets"
                )
            await self._catch_up(after, targets)
        elif kind == "tallies":
            targets = message.get("targets")
            if not _valid_targets(targets):
                return self._refuse(
                    f"tallies needs up to {MAX_TALLY_IDS} [kind, id] targets"
                )
            items = await _tallies(self.campaign_id, targets)
            self.enqueue(json.dumps({"type": "tallies", "items": items}))
        else:
            return self._refuse("unknown message type")

    def _within_rate(self) -> bool:
        now = time.monotonic()
        self.recent = [t for t in self.recent or () if now - t < RATE_WINDOW]
        self.recent.append(now)
        if len(self.recent) > RATE_CLOSE:
            logger.warning("Websocket flooding, closing: campaign %s", self.campaign_id)
            self._close_soon(CLOSE_ABUSE)
            return False
        if len(self.recent) > RATE_LIMIT:
            self._refuse("too many messages; slow down")
            return False
        return True

    def _refuse(self, reason: str) -> None:
        logger.warning(
            "Websocket message refused (campaign %s): %s", self.campaign_id, reason
        )
        self.enqueue(json.dumps({"type": "error", "reason": reason}))

    async def _catch_up(self, after: int, targets: list) -> None:
        """Everything numbered after ``after``, then the current tallies of
        ``targets`` and the campaign's figures: votes are not numbered events, so a
        page back from a lost connection (a restarted worker, Redis back) would
        otherwise keep the tallies it had."""
        missed = await database_sync_to_async(events.events_after)(
            self.campaign_id, after
        )
        if missed is None:
            self.enqueue(json.dumps({"type": "reload"}))
            return
        for payload in missed:
            frame = events.for_language(payload, self.language)
            self.enqueue(json.dumps(frame, separators=(",", ":")))
        snapshot = await tally_snapshot(self.campaign_id, {tuple(t) for t in targets})
        self.enqueue(json.dumps(snapshot, separators=(",", ":")))
        self.enqueue(
            json.dumps(
                {"type": "caught_up", "seq": missed[-1]["seq"] if missed else after}
            )
        )


def language_of(scope: dict) -> str:
    """The interface language of the page that opened the socket, chosen the way
    LocaleMiddleware chose it for that page: language cookie, then Accept-Language."""
    headers = dict(scope.get("headers") or ())
    request = SimpleNamespace(
        COOKIES=scope.get("cookies") or {},  # parsed by Channels' CookieMiddleware
        META={
            "HTTP_ACCEPT_LANGUAGE": headers.get(b"accept-language", b"").decode(
                "latin-1"
            )
        },
    )
    return translation.get_language_from_request(request)


def _is_id(value, *, allow_zero: bool = False) -> bool:
    """A database id: an int (not a bool) that fits a 64-bit column."""
    return (
        isinstance(value, int)
        and not isinstance(value, bool)
        and (0 if allow_zero else 1) <= value < 2**63
    )


def _valid_targets(targets) -> bool:
    return (
        isinstance(targets, list)
        and 0 < len(targets) <= MAX_TALLY_IDS
        and all(
            isinstance(t, list)
            and len(t) == 2
            and t[0] in ("idea", "comment")
            and _is_id(t[1])
            for t in targets
        )
    )


def _session_key(scope: dict) -> str | None:
    session = scope.get("session")  # Channels' SessionMiddleware
    return getattr(session, "session_key", None) if session is not None else None


@dataclass(frozen=True, slots=True)
class Access:
    allowed: bool
    moderates: bool = False
    seq: int = 0
    user_id: int | None = None


@database_sync_to_async
def _authorise(user, campaign_id: int) -> Access:
    """Whether (and how) ``user`` may watch ``campaign_id``: the pages' rules."""
    if not user.is_authenticated:
        return Access(False)
    if mfa.must_set_up(user):
        # Pages send them to set up multi-factor sign-in before anything else.
        return Access(False, user_id=user.pk)
    campaign = Campaign.objects.filter(pk=campaign_id).first()
    if campaign is None or not rules.can_view(user, campaign, timezone.now()):
        return Access(False, user_id=user.pk)
    return Access(
        True,
        moderates=rules.can_moderate(user, campaign),
        seq=campaign.last_event_seq,
        user_id=user.pk,
    )


_tallies = database_sync_to_async(queries.visible_tallies)
