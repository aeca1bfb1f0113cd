"""Live events: the one helper services use to publish what happened in a campaign.

Sequenced events (an idea or comment posted, an idea's status or visibility changed)
are written to ``CampaignEvent`` inside the service's transaction and broadcast on
commit, so a viewer who reconnects asks for everything after the last number it saw.

Tallies are different: votes come far faster than anyone can read, so a vote only
marks its target "dirty" on commit, and :mod:`conversations.tally_flusher` sends the
current numbers for dirty targets a few times a second. The final numbers are always
read from the database, so they are exact.

Payloads hold only what every member of the campaign group may see: partials are
rendered for a neutral viewer (anonymous authors are "a colleague"), there is no
per-user data, and nothing held or hidden is ever published here.

Interface text in a payload (a partial, a status label) is rendered once in each
interface language, never in the language of whoever acted: the payload carries the
default language's text and a ``translations`` map of the others, and each viewer's
frame is cut for their language (:func:`for_language`) by the hub and on catch-up.
"""

import asyncio
import atexit
import collections
import concurrent.futures
import contextlib
import logging
import os
import threading
import time
import weakref
from collections.abc import Callable

from asgiref.sync import SyncToAsync
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import translation

from conversations.models import Campaign, CampaignEvent, Comment, Idea

logger = logging.getLogger(__name__)

# How many missed events a reconnecting client may ask for before it is told to reload.
CATCH_UP_LIMIT = 200
LAYER_MESSAGE_TYPE = "campaign.broadcast"  # handled by conversations.live.hub
TRANSLATIONS = "translations"  # payload key: {language: {key: text}}, never sent as is


def campaign_group(campaign_id: int) -> str:
    return f"campaign.{campaign_id}"


def moderators_group(campaign_id: int) -> str:
    return f"campaign.{campaign_id}.moderators"


class NeutralViewer:
    """Who pushed partials are rendered for: nobody in particular."""

    pk = None
    is_authenticated = False
    is_engagement_manager = False
    is_moderator = False


class _NeutralRequest:
    user = NeutralViewer()

    def get_full_path(self) -> str:
        return ""


class PerLanguage(str):
    """Interface text for an event: the default language's text, which it is as a
    string, and every interface language's in ``texts`` (code -> text)."""

    texts: dict[str, str]

    def __new__(cls, texts: dict[str, str]) -> "PerLanguage":
        text = super().__new__(cls, texts[settings.LANGUAGE_CODE])
        text.texts = texts
        return text


def in_each_language(render: Callable[[], object]) -> PerLanguage:
    """Call ``render`` once with each of settings.LANGUAGES active."""
    texts = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            texts[code] = str(render())
    return PerLanguage(texts)


def render_idea_card(idea: Idea) -> PerLanguage:
    idea.my_vote = 0
    context = {
        "idea": idea,
        "campaign": idea.campaign,
        "can_take_part": True,
        "request": _NeutralRequest(),
        "csrf_token": "",
    }
    return in_each_language(
        lambda: render_to_string("conversations/includes/idea_card.html", context)
    )


def render_comment(comment: Comment) -> PerLanguage:
    comment.my_vote = 0
    comment.thread_replies = []
    context = {
        "comment": comment,
        "campaign": comment.idea.campaign,
        "can_take_part": True,
        "request": _NeutralRequest(),
        "csrf_token": "",
    }
    return in_each_language(
        lambda: render_to_string("conversations/includes/comment.html", context)
    )


def split_languages(payload: dict) -> dict:
    """A storable payload: each PerLanguage value becomes its default-language text,
    the other languages' texts go under ``translations`` (only where they differ)."""
    default = settings.LANGUAGE_CODE
    translations = {
        code: dict(texts) for code, texts in payload.get(TRANSLATIONS, {}).items()
    }
    flat = {}
    for key, value in payload.items():
        if key == TRANSLATIONS:
            continue
        if not isinstance(value, PerLanguage):
            flat[key] = value
            continue
        flat[key] = str(value)
        for code, text in value.texts.items():
            if code == default:
                continue
            if text == flat[key]:
                translations.get(code, {}).pop(key, None)
            else:
                translations.setdefault(code, {})[key] = text
    translations = {code: texts for code, texts in translations.items() if texts}
    if translations:
        flat[TRANSLATIONS] = translations
    return flat


def for_language(payload: dict, language: str) -> dict:
    """What a viewer of ``language`` is sent: that language's texts, no map."""
    translations = payload.get(TRANSLATIONS)
    if translations is None:
        return payload
    frame = {key: value for key, value in payload.items() if key != TRANSLATIONS}
    frame.update(translations.get(language, {}))
    return frame


def record_event(campaign: Campaign, event_type: str, **data) -> dict:
    """Number and store an event in the current transaction; broadcast it on commit.

    Must be called inside ``transaction.atomic``: the campaign row is locked by the
    sequence bump until commit, so numbers are handed out in commit order.
    """
    Campaign.objects.filter(pk=campaign.pk).update(
        last_event_seq=F("last_event_seq") + 1
    )
    seq = (
        Campaign.objects.filter(pk=campaign.pk)
        .values_list("last_event_seq", flat=True)
        .get()
    )
    payload = split_languages({"type": event_type, "seq": seq, **data})
    CampaignEvent.objects.create(
        campaign=campaign, seq=seq, type=event_type, payload=payload
    )
    transaction.on_commit(lambda: broadcast(campaign.pk, payload))
    return payload


