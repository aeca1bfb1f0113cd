"""A real websocket client against a running uvicorn server, with writes over HTTP."""

import json

import pytest
import websockets
from asgiref.sync import sync_to_async

from tests.live.helpers import Person, receive_until, run
from tests.servers import session_cookie_for
from voting.models import Vote

pytestmark = [
    pytest.mark.live,
    pytest.mark.django_db(transaction=True),
    pytest.mark.timeout(60),
]


@pytest.fixture
def people(asgi_server, make_staff, make_campaign, make_idea):
    campaign = make_campaign("open", allow_anonymous=True)
    idea = make_idea(campaign)
    viewer = make_staff()
    voters = [make_staff() for _ in range(3)]
    made = {
        "campaign": campaign,
        "idea": idea,
        "viewer": Person(asgi_server, session_cookie_for(viewer)),
        "voters": [Person(asgi_server, session_cookie_for(v)) for v in voters],
    }
    yield made
    for person in [made["viewer"], *made["voters"]]:
        person.close()


def test_viewer_sees_a_colleagues_idea_and_votes_arrive_live(people):
    campaign, idea, viewer = people["campaign"], people["idea"], people["viewer"]
    theme = campaign.themes.first()

    async def scenario():
        async with viewer.socket(campaign) as ws:
            hello = await receive_until(ws, lambda f: f["type"] == "hello")
            assert hello[-1]["seq"] == campaign.last_event_seq
            poster = people["voters"][0]
            response = await sync_to_async(poster.post)(
                f"/campaigns/{campaign.slug}/ideas/new/",
                {
                    "theme": theme.pk,
                    "title": "Hot food on nights",
                    "body": "Please.",
                    "anonymous": "on",
                },
            )
            assert response.status_code == 302
            frames = await receive_until(ws, lambda f: f["type"] == "idea.posted")
            posted = frames[-1]
            assert "Hot food on nights" in posted["html"]
            assert "A colleague" in posted["html"]
            for voter in people["voters"]:
                await sync_to_async(voter.vote)(campaign, "idea", idea.pk, "support")
            frames = await receive_until(
                ws,
                lambda f: (
                    f["type"] == "tallies"
                    and any(
                        i["id"] == idea.pk and i["support"] == 3 for i in f["items"]
                    )
                ),
            )
            assert frames[-1]["counts"]["votes"] == 3

    run(scenario())
    assert Vote.objects.filter(target_id=idea.pk).count() == 3


def test_reconnecting_viewer_catches_up_in_order_without_duplicates(people):
    campaign, viewer = people["campaign"], people["viewer"]
    theme = campaign.themes.first()
    poster = people["voters"][0]

    async def post(title):
        response = await sync_to_async(poster.post)(
            f"/campaigns/{campaign.slug}/ideas/new/",
            {"theme": theme.pk, "title": title, "body": "Body text."},
        )
        assert response.status_code == 302

    async def scenario():
        async with viewer.socket(campaign) as ws:
            await post("First")
            first = (await receive_until(ws, lambda f: f["type"] == "idea.posted"))[-1]
        # Connection dropped: two ideas are posted while the viewer is away.
        await post("Second")
        await post("Third")
        async with viewer.socket(campaign) as ws:
            await ws.send(json.dumps({"type": "catch_up", "after": first["seq"]}))
            frames = await receive_until(ws, lambda f: f["type"] == "caught_up")
        replayed = [f for f in frames if f["type"] == "idea.posted"]
        assert [f["seq"] for f in replayed] == [first["seq"] + 1, first["seq"] + 2]
        assert ["Second" in replayed[0]["html"], "Third" in replayed[1]["html"]] == [
            True,
            True,
        ]

    run(scenario())


def test_server_refuses_bad_messages_but_keeps_the_connection(people):
    campaign, viewer = people["campaign"], people["viewer"]

    async def scenario():
        async with viewer.socket(campaign) as ws:
            await receive_until(ws, lambda f: f["type"] == "hello")
            await ws.send("{not json")
            error = await receive_until(ws, lambda f: f["type"] == "error")
            assert "malformed" in error[-1]["reason"]
            await ws.send(json.dumps({"type": "post_idea", "title": "sneaky"}))
            await receive_until(ws, lambda f: f["type"] == "error")
            await ws.send(json.dumps({"type": "catch_up", "after": 0}))
            await receive_until(ws, lambda f: f["type"] == "caught_up")
            await ws.send("x" * 5000)  # too large: refused, the socket kept
            error = await receive_until(ws, lambda f: f["type"] == "error")
            assert "too large" in error[-1]["reason"]
            await ws.send(json.dumps({"type": "catch_up", "after": 0}))
            await receive_until(ws, lambda f: f["type"] == "caught_up")

    run(scenario())


def test_socket_from_another_site_or_signed_out_is_refused(asgi_server, people):
    campaign = people["campaign"]

    async def scenario():
        with pytest.raises(websockets.InvalidStatus):
            async with websockets.connect(
                f"{asgi_server.ws_url}/ws/campaigns/{campaign.pk}/",
                additional_headers={
                    "Cookie": f"sessionid={people['viewer'].session_key}",
                    "Origin": "https://evil.example",
                },
            ):
                pass
        async with websockets.connect(
            f"{asgi_server.ws_url}/ws/campaigns/{campaign.pk}/",
            additional_headers={"Origin": asgi_server.url},
        ) as ws:
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await ws.recv()
            assert closed.value.rcvd.code == 4403

    run(scenario())
