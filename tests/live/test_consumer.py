"""The campaign websocket, driven in-process through the real ASGI application.

Writes go through the services, called with ``database_sync_to_async`` from inside the
test, so their on-commit broadcast runs on the test's event loop (the in-memory channel
layer is bound to one loop) and reaches the hub exactly as in a worker process.
"""

import asyncio
import contextlib
import json
import logging
import time

import pytest
import pytest_asyncio
from asgiref.testing import ApplicationCommunicator
from channels.db import database_sync_to_async
from channels.layers import DEFAULT_CHANNEL_LAYER, channel_layers
from django.conf import settings
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connections
from django.test import Client

from config.asgi import application
from conversations import services
from conversations.live import consumers, events, hub
from conversations.models import AuditEntry, CampaignEvent, Idea, Participation
from conversations.services import moderation
from voting.models import Vote

pytestmark = [
    pytest.mark.asyncio,
    pytest.mark.django_db(transaction=True),
    pytest.mark.timeout(30),
]

db = database_sync_to_async
ORIGIN = b"http://testserver"


class Socket(ApplicationCommunicator):
    """A browser's websocket to the ASGI app: ``channels.testing.WebsocketCommunicator``
    without importing ``channels.testing``, whose package imports daphne (not installed;
    the project serves with uvicorn).

    Waiting on ``receive_output`` past its timeout cancels the application, so "nothing
    more arrives" is asked with ``receive_nothing`` instead.
    """

    def __init__(self, path: str, headers: list[tuple[bytes, bytes]]):
        super().__init__(
            application,
            {
                "type": "websocket",
                "path": path,
                "query_string": b"",
                "headers": headers,
                "subprotocols": [],
            },
        )
        self.admitted = False
        self.close_code: int | None = None
        self.finished = False
        self._early: list[dict] = []

    async def open(self) -> "Socket":
        """Connect. A refused socket is either closed during the handshake or (so the
        page can tell a refusal from a network failure) accepted and closed at once."""
        await self.send_input({"type": "websocket.connect"})
        response = await self.receive_output(timeout=3)
        if response["type"] == "websocket.accept":
            response = await self.receive_output(timeout=3)
        if response["type"] == "websocket.close":
            self.close_code = response.get("code", 1000)
        else:
            self.admitted = True
            self._early.append(response)
        return self

    async def _output(self, timeout: float) -> dict:
        if self._early:
            return self._early.pop(0)
        return await self.receive_output(timeout)

    async def nothing_more(self, timeout: float = 0.5) -> bool:
        return not self._early and await self.receive_nothing(timeout=timeout)

    async def send_json(self, data) -> None:
        await self.send_text(json.dumps(data))

    async def send_text(self, text: str) -> None:
        await self.send_input({"type": "websocket.receive", "text": text})

    async def send_bytes(self, data: bytes) -> None:
        await self.send_input({"type": "websocket.receive", "bytes": data})

    async def frame(self, timeout: float = 2) -> dict:
        response = await self._output(timeout)
        assert response["type"] == "websocket.send", response
        return json.loads(response["text"])

    async def frame_of(self, kind: str, timeout: float = 2) -> dict:
        """The next frame of type ``kind``, skipping others (viewers, tallies...)."""
        async with asyncio.timeout(timeout):
            while True:
                frame = await self.frame(timeout)
                if frame["type"] == kind:
                    return frame

    async def frames_until_quiet(self, quiet: float = 0.6, limit: float = 5) -> list:
        """Every frame until none has arrived for ``quiet`` seconds."""
        frames = []
        async with asyncio.timeout(limit):
            while not await self.nothing_more(timeout=quiet):
                frames.append(await self.frame())
        return frames

    async def closed_with(self, timeout: float = 3) -> tuple[int, list[dict]]:
        """Read until the server closes the socket: (close code, frames before it)."""
        frames = []
        async with asyncio.timeout(timeout):
            while True:
                response = await self._output(timeout)
                if response["type"] == "websocket.close":
                    return response.get("code", 1000), frames
                frames.append(json.loads(response["text"]))

    async def hang_up(self) -> None:
        if self.finished:
            return
        self.finished = True
        with contextlib.suppress(Exception):
            await self.send_input({"type": "websocket.disconnect", "code": 1000})
            await self.wait(timeout=2)


def session_cookie(user) -> bytes:
    client = Client()
    client.force_login(user)
    name = settings.SESSION_COOKIE_NAME
    return f"{name}={client.cookies[name].value}".encode()


