"""Workers come and go (issue 16 item 3): a socket worker killed (SIGKILL) and
restarted while votes are cast over HTTP. Its viewer reconnects, catches up, and ends
with tallies equal to the vote rows; the other worker's viewers see the viewer count
drop the dead worker's viewers within 10 seconds. Needs Redis (two processes)."""

import asyncio
import json
import os
import random
import signal
import threading
import time

import pytest
import websockets
from asgiref.sync import sync_to_async
from django.db.models import Count, Q

from tests.live.helpers import Person, receive_until, run
from tests.servers import session_cookie_for, start_server, stop_server
from voting.models import Vote

pytestmark = [
    pytest.mark.live,
    pytest.mark.django_db(transaction=True),
    pytest.mark.timeout(120),
    pytest.mark.skipif(
        not os.environ.get("REDIS_URL"),
        reason="two worker processes need the Redis channel layer (REDIS_URL)",
    ),
]


def rows(ideas) -> dict[int, tuple[int, int]]:
    counted = (
        Vote.objects.filter(target_id__in=[i.pk for i in ideas])
        .values("target_id")
        .annotate(
            support=Count("pk", filter=Q(value=1)),
            dont=Count("pk", filter=Q(value=-1)),
        )
    )
    found = {row["target_id"]: (row["support"], row["dont"]) for row in counted}
    return {i.pk: found.get(i.pk, (0, 0)) for i in ideas}


def test_a_killed_worker_s_viewer_comes_back_to_the_true_tallies(
    asgi_server, django_db_blocker, make_staff, make_campaign, make_idea
):
    campaign = make_campaign("open")
    ideas = [make_idea(campaign) for _ in range(4)]
    with django_db_blocker.unblock():
        doomed = start_server()
    watcher = Person(asgi_server, session_cookie_for(make_staff()))
    viewer = Person(doomed, session_cookie_for(make_staff()))
    voters = [Person(asgi_server, session_cookie_for(make_staff())) for _ in range(6)]
    targets = [["idea", i.pk] for i in ideas]
    stop_voting = threading.Event()
    failures: list[str] = []

    def vote_until_stopped() -> None:
        chance = random.Random(7)
        while not stop_voting.is_set():
            voter, idea = chance.choice(voters), chance.choice(ideas)
            value = chance.choice(["support", "dont_support"])
            try:
                voter.vote(campaign, "idea", idea.pk, value)
            except AssertionError as error:  # a vote refused: a user would see it
                failures.append(str(error))
            time.sleep(0.02)

    async def scenario() -> dict[int, tuple[int, int]]:
        nonlocal doomed
        async with watcher.socket(campaign) as on_a:
            await receive_until(on_a, lambda f: f["type"] == "hello")
            ws = await viewer.socket(campaign).__aenter__()
            await receive_until(ws, lambda f: f["type"] == "hello")
            await receive_until(
                on_a, lambda f: f["type"] == "viewers" and f["count"] == 2
            )
            voting = threading.Thread(target=vote_until_stopped)
            voting.start()
            await asyncio.sleep(1.0)

            doomed.process.send_signal(signal.SIGKILL)
            doomed.process.wait(timeout=5)
            killed_at = time.monotonic()
            await receive_until(
                on_a,
                lambda f: f["type"] == "viewers" and f["count"] == 1,
                timeout=10,
            )
            dropped_after = time.monotonic() - killed_at

            with django_db_blocker.unblock():
                doomed = await sync_to_async(start_server)(doomed.port)
            # The last votes land while the page is away: only catching up (the
            # tallies of what it shows) can bring it to the true numbers.
            stop_voting.set()
            await sync_to_async(voting.join)()
            # The page's back-off is capped at 2 s; here it tries every 0.2 s.
            async with asyncio.timeout(10):
                while True:
                    try:
                        ws = await viewer.socket(campaign).__aenter__()
                        break
                    except (OSError, websockets.InvalidHandshake):
                        await asyncio.sleep(0.2)
            hello = (await receive_until(ws, lambda f: f["type"] == "hello"))[-1]
            await ws.send(
                json.dumps(
                    {"type": "catch_up", "after": hello["seq"], "targets": targets}
                )
            )

            shown: dict[int, tuple[int, int]] = {}
            async with asyncio.timeout(20):
                while True:
                    try:
                        async with asyncio.timeout(1.5):
                            frame = json.loads(await ws.recv())
                    except TimeoutError:
                        break  # quiet: every flush after the last vote has arrived
                    for item in (
                        frame.get("items", ()) if frame["type"] == "tallies" else ()
                    ):
                        shown[item["id"]] = (item["support"], item["dont_support"])
            await ws.close()
            print(f"viewer count dropped {dropped_after:.1f} s after the kill")
            assert dropped_after < 10, dropped_after
            return shown

    result: dict = {}

    async def play() -> None:
        result["shown"] = await scenario()

    try:
        run(play())
    finally:
        stop_voting.set()
        stop_server(doomed)
        for person in (watcher, viewer, *voters):
            person.close()

    assert not failures, failures[:3]
    assert result["shown"] == rows(ideas)
