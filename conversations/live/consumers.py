"""The campaign websocket: authorise on connect, join the hub, forward events.

Consumers never write. A viewer's writes go over HTTP to the services, so there is one
path for validation, CSRF and rate limits. The only messages a client may send are
read requests: catch up on missed events, or refresh some tallies.
"""

import asyncio
import json
import logging
import time
from collections import deque
from dataclasses import dataclass
from types import SimpleNamespace

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.contrib.auth import get_user_model
from django.utils import timezone, translation

from conversations import queries, rules
from conversations.live import events
from conversations.live.hub import get_hub
from conversations.models import Campaign

logger = logging.getLogger(__name__)

MAX_MESSAGE_BYTES = 2048
MAX_TALLY_IDS = 100
RATE_LIMIT = 20  # client messages per RATE_WINDOW; beyond it they are refused
RATE_WINDOW = 10.0
RATE_CLOSE = 3 * RATE_LIMIT  # a client this far over the limit is disconnected
SEND_QUEUE = 500  # frames waiting for a slow client before it is disconnected
# A socket on a board or a team-aimed campaign checks this often that its viewer is
# still allowed in: someone removed from the team stops receiving its events without
# the open socket outliving the removal. Organisation-wide campaigns need no check.
RECHECK_SECONDS = 60.0

CLOSE_FORBIDDEN = 4403
CLOSE_TOO_SLOW = 4408
CLOSE_ABUSE = 4429
CLOSE_TOO_BIG = 1009


class CampaignConsumer(AsyncWebsocketConsumer):
    # Fan-out goes through the process hub (one layer channel per process), so this
    # consumer joins no layer groups of its own.

    async def connect(self) -> None:
        self.groups_joined: list[str] = []
        # Frames waiting for this socket, written by a task that exists only while
        # there is a backlog: an idle socket holds no task, no queue, no deque.
        self.backlog: deque[str] | None = None
        self.writer: asyncio.Task | None = None
        self.closing = False
        self.viewers_known: int | None = None  # the count this viewer was last told
        self.recheck: asyncio.Task | None = None
        self.recent: list[float] | None = None
        scope = self.scope
        self.campaign_id = campaign_id = scope["url_route"]["kwargs"]["campaign_id"]
        # Channels' AuthMiddlewareStack has found the person of the session.
        access = await _authorise(scope["user"], campaign_id)
        self.language = language_of(scope)
        if not access.allowed:
            logger.info(
                "Websocket refused: user %s, campaign %s", access.user_id, campaign_id
            )
            # Accept, then close with our code: a handshake refusal would look like a
            # network failure, and the page would keep trying to reconnect.
            await self.accept()
            await self.close(code=CLOSE_FORBIDDEN)
            return
        if access.restricted:
            self.recheck = asyncio.get_running_loop().create_task(
                self._recheck_access()
            )
        self.hub = await get_hub()
        self.groups_joined = [events.campaign_group(campaign_id)]
        if access.moderates:
            self.groups_joined.append(events.moderators_group(campaign_id))
        await self.accept()
        await self.hub.subscribe(self, self.groups_joined, campaign_id)
        self.viewers_known = self.hub.viewers(campaign_id)
        hello = json.dumps(
            {"type": "hello", "seq": access.seq, "viewers": self.viewers_known}
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
        self.backlog = None
        if self.writer is not None:
            self.writer.cancel()
            self.writer = None
        if self.recheck is not None and self.recheck is not asyncio.current_task():
            self.recheck.cancel()
        self.recheck = None

    async def _recheck_access(self) -> None:
        """Close the socket once its viewer may no longer see the conversation."""
        user_id = self.scope["user"].pk
        while not self.closing:
            await asyncio.sleep(RECHECK_SECONDS)
            if not await _still_allowed(user_id, self.campaign_id):
                logger.info(
                    "Websocket closed, no longer allowed: user %s, campaign %s",
                    user_id,
                    self.campaign_id,
                )
                self._close_soon(CLOSE_FORBIDDEN)
                return

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
            self.writer = asyncio.get_running_loop().create_task(self._write_backlog())

    def _close_soon(self, code: int) -> None:
        """Close once, from synchronous code: stop taking frames, leave the hub, close."""
        if self.closing:
            return
        self.closing = True
        asyncio.get_running_loop().create_task(self._shut(code))

    async def _shut(self, code: int) -> None:
        self.closing = True
        await self._leave_hub()
        await self.close(code=code)

    async def _write_backlog(self) -> None:
        try:
            while self.backlog:
                await self.send(text_data=self.backlog.popleft())
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
        if size > MAX_MESSAGE_BYTES:
            logger.warning("Websocket message too large (%d bytes), closing", size)
            self.closing = True
            await self._shut(CLOSE_TOO_BIG)
            return
        if not self._within_rate():
            return
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
            await self._catch_up(after)
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

    async def _catch_up(self, after: int) -> None:
        missed = await database_sync_to_async(events.events_after)(
            self.campaign_id, after
        )
        if missed is None:
            self.enqueue(json.dumps({"type": "reload"}))
            return
        for payload in missed:
            frame = events.for_language(payload, self.language)
            self.enqueue(json.dumps(frame, separators=(",", ":")))
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


@dataclass(frozen=True, slots=True)
class Access:
    allowed: bool
    moderates: bool = False
    seq: int = 0
    restricted: bool = False  # only some people may watch: recheck now and then
    user_id: int | None = None


@database_sync_to_async
def _authorise(user, campaign_id: int) -> Access:
    """Whether (and how) ``user`` may watch ``campaign_id``: the pages' rules."""
    if not user.is_authenticated:
        return Access(False)
    campaign = Campaign.objects.filter(pk=campaign_id).first()
    if campaign is None or not rules.can_view(user, campaign, timezone.now()):
        return Access(False, user_id=user.pk)
    return Access(
        True,
        moderates=rules.can_moderate(user, campaign),
        seq=campaign.last_event_seq,
        restricted=campaign.is_board or campaign.audience_teams.exists(),
        user_id=user.pk,
    )


@database_sync_to_async
def _still_allowed(user_id: int, campaign_id: int) -> bool:
    """The connect-time rule asked again, of the viewer as the database has them now
    (team memberships, roles, an account closed since)."""
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    campaign = Campaign.objects.filter(pk=campaign_id).first()
    if user is None or campaign is None:
        return False
    return rules.can_view(user, campaign, timezone.now())


_tallies = database_sync_to_async(queries.visible_tallies)