@pytest_asyncio.fixture
async def connect():
    """Open a campaign socket as ``user`` (None: signed out); all closed at teardown."""
    # A fresh layer per test: every hub of one channels_redis layer reads the same
    # Redis key, guarded by per-channel asyncio locks; a receive cancelled when a
    # test's loop closes can leave one held and bound to that dead loop.
    channel_layers.backends.clear()
    opened: list[Socket] = []

    async def connect(user, campaign_id: int, origin: bytes = ORIGIN) -> Socket:
        headers = [(b"origin", origin)]
        if user is not None:
            headers.append((b"cookie", await db(session_cookie)(user)))
        socket = Socket(f"/ws/campaigns/{campaign_id}/", headers)
        opened.append(socket)
        return await socket.open()

    yield connect
    for socket in opened:
        await socket.hang_up()
    await _stop_hub()
    layer = channel_layers.backends.get(DEFAULT_CHANNEL_LAYER)
    if hasattr(layer, "close_pools"):
        async with asyncio.timeout(5):
            await layer.close_pools()
    channel_layers.backends.clear()
    # The services ran in asgiref's sync thread; its connection (kept open by
    # CONN_MAX_AGE) would stop the test database from being dropped at the end.
    await db(connections.close_all)()


async def _stop_hub() -> None:
    """Stop this loop's hub and the receiver behind it before pytest-asyncio closes
    the loop (each task is cancelled until it has stopped: a cancellation landing
    while the Redis client is mid-read can come back as a redis TimeoutError)."""
    await hub.stop_hub()


@pytest.fixture
def watch(connect):
    """Connect as a member and read the greeting: returns (socket, hello frame)."""

    async def watch(user, campaign) -> tuple[Socket, dict]:
        socket = await connect(user, campaign.pk)
        assert socket.admitted, socket.close_code
        return socket, await socket.frame_of("hello")

    return watch


@pytest.fixture
def campaign(make_campaign):
    return make_campaign("open", allow_anonymous=True)


@pytest.fixture
def theme(campaign):
    return campaign.themes.first()


@pytest.fixture
def viewer(make_staff):
    return make_staff(display_name="Vic Viewer")


@pytest.fixture
def author(make_staff):
    return make_staff(display_name="Rowan Openname", email="rowan.openname@nhs.net")


def post_idea(author, campaign, theme, title="Later shift handovers", **kwargs):
    return db(services.post_idea)(
        author,
        campaign,
        theme=theme,
        title=title,
        body="<p>Handovers at 8.</p>",
        **kwargs,
    )


def seqs(frames: list[dict]) -> list[int]:
    return [
        f["seq"]
        for f in frames
        if "seq" in f and f["type"] not in ("hello", "caught_up")
    ]


# -- connecting ---------------------------------------------------------------


async def test_signed_out_visitor_is_refused_with_4403(connect, campaign):
    socket = await connect(None, campaign.pk)

    assert not socket.admitted
    assert socket.close_code == consumers.CLOSE_FORBIDDEN


async def test_unknown_campaign_is_refused(connect, viewer):
    socket = await connect(viewer, 987654321)

    assert not socket.admitted
    assert socket.close_code == consumers.CLOSE_FORBIDDEN


async def test_cross_site_origin_is_refused(connect, viewer, campaign):
    socket = await connect(viewer, campaign.pk, origin=b"https://evil.example")

    assert not socket.admitted


async def test_draft_campaign_is_refused_for_staff_and_open_to_engagement_managers(
    connect, make_campaign, viewer, manager
):
    draft = await db(make_campaign)("draft")

    as_staff = await connect(viewer, draft.pk)
    as_manager = await connect(manager, draft.pk)

    assert not as_staff.admitted
    assert as_staff.close_code == consumers.CLOSE_FORBIDDEN
    assert as_manager.admitted


async def test_team_campaign_is_refused_for_outsiders_and_open_to_its_teams(
    connect, make_team, make_staff, make_campaign
):
    ward = await db(make_team)()
    team_campaign = await db(make_campaign)("open", audience_teams=[ward])
    member = await db(make_staff)(teams=[ward])
    outsider = await db(make_staff)(teams=[await db(make_team)()])

    as_outsider = await connect(outsider, team_campaign.pk)
    as_member = await connect(member, team_campaign.pk)

    assert not as_outsider.admitted
    assert as_outsider.close_code == consumers.CLOSE_FORBIDDEN
    assert as_member.admitted


async def test_narrowing_an_audience_refuses_the_next_socket_of_someone_now_outside(
    connect, make_team, make_staff, make_campaign, manager
):
    ward = await db(make_team)()
    campaign = await db(make_campaign)("open")
    outsider = await db(make_staff)()
    before = await connect(outsider, campaign.pk)  # the campaign's access is cached
    assert before.admitted

    await db(services.update_campaign)(
        campaign, manager, themes=["Health and wellbeing"], audience_teams=[ward]
    )
    after = await connect(outsider, campaign.pk)

    assert not after.admitted
    assert after.close_code == consumers.CLOSE_FORBIDDEN


async def test_refusals_are_logged(connect, campaign, caplog):
    with caplog.at_level(logging.INFO, logger="conversations.live.consumers"):
        await connect(None, campaign.pk)

    assert "Websocket refused" in caplog.text


