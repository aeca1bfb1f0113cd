"""Redis down, live updates paused, and back (issue 16 item 1, the live part): two
workers share a redis-server of the test's own; while it is stopped every open page is
told live updates are paused (the page says so, with a reload link), posting and voting
go on over HTTP, and when Redis returns the pages are told they are live again, catch
up on what was posted meanwhile and get the true tallies, and news crosses workers
again."""

import asyncio
import json
import time

import pytest
from asgiref.sync import sync_to_async

from tests.faults.processes import OwnRedis, start_app
from tests.live.helpers import Person, receive_until, run
from tests.servers import session_cookie_for, stop_server
from voting.models import Vote

pytestmark = [
    pytest.mark.live,
    pytest.mark.django_db(transaction=True),
    pytest.mark.timeout(150),
]


@pytest.fixture
def platform(tmp_path, django_db_blocker):
    """Two uvicorn workers whose channel layer and cache are a Redis of our own."""
    redis = OwnRedis()
    redis.start()
    servers = []
    try:
        with django_db_blocker.unblock():
            for name in ("a", "b"):
                servers.append(
                    start_app({"REDIS_URL": redis.url}, tmp_path / f"{name}.log")
                )
        yield redis, servers
    finally:
        for server in servers:
            stop_server(server)
        redis.stop()


def test_pages_say_live_updates_are_paused_and_catch_up_when_redis_returns(
    platform, make_staff, make_campaign, make_idea
):
    redis, (a, b) = platform
    campaign = make_campaign("open")
    theme = campaign.themes.first()
    idea = make_idea(campaign)
    on_a = Person(a, session_cookie_for(make_staff()))
    on_b = Person(b, session_cookie_for(make_staff()))
    voters = [Person(a, session_cookie_for(make_staff())) for _ in range(3)]
    latecomer = Person(b, session_cookie_for(make_staff()))

    async def scenario():
        async with on_a.socket(campaign) as page_a, on_b.socket(campaign) as page_b:
            hello = (await receive_until(page_b, lambda f: f["type"] == "hello"))[-1]
            assert hello["live"] is True
            await receive_until(page_a, lambda f: f["type"] == "hello")

            await sync_to_async(redis.stop)()
            stopped = time.monotonic()
            for page in (page_a, page_b):
                await receive_until(
                    page,
                    lambda f: f == {"type": "live", "state": "paused"},
                    timeout=8,
                )
            told_after = time.monotonic() - stopped
            # A page opened now is admitted, and told at once that it is paused.
            async with latecomer.socket(campaign) as late:
                late_hello = await receive_until(late, lambda f: f["type"] == "hello")
                assert late_hello[-1]["live"] is False

            # Meanwhile, over HTTP through worker A: an idea and some votes.
            response = await sync_to_async(on_a.post)(
                f"/campaigns/{campaign.slug}/ideas/new/",
                {"theme": theme.pk, "title": "Posted while paused", "body": "Hi."},
            )
            assert response.status_code == 302, response.status_code
            for voter in voters:
                await sync_to_async(voter.vote)(campaign, "idea", idea.pk, "support")

            await sync_to_async(redis.start)()
            started = time.monotonic()
            await receive_until(
                page_b, lambda f: f == {"type": "live", "state": "live"}, timeout=10
            )
            resumed_after = time.monotonic() - started
            # As the page does on "live": catch up by number, with what it shows.
            await page_b.send(
                json.dumps(
                    {
                        "type": "catch_up",
                        "after": hello["seq"],
                        "targets": [["idea", idea.pk]],
                    }
                )
            )
            frames = await receive_until(page_b, lambda f: f["type"] == "caught_up")
            posted = [f for f in frames if f["type"] == "idea.posted"]
            assert len(posted) == 1 and "Posted while paused" in posted[0]["html"]
            snapshot = [f for f in frames if f["type"] == "tallies"][-1]
            supports = await sync_to_async(
                Vote.objects.filter(target_id=idea.pk, value=1).count
            )()
            assert snapshot["items"] == [
                {"kind": "idea", "id": idea.pk, "support": supports, "dont_support": 0}
            ]
            assert supports == len(voters)

            # News crosses workers again: posted through A, seen on B.
            await receive_until(
                page_a, lambda f: f == {"type": "live", "state": "live"}, timeout=10
            )
            response = await sync_to_async(on_a.post)(
                f"/campaigns/{campaign.slug}/ideas/new/",
                {"theme": theme.pk, "title": "After the outage", "body": "Hi."},
            )
            assert response.status_code == 302
            frames = await receive_until(
                page_b,
                lambda f: (
                    f["type"] == "idea.posted" and "After the outage" in f["html"]
                ),
                timeout=5,
            )
        print(f"paused told after {told_after:.1f} s; live again {resumed_after:.1f} s")

    try:
        run(asyncio.wait_for(scenario(), 120))
    finally:
        for person in (on_a, on_b, latecomer, *voters):
            person.close()
    # Logged once per outage per worker, not once a message.
    for server in (a, b):
        assert len(server.log_lines("Live updates paused")) == 1
        assert len(server.log_lines("Live updates resumed")) == 1