def events_after(campaign_id: int, seq: int) -> list[dict] | None:
    """Events a reconnecting viewer missed, in order; None if too many to replay."""
    payloads = list(
        CampaignEvent.objects.filter(campaign_id=campaign_id, seq__gt=seq)
        .order_by("seq")
        .values_list("payload", flat=True)[: CATCH_UP_LIMIT + 1]
    )
    return None if len(payloads) > CATCH_UP_LIMIT else payloads


class _FailureLog:
    """Log a channel-layer outage once, not once per event, and say when it is back."""

    def __init__(self, quiet_seconds: float = 60.0):
        self.quiet_seconds = quiet_seconds
        self.failing_since: float | None = None
        self.last_logged = 0.0

    def failed(self, error: Exception) -> None:
        now = time.monotonic()
        if self.failing_since is None or now - self.last_logged > self.quiet_seconds:
            logger.error(
                "Live updates are not being delivered: channel layer failed: %r", error
            )
            self.last_logged = now
        self.failing_since = self.failing_since or now

    def succeeded(self) -> None:
        if self.failing_since is not None:
            logger.warning("Live updates are being delivered again")
            self.failing_since = None


layer_failures = _FailureLog()


def broadcast(
    campaign_id: int, payload: dict, group: str | None = None
) -> "concurrent.futures.Future[bool] | None":
    """Hand one message for every worker process that has viewers of the campaign to
    the channel layer, without waiting for it to be sent.

    Called on commit by services, so the caller is a request: its answer must not wait
    for the layer's round trips (they took tens of ms under load with Redis). Messages
    from one process go out one after another, in the order handed over. Never raises:
    posting and voting must succeed when Redis or the layer is down; a failure is
    logged once (``layer_failures``). Returns a future of whether it was sent, which
    callers may ignore (tests wait on it), or None when no layer is configured.
    """
    group = group or campaign_group(campaign_id)
    message = {
        "type": LAYER_MESSAGE_TYPE,
        "campaign_id": campaign_id,
        "group": group,
        "payload": payload,
    }
    return publish(group, message)


def publish(group: str, message: dict) -> "concurrent.futures.Future[bool] | None":
    """Hand ``message`` for ``group`` on every worker to the layer, in order, without
    waiting (what :func:`broadcast` and the access notices use). Never raises."""
    layer = get_channel_layer()
    if layer is None:
        return None
    sent: concurrent.futures.Future[bool] = concurrent.futures.Future()
    loop = _caller_event_loop() or _publisher_loop()
    loop.call_soon_threadsafe(_outbox(loop).put, layer, group, message, sent)
    return sent


def wait_for_broadcasts(timeout: float = 5.0) -> None:
    """Block until every message handed over so far by this process has been tried
    (for tests and commands that exit right after writing)."""
    for outbox in list(_outboxes.values()):
        if outbox.loop.is_running() and not outbox.loop.is_closed():
            marker: concurrent.futures.Future[bool] = concurrent.futures.Future()
            outbox.loop.call_soon_threadsafe(outbox.put, None, "", {}, marker)
            with contextlib.suppress(concurrent.futures.TimeoutError):
                marker.result(timeout)


class _Outbox:
    """Messages waiting for the layer on one event loop, sent in order by one task
    that exists only while there are some."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.waiting: collections.deque = collections.deque()
        self.sender: asyncio.Task | None = None

    def put(self, layer, group: str, message: dict, sent) -> None:
        self.waiting.append((layer, group, message, sent))
        if self.sender is None:
            self.sender = self.loop.create_task(self._send_all())

    async def _send_all(self) -> None:
        try:
            while self.waiting:
                layer, group, message, sent = self.waiting.popleft()
                if layer is None:  # a marker from wait_for_broadcasts
                    sent.set_result(True)
                    continue
                try:
                    await layer.group_send(group, message)
                except Exception as error:  # noqa: BLE001 - must not fail the write
                    layer_failures.failed(error)
                    sent.set_result(False)
                else:
                    layer_failures.succeeded()
                    sent.set_result(True)
        finally:
            self.sender = None


_outboxes: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Outbox]" = (
    weakref.WeakKeyDictionary()
)
_publisher_lock = threading.Lock()
_publisher: asyncio.AbstractEventLoop | None = None


def _outbox(loop: asyncio.AbstractEventLoop) -> _Outbox:
    outbox = _outboxes.get(loop)
    if outbox is None:
        outbox = _outboxes.setdefault(loop, _Outbox(loop))
    return outbox


def _caller_event_loop() -> asyncio.AbstractEventLoop | None:
    """The event loop of the ASGI server (or test) this thread is working for, found
    the way asgiref's async_to_sync finds it; None in a WSGI worker or a command."""
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        pass
    local = SyncToAsync.threadlocal
    loop = getattr(local, "main_event_loop", None)
    if (
        loop is not None
        and getattr(local, "main_event_loop_pid", None) == os.getpid()
        and loop.is_running()
    ):
        return loop
    return None


def _publisher_loop() -> asyncio.AbstractEventLoop:
    """A process-wide event loop in a daemon thread, for callers without one (WSGI
    workers, commands): the layer keeps its connections on it between messages."""
    global _publisher
    with _publisher_lock:
        if _publisher is None or _publisher.is_closed():
            loop = asyncio.new_event_loop()
            threading.Thread(
                target=loop.run_forever, name="live-publisher", daemon=True
            ).start()
            _publisher = loop
            atexit.register(wait_for_broadcasts, 2.0)
        return _publisher