async def test_member_is_greeted_with_the_last_sequence_number_and_viewer_count(
    connect, campaign, theme, viewer, author
):
    await post_idea(author, campaign, theme, title="First")
    await post_idea(author, campaign, theme, title="Second")
    await db(campaign.refresh_from_db)()

    socket = await connect(viewer, campaign.pk)
    greeting = await socket.frame()

    assert socket.admitted
    assert campaign.last_event_seq == 2
    # The greeting is the first frame and already carries the count; joins are only
    # announced to the others later, coalesced (see the burst test below).
    assert greeting == {"type": "hello", "seq": 2, "viewers": 1, "live": True}


# -- every event type ---------------------------------------------------------


async def test_idea_posted_event_carries_the_card_rendered_for_nobody_in_particular(
    watch, campaign, theme, viewer, author
):
    socket, _ = await watch(viewer, campaign)

    idea = await post_idea(author, campaign, theme, title="Water fountains on ward 9")
    frame = await socket.frame_of("idea.posted")

    assert set(frame) == {"type", "seq", "idea_id", "theme_id", "html"}
    assert frame["seq"] == 1
    assert frame["idea_id"] == idea.pk
    assert frame["theme_id"] == theme.pk
    html = frame["html"]
    assert f'id="idea-{idea.pk}"' in html
    assert "Water fountains on ward 9" in html
    assert "Rowan Openname" in html  # a named idea shows its author's public name
    assert "rowan.openname@nhs.net" not in html
    # Nothing per-user: no "You", no pressed vote button, no CSRF token.
    assert "You" not in html
    assert 'aria-pressed="true"' not in html
    assert 'name="csrfmiddlewaretoken" value=""' in html
    stored = await db(CampaignEvent.objects.get)(campaign=campaign, seq=frame["seq"])
    assert stored.type == "idea.posted"
    # Stored with the Welsh card beside it; this (English) viewer gets the English one.
    assert events.for_language(stored.payload, "en-gb") == frame


async def test_anonymous_idea_event_never_names_the_author_not_even_to_the_author(
    watch, campaign, theme, make_staff
):
    author = await db(make_staff)(
        email="priya.quietvoice@nhs.net", display_name="Priya Quietvoice"
    )
    socket, _ = await watch(author, campaign)  # the author is watching too

    await post_idea(author, campaign, theme, title="Bullying on nights", anonymous=True)
    frame = await socket.frame_of("idea.posted")

    assert "Bullying on nights" in frame["html"]
    assert "A colleague" in frame["html"]
    text = json.dumps(frame)
    for secret in ("Priya", "Quietvoice", "quietvoice"):
        assert secret not in text, secret
    assert "You (posted anonymously)" not in text


async def test_comment_posted_event_carries_its_thread_and_comment_count(
    watch, campaign, viewer, author, make_idea
):
    idea = await db(make_idea)(campaign)
    socket, _ = await watch(viewer, campaign)

    top = await db(services.post_comment)(
        author, idea, body="<p>Yes, and at 20:00.</p>"
    )
    first = await socket.frame_of("comment.posted")
    reply = await db(services.post_comment)(author, idea, body="A reply", parent=top)
    second = await socket.frame_of("comment.posted")
    # A reply to a reply is attached to the top-level comment: one level of replies.
    await db(services.post_comment)(author, idea, body="Deeper", parent=reply)
    third = await socket.frame_of("comment.posted")

    assert set(first) == {
        "type",
        "seq",
        "idea_id",
        "comment_id",
        "parent_id",
        "comment_count",
        "html",
    }
    assert (first["seq"], second["seq"], third["seq"]) == (1, 2, 3)
    assert first["idea_id"] == second["idea_id"] == third["idea_id"] == idea.pk
    assert first["comment_id"] == top.pk
    assert second["comment_id"] == reply.pk
    assert (first["parent_id"], second["parent_id"], third["parent_id"]) == (
        None,
        top.pk,
        top.pk,
    )
    assert [f["comment_count"] for f in (first, second, third)] == [1, 2, 3]
    assert f'id="comment-{top.pk}"' in first["html"]
    assert "Yes, and at 20:00." in first["html"]
    assert "Rowan Openname" in first["html"]
    for frame in (first, second, third):
        assert "You ·" not in frame["html"]
        assert 'aria-pressed="true"' not in frame["html"]


async def test_anonymous_comment_event_never_names_the_author(
    watch, campaign, make_idea, make_staff
):
    idea = await db(make_idea)(campaign)
    author = await db(make_staff)(email="sam.hushed@nhs.net", display_name="Sam Hushed")
    socket, _ = await watch(author, campaign)

    await db(services.post_comment)(author, idea, body="Said quietly.", anonymous=True)
    frame = await socket.frame_of("comment.posted")

    assert "Said quietly." in frame["html"]
    assert "A colleague" in frame["html"]
    text = json.dumps(frame)
    for secret in ("Sam Hushed", "Hushed", "sam.hushed"):
        assert secret not in text
    assert "You (posted anonymously)" not in text


