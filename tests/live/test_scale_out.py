"""Two worker processes sharing Redis serve one campaign: a viewer on one sees what
happens through the other."""

import os

import pytest
from asgiref.sync import sync_to_async

from tests.live.helpers import Person, receive_until, run
from tests.servers import session_cookie_for

pytestmark = [
    pytest.mark.live,
    pytest.mark.django_db(transaction=True),
    pytest.mark.timeout(60),
    pytest.mark.skipif(
        not os.environ.get("REDIS_URL"),
        reason="scale-out needs the Redis channel layer (REDIS_URL); CI runs it there",
    ),
]


def test_viewer_on_worker_a_sees_ideas_and_votes_sent_through_worker_b(
    asgi_server, second_asgi_server, make_staff, make_campaign, make_idea
):
    campaign = make_campaign("open")
    idea = make_idea(campaign)
    theme = campaign.themes.first()
    viewer = Person(asgi_server, session_cookie_for(make_staff()))
    other_viewer = Person(second_asgi_server, session_cookie_for(make_staff()))
    actor = Person(second_asgi_server, session_cookie_for(make_staff()))

    async def scenario():
        async with (
            viewer.socket(campaign) as on_a,
            other_viewer.socket(campaign) as on_b,
        ):
            await receive_until(on_a, lambda f: f["type"] == "hello")
            # Viewers are counted across both processes.
            await receive_until(
                on_a, lambda f: f["type"] == "viewers" and f["count"] == 2
            )
            await sync_to_async(actor.vote)(campaign, "idea", idea.pk, "support")
            await receive_until(
                on_a,
                lambda f: (
                    f["type"] == "tallies"
                    and any(
                        i["id"] == idea.pk and i["support"] == 1 for i in f["items"]
                    )
                ),
            )
            response = await sync_to_async(actor.post)(
                f"/campaigns/{campaign.slug}/ideas/new/",
                {
                    "theme": theme.pk,
                    "title": "Across workers",
                    "body": "Posted through worker B.",
                },
            )
            assert response.status_code == 302
            frames = await receive_until(on_a, lambda f: f["type"] == "idea.posted")
            assert "Across workers" in frames[-1]["html"]
            await receive_until(on_b, lambda f: f["type"] == "idea.posted")

    try:
        run(scenario())
    finally:
        for person in (viewer, other_viewer, actor):
            person.close()