async def test_burst_of_votes_arrives_as_a_few_coalesced_tallies_with_exact_numbers(
    watch, campaign, viewer, make_staff, make_idea, make_comment
):
    idea = await db(make_idea)(campaign)
    comment = await db(make_comment)(idea)
    voters = [await db(make_staff)() for _ in range(30)]
    socket, _ = await watch(viewer, campaign)

    started = time.monotonic()
    await asyncio.gather(
        *(
            db(services.vote)(voter, idea, 1 if n < 20 else -1)
            for n, voter in enumerate(voters)
        ),
        *(db(services.vote)(voter, comment, 1) for voter in voters[:5]),
    )
    voting_took = time.monotonic() - started
    frames = [f for f in await socket.frames_until_quiet() if f["type"] == "tallies"]

    # 35 votes: frames are bounded by time (one per TALLY_INTERVAL while votes keep
    # coming, plus the last), not by the number of votes.
    assert 1 <= len(frames) <= voting_took / hub.TALLY_INTERVAL + 2
    assert len(frames) < 35 / 2
    latest = {}
    for frame in frames:
        latest.update({(i["kind"], i["id"]): i for i in frame["items"]})

    def expected():
        def tally(target):
            votes = Vote.objects.filter(
                target_type=ContentType.objects.get_for_model(target),
                target_id=target.pk,
            )
            return votes.filter(value=1).count(), votes.filter(value=-1).count()

        return (
            tally(idea),
            tally(comment),
            {
                "ideas": 1,
                "comments": 1,
                "votes": Vote.objects.count(),
                "people": Participation.objects.filter(campaign=campaign).count(),
            },
        )

    idea_numbers, comment_numbers, counts = await db(expected)()
    assert idea_numbers == (20, 10)
    assert comment_numbers == (5, 0)
    got = latest[("idea", idea.pk)]
    assert (got["support"], got["dont_support"]) == idea_numbers
    got = latest[("comment", comment.pk)]
    assert (got["support"], got["dont_support"]) == comment_numbers
    assert frames[-1]["counts"] == counts
    assert counts["votes"] == 35 and counts["people"] == 32  # 30 voters, 2 authors


async def test_viewer_count_rises_when_a_second_viewer_joins_and_falls_when_they_leave(
    watch, campaign, viewer, make_staff
):
    first, hello = await watch(viewer, campaign)
    assert hello["viewers"] == 1

    second, hello = await watch(await db(make_staff)(), campaign)
    assert hello["viewers"] == 2
    assert await first.frame_of("viewers") == {"type": "viewers", "count": 2}

    await second.hang_up()
    assert await first.frame_of("viewers") == {"type": "viewers", "count": 1}


async def test_a_burst_of_joins_reaches_a_viewer_as_one_count_not_one_per_join(
    watch, campaign, viewer, make_staff, monkeypatch
):
    # Long enough for the burst to fit in one interval on a slow shared machine.
    monkeypatch.setattr(hub, "PRESENCE_INTERVAL", 2.0)
    others = [await db(make_staff)() for _ in range(6)]
    first, _hello = await watch(viewer, campaign)
    await first.frames_until_quiet(quiet=2.5, limit=10)  # its own join, if at all

    await asyncio.gather(*(watch(person, campaign) for person in others))
    frames = await first.frames_until_quiet(quiet=2.5, limit=10)

    counts = [f["count"] for f in frames if f["type"] == "viewers"]
    assert counts[-1] == 7
    # Six joins within one presence interval: one frame, at most two if the burst
    # straddles a tick, instead of one per join.
    assert len(counts) <= 2


async def test_moderators_status_hide_and_restore_publish_small_events(
    watch, campaign, viewer, moderator, make_idea
):
    idea = await db(make_idea)(campaign, title="Bike racks")
    socket, _ = await watch(viewer, campaign)

    await db(moderation.set_idea_status)(moderator, idea, "adopted", "Ordered today")
    status = await socket.frame_of("idea.status")
    await db(moderation.hide_idea)(moderator, idea, AuditEntry.Reason.SPAM)
    hidden = await socket.frame_of("idea.hidden")
    await db(moderation.restore_idea)(moderator, idea)
    restored = await socket.frame_of("idea.restored")

    assert status == {
        "type": "idea.status",
        "seq": 1,
        "idea_id": idea.pk,
        "status": "adopted",
        "label": str(Idea.Status("adopted").label),
        "note": "Ordered today",
    }
    assert hidden == {"type": "idea.hidden", "seq": 2, "idea_id": idea.pk}
    assert set(restored) == {"type", "seq", "idea_id", "theme_id", "html"}
    assert restored["seq"] == 3
    assert "Bike racks" in restored["html"]
    assert 'aria-pressed="true"' not in restored["html"]


async def test_held_idea_is_never_published(
    watch, campaign, viewer, moderator, make_idea
):
    held = await db(make_idea)(
        campaign, title="Held secret proposal", visibility="held"
    )
    socket, _ = await watch(viewer, campaign)

    # Moderating a post nobody can see yet publishes nothing.
    await db(moderation.set_idea_status)(moderator, held, "adopted", "Quiet note")
    await db(moderation.hide_idea)(moderator, held, AuditEntry.Reason.OTHER)
    frames = await socket.frames_until_quiet(quiet=0.5)
    await socket.send_json({"type": "catch_up", "after": 0})
    await socket.send_json({"type": "tallies", "targets": [["idea", held.pk]]})
    frames += await socket.frames_until_quiet(quiet=0.4)

    assert {"type": "caught_up", "seq": 0} in frames
    assert {"type": "tallies", "items": []} in frames
    assert not [f for f in frames if "seq" in f and f["type"] != "caught_up"]
    assert "Held secret" not in json.dumps(frames)
    assert not await db(CampaignEvent.objects.filter(campaign=campaign).exists)()


# -- sequence numbers and catching up -----------------------------------------


async def test_sequence_numbers_are_consecutive_per_campaign_and_stored(
    watch, make_campaign, viewer, author, make_idea
):
    a = await db(make_campaign)("open")
    b = await db(make_campaign)("open")
    a_theme, b_theme = await db(lambda: (a.themes.first(), b.themes.first()))()
    socket, _ = await watch(viewer, a)

    a_idea = await post_idea(author, a, a_theme, title="A1")
    await post_idea(author, b, b_theme, title="B1")
    await db(services.post_comment)(author, a_idea, body="A2")
    b_idea = await post_idea(author, b, b_theme, title="B2")
    await post_idea(author, a, a_theme, title="A3")
    await db(services.post_comment)(author, b_idea, body="B3")
    received = [
        await socket.frame_of(kind)
        for kind in ("idea.posted", "comment.posted", "idea.posted")
    ]

    def stored(campaign):
        campaign.refresh_from_db()
        rows = CampaignEvent.objects.filter(campaign=campaign).order_by("seq")
        return campaign.last_event_seq, [(e.seq, e.type, e.payload) for e in rows]

    a_last, a_rows = await db(stored)(a)
    b_last, b_rows = await db(stored)(b)
    assert seqs(received) == [1, 2, 3]
    assert a_last == 3 and b_last == 3
    assert [(seq, kind) for seq, kind, _ in a_rows] == [
        (1, "idea.posted"),
        (2, "comment.posted"),
        (3, "idea.posted"),
    ]
    assert [events.for_language(p, "en-gb") for _, _, p in a_rows] == received
    assert [seq for seq, _, _ in b_rows] == [1, 2, 3]


async def test_catch_up_replays_exactly_the_missed_events_in_order(
    watch, campaign, theme, viewer, author
):
    for n in range(1, 5):
        await post_idea(author, campaign, theme, title=f"Missed {n}")
    socket, hello = await watch(viewer, campaign)
    assert hello["seq"] == 4

    await socket.send_json({"type": "catch_up", "after": 1})
    replayed = [await socket.frame() for _ in range(5)]
    await socket.send_json({"type": "catch_up", "after": 4})
    nothing_missed = await socket.frame_of("caught_up")

    # The missed events, then the campaign's figures as they are now, then the end.
    assert [f["type"] for f in replayed] == ["idea.posted"] * 3 + [
        "tallies",
        "caught_up",
    ]
    assert seqs(replayed[:3]) == [2, 3, 4]
    assert ["Missed 2" in replayed[0]["html"], "Missed 4" in replayed[2]["html"]] == [
        True,
        True,
    ]
    assert replayed[3]["counts"]["ideas"] == 4
    assert replayed[4] == {"type": "caught_up", "seq": 4}
    assert nothing_missed == {"type": "caught_up", "seq": 4}


async def test_catch_up_after_too_many_missed_events_asks_for_a_reload(
    watch, campaign, theme, viewer, author, monkeypatch
):
    monkeypatch.setattr(events, "CATCH_UP_LIMIT", 3)
    for n in range(4):
        await post_idea(author, campaign, theme, title=f"Idea {n}")
    socket, _ = await watch(viewer, campaign)

    await socket.send_json({"type": "catch_up", "after": 0})  # 4 missed
    too_many = await socket.frame()
    await socket.send_json({"type": "catch_up", "after": 1})  # 3 missed: the limit
    at_limit = [await socket.frame() for _ in range(5)]

    assert too_many == {"type": "reload"}
    assert seqs(at_limit) == [2, 3, 4]
    assert at_limit[-1] == {"type": "caught_up", "seq": 4}


# -- who receives what --------------------------------------------------------


async def test_events_of_another_campaign_are_not_received(
    watch, campaign, theme, make_campaign, viewer, author
):
    other = await db(make_campaign)("open")
    other_theme = await db(other.themes.first)()
    socket, _ = await watch(viewer, campaign)

    await post_idea(author, other, other_theme, title="Elsewhere")
    assert await socket.nothing_more(timeout=0.6)

    await post_idea(author, campaign, theme, title="Here")
    frame = await socket.frame_of("idea.posted")
    assert "Here" in frame["html"]


async def test_outsider_of_a_team_campaign_never_receives_its_events(
    connect, watch, make_team, make_staff, make_campaign
):
    ward = await db(make_team)()
    team_campaign = await db(make_campaign)("open", audience_teams=[ward])
    team_theme = await db(team_campaign.themes.first)()
    member = await db(make_staff)(teams=[ward])
    outsider = await db(make_staff)()
    member_socket, _ = await watch(member, team_campaign)
    outsider_socket = await connect(outsider, team_campaign.pk)

    await post_idea(member, team_campaign, team_theme, title="Team only")

    assert not outsider_socket.admitted
    assert "Team only" in (await member_socket.frame_of("idea.posted"))["html"]
    assert await outsider_socket.nothing_more(timeout=0.5)


# -- what a client may send ---------------------------------------------------


async def test_malformed_json_is_refused_and_the_socket_stays_open(
    watch, campaign, viewer, caplog
):
    socket, _ = await watch(viewer, campaign)

    with caplog.at_level(logging.WARNING, logger="conversations.live.consumers"):
        await socket.send_text("{not json")
        refusal = await socket.frame_of("error")
    await socket.send_json({"type": "catch_up", "after": 0})

    assert refusal == {"type": "error", "reason": "malformed JSON"}
    assert await socket.frame_of("caught_up") == {"type": "caught_up", "seq": 0}
    assert "refused" in caplog.text and "malformed JSON" in caplog.text


BAD_MESSAGES = {
    "not-an-object": [1, 2],
    "unknown-type": {"type": "vote", "idea": 1},
    "no-type": {"after": 0},
    "catch-up-without-after": {"type": "catch_up"},
    "catch-up-string": {"type": "catch_up", "after": "3"},
    "catch-up-negative": {"type": "catch_up", "after": -1},
    "catch-up-boolean": {"type": "catch_up", "after": True},
    "catch-up-float": {"type": "catch_up", "after": 1.5},
    "tallies-not-a-list": {"type": "tallies", "targets": {"idea": 1}},
    "tallies-empty": {"type": "tallies", "targets": []},
    "tallies-too-many": {
        "type": "tallies",
        "targets": [["idea", n] for n in range(101)],
    },
    "tallies-flat-pair": {"type": "tallies", "targets": ["idea", 1]},
    "tallies-short": {"type": "tallies", "targets": [["idea"]]},
    "tallies-unknown-kind": {"type": "tallies", "targets": [["staffmember", 1]]},
    "tallies-string-id": {"type": "tallies", "targets": [["idea", "1"]]},
    "tallies-boolean-id": {"type": "tallies", "targets": [["idea", True]]},
}


async def test_bad_messages_are_each_refused_and_logged_and_the_socket_stays_open(
    watch, campaign, viewer, caplog
):
    assert len(BAD_MESSAGES) < consumers.RATE_LIMIT  # one socket, under the limit
    socket, _ = await watch(viewer, campaign)

    for case, message in BAD_MESSAGES.items():
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger="conversations.live.consumers"):
            await socket.send_json(message)
            refusal = await socket.frame_of("error")
        assert set(refusal) == {"type", "reason"}, case
        assert "Websocket message refused" in caplog.text, case
    await socket.send_json({"type": "catch_up", "after": 0})

    assert await socket.frame_of("caught_up") == {"type": "caught_up", "seq": 0}


async def test_a_hundred_tally_targets_are_accepted(watch, campaign, viewer):
    socket, _ = await watch(viewer, campaign)

    await socket.send_json(
        {"type": "tallies", "targets": [["idea", n] for n in range(1, 101)]}
    )

    assert await socket.frame_of("tallies") == {"type": "tallies", "items": []}


async def test_a_page_catching_up_gets_the_current_tallies_of_what_it_shows(
    watch, campaign, viewer, make_staff, make_idea
):
    """Votes are not numbered events: a page back from a lost connection is sent the
    tallies it shows and the campaign's figures as they are now."""
    shown, not_shown = await db(make_idea)(campaign), await db(make_idea)(campaign)
    socket, hello = await watch(viewer, campaign)
    # Votes cast while the page was away (nobody told it).
    for value in (1, 1, -1):
        await db(services.vote)(await db(make_staff)(), shown, value)
    await db(services.vote)(await db(make_staff)(), not_shown, 1)

    await socket.send_json(
        {"type": "catch_up", "after": hello["seq"], "targets": [["idea", shown.pk]]}
    )
    frames = []
    while not frames or frames[-1]["type"] != "caught_up":
        frames.append(await socket.frame())
    snapshot = [f for f in frames if f["type"] == "tallies" and "counts" in f][-1]

    assert snapshot["items"] == [
        {"kind": "idea", "id": shown.pk, "support": 2, "dont_support": 1}
    ]
    assert snapshot["counts"]["ideas"] == 2


async def test_tallies_request_answers_only_for_this_campaigns_posts(
    watch, campaign, viewer, make_staff, make_campaign, make_idea, make_comment
):
    idea = await db(make_idea)(campaign)
    comment = await db(make_comment)(idea)
    other_idea = await db(make_idea)(await db(make_campaign)("open"))
    other_comment = await db(make_comment)(other_idea)
    for value in (1, 1, -1):
        voter = await db(make_staff)()
        await db(services.vote)(voter, idea, value)
        await db(services.vote)(voter, other_idea, 1)
    await db(services.vote)(voter, comment, -1)
    socket, _ = await watch(viewer, campaign)

    await socket.send_json(
        {
            "type": "tallies",
            "targets": [
                ["idea", idea.pk],
                ["comment", comment.pk],
                ["idea", other_idea.pk],
                ["comment", other_comment.pk],
                ["idea", 987654321],
            ],
        }
    )
    answer = await socket.frame_of("tallies")

    assert sorted(answer["items"], key=lambda i: i["kind"]) == [
        {"kind": "comment", "id": comment.pk, "support": 0, "dont_support": 1},
        {"kind": "idea", "id": idea.pk, "support": 2, "dont_support": 1},
    ]


async def test_message_over_2048_bytes_is_refused_and_the_socket_stays_open(
    watch, campaign, viewer, caplog
):
    socket, _ = await watch(viewer, campaign)

    with caplog.at_level(logging.WARNING, logger="conversations.live.consumers"):
        # Multi-byte characters: the limit is on bytes, not characters.
        await socket.send_json({"type": "catch_up", "after": 0, "pad": "é" * 1100})
        refusal = await socket.frame_of("error")
    await socket.send_json({"type": "catch_up", "after": 0})

    assert refusal["reason"].startswith("message too large")
    assert (await socket.frame_of("caught_up"))["seq"] == 0  # still served
    assert "too large" in caplog.text


async def test_message_of_exactly_2048_bytes_is_read(watch, campaign, viewer):
    socket, _ = await watch(viewer, campaign)
    message = {"type": "catch_up", "after": 0, "pad": ""}
    message["pad"] = "x" * (2048 - len(json.dumps(message)))

    await socket.send_json(message)

    assert await socket.frame_of("caught_up") == {"type": "caught_up", "seq": 0}


async def test_messages_past_the_rate_limit_are_refused(
    watch, campaign, viewer, caplog
):
    socket, _ = await watch(viewer, campaign)

    with caplog.at_level(logging.WARNING, logger="conversations.live.consumers"):
        for _ in range(consumers.RATE_LIMIT + 3):
            await socket.send_json({"type": "catch_up", "after": 0})
        frames = await socket.frames_until_quiet(quiet=0.3)

    answers = [f for f in frames if f["type"] in ("caught_up", "error")]
    assert [f["type"] for f in answers] == ["caught_up"] * consumers.RATE_LIMIT + [
        "error"
    ] * 3
    assert "slow down" in answers[-1]["reason"]
    assert "too many messages" in caplog.text


async def test_flooding_past_the_close_limit_disconnects_with_4429(
    watch, campaign, viewer, caplog
):
    socket, _ = await watch(viewer, campaign)

    with caplog.at_level(logging.WARNING, logger="conversations.live.consumers"):
        for _ in range(consumers.RATE_CLOSE + 1):
            await socket.send_json({"type": "catch_up", "after": 0})
        code, _ = await socket.closed_with()

    assert code == consumers.CLOSE_ABUSE
    assert "flooding" in caplog.text


async def test_binary_frames_are_refused_and_the_socket_stays_open(
    watch, campaign, viewer, caplog
):
    socket, _ = await watch(viewer, campaign)

    with caplog.at_level(logging.WARNING, logger="conversations.live.consumers"):
        await socket.send_bytes(b'{"type": "catch_up", "after": 0}')
        refusal = await socket.frame_of("error")
    await socket.send_json({"type": "catch_up", "after": 0})

    assert refusal == {"type": "error", "reason": "binary frames are not accepted"}
    assert await socket.frame_of("caught_up") == {"type": "caught_up", "seq": 0}
    assert "binary frames" in caplog.text


# -- slow clients ---------------------------------------------------------------


async def test_slow_socket_is_closed_with_4408_while_others_keep_receiving(
    watch, campaign, theme, viewer, author, make_staff, monkeypatch, caplog
):
    monkeypatch.setattr(consumers, "SEND_QUEUE", 5)
    slow, _ = await watch(await db(make_staff)(), campaign)
    (slow_consumer,) = hub._hubs.instances[asyncio.get_running_loop()].sockets[
        events.campaign_group(campaign.pk)
    ]
    fast, _ = await watch(viewer, campaign)

    async def stuck_send(*args, **kwargs):
        # A client that stopped reading: the server's write never completes.
        await asyncio.Event().wait()

    slow_consumer.send = stuck_send

    with caplog.at_level(logging.WARNING, logger="conversations.live.consumers"):
        for n in range(consumers.SEND_QUEUE + 3):
            await post_idea(author, campaign, theme, title=f"Busy {n}")
        code, _ = await slow.closed_with()
        received = [await fast.frame_of("idea.posted") for _ in range(8)]

    assert code == consumers.CLOSE_TOO_SLOW
    assert seqs(received) == list(range(1, 9))
    assert "too slow" in caplog.text


async def test_a_socket_that_takes_nothing_for_the_send_time_out_is_dropped(
    watch, campaign, theme, viewer, author, make_staff, monkeypatch, caplog
):
    """One frame stuck is enough: the backlog need not fill first."""
    monkeypatch.setattr(consumers, "SEND_TIMEOUT", 0.5)
    stalled, _ = await watch(await db(make_staff)(), campaign)
    (stalled_consumer,) = hub._hubs.instances[asyncio.get_running_loop()].sockets[
        events.campaign_group(campaign.pk)
    ]
    fast, _ = await watch(viewer, campaign)

    async def stuck_send(*args, **kwargs):
        await asyncio.Event().wait()

    stalled_consumer.send = stuck_send
    with caplog.at_level(logging.WARNING, logger="conversations.live.consumers"):
        await post_idea(author, campaign, theme, title="Only one")
        code, _ = await stalled.closed_with(timeout=2)
        await fast.frame_of("idea.posted")

    assert code == consumers.CLOSE_TOO_SLOW
    assert "stopped reading" in caplog.text


async def test_moderators_group_messages_reach_moderators_and_managers_only(
    watch, campaign, viewer, moderator, manager
):
    staff_socket, _ = await watch(viewer, campaign)
    moderator_socket, _ = await watch(moderator, campaign)
    manager_socket, _ = await watch(manager, campaign)

    # No service publishes to moderators yet; this checks the consumer and hub routing.
    await db(events.broadcast)(
        campaign.pk,
        {"type": "queue.changed", "waiting": 2},
        group=events.moderators_group(campaign.pk),
    )

    assert await moderator_socket.frame_of("queue.changed") == {
        "type": "queue.changed",
        "waiting": 2,
    }
    assert await manager_socket.frame_of("queue.changed")
    staff_frames = await staff_socket.frames_until_quiet(quiet=0.4)
    assert "queue.changed" not in [f["type"] for f in staff_frames]


async def test_a_permission_granted_to_the_person_not_a_group_still_makes_a_moderator(
    watch, campaign, make_staff
):
    def make_direct_moderator():
        person = make_staff(mfa=True)  # moderators sign in with a second step
        person.user_permissions.add(
            Permission.objects.get(
                content_type__app_label="accounts", codename="moderate"
            )
        )
        return person

    moderator_socket, _ = await watch(await db(make_direct_moderator)(), campaign)

    await db(events.broadcast)(
        campaign.pk,
        {"type": "queue.changed", "waiting": 1},
        group=events.moderators_group(campaign.pk),
    )

    assert await moderator_socket.frame_of("queue.changed")


# -- known bugs (strict: these start failing once fixed; then drop the marker) -----


async def test_slow_socket_is_closed_only_once(
    watch, campaign, theme, author, make_staff, monkeypatch, caplog
):
    monkeypatch.setattr(consumers, "SEND_QUEUE", 5)
    slow, _ = await watch(await db(make_staff)(), campaign)
    (slow_consumer,) = hub._hubs.instances[asyncio.get_running_loop()].sockets[
        events.campaign_group(campaign.pk)
    ]

    async def stuck_send(*args, **kwargs):
        await asyncio.Event().wait()

    slow_consumer.send = stuck_send
    with caplog.at_level(logging.WARNING, logger="conversations.live.consumers"):
        for n in range(12):
            await post_idea(author, campaign, theme, title=f"Busy {n}")
        await slow.closed_with()
        await asyncio.sleep(0.3)

    assert slow.output_queue.empty()  # no second websocket.close
    assert caplog.text.count("too slow") == 1


async def test_flooding_socket_is_closed_only_once(watch, campaign, viewer, caplog):
    socket, _ = await watch(viewer, campaign)

    with caplog.at_level(logging.WARNING, logger="conversations.live.consumers"):
        for _ in range(consumers.RATE_CLOSE + 20):
            await socket.send_json({"type": "catch_up", "after": 0})
        await socket.closed_with()
        await asyncio.sleep(0.3)

    assert socket.output_queue.empty()  # no second websocket.close
    assert caplog.text.count("flooding") == 1


async def test_tally_id_beyond_64_bits_does_not_kill_the_socket(
    watch, campaign, viewer
):
    socket, _ = await watch(viewer, campaign)

    await socket.send_json({"type": "tallies", "targets": [["idea", 10**30]]})
    await socket.frames_until_quiet(quiet=0.3)
    await socket.send_json({"type": "catch_up", "after": 0})

    assert await socket.frame_of("caught_up") == {"type": "caught_up", "seq": 0}
