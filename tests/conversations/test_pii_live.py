"""A held post reaches nobody but its author and the moderators, on no channel: not the
campaign's websocket (live or caught up), not another viewer's page, not the counts,
not a colleague's notifications. Written the ways the old check missed (non-breaking
spaces, en dashes, full-width digits, markup between the digits)."""

import json

import pytest
from channels.db import database_sync_to_async
from django.test import Client

from conversations import services
from conversations.models import CampaignEvent, Visibility
from notifications.models import Notification

# The real ASGI app and its socket helpers, as the live tests drive them.
from tests.live.test_consumer import (  # noqa: F401
    campaign,
    connect,
    theme,
    viewer,
    watch,
)

db = database_sync_to_async

FORMS = [
    "Bay 4: 943\u00a0476\u00a05919 waited",
    "Bay 4: 943\u2013476\u20135919 waited",
    "Bay 4: \uff19\uff14\uff13 \uff14\uff17\uff16 \uff15\uff19\uff11\uff19 waited",
    "<p>Bay 4: 943<b>476</b>5919 waited</p>",
    "Ring 07911\u00a0123\u00a0456 after six",
]


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
@pytest.mark.timeout(30)
@pytest.mark.parametrize("body", FORMS)
async def test_a_held_idea_is_sent_to_no_other_viewer_and_only_the_moderators_hear(
    watch,  # noqa: F811 - the fixtures imported above
    campaign,  # noqa: F811
    theme,  # noqa: F811
    viewer,  # noqa: F811
    make_staff,
    body,
):
    author = await db(make_staff)(display_name="Ash Author")
    moderator = await db(make_staff)(roles=["moderator"])
    colleague_socket, _ = await watch(viewer, campaign)
    author_socket, _ = await watch(author, campaign)
    moderator_socket, _ = await watch(moderator, campaign)

    idea = await db(services.post_idea)(
        author, campaign, theme=theme, title="Bay 4 wait", body=body
    )
    assert idea.visibility == Visibility.HELD

    seen = await colleague_socket.frames_until_quiet(quiet=0.5)
    await colleague_socket.send_json({"type": "catch_up", "after": 0})
    seen += await colleague_socket.frames_until_quiet(quiet=0.4)
    to_moderators = await moderator_socket.frames_until_quiet(quiet=0.3)
    to_author = await author_socket.frames_until_quiet(quiet=0.3)

    for frames in (seen, to_moderators, to_author):
        text = json.dumps(frames)
        assert "Bay 4" not in text and "5919" not in text and "123" not in text
        assert not [f for f in frames if f.get("type", "").startswith("idea.")]
    # The moderators hear only that their queue changed: ids, no text, no author.
    queue = [f for f in to_moderators if f.get("type") == "queue.changed"]
    assert queue and all(set(f) <= {"type", "campaign_id", "why"} for f in queue)
    assert not [f for f in seen if f.get("type") == "queue.changed"]
    assert not await db(CampaignEvent.objects.filter(campaign=campaign).exists)()


@pytest.mark.django_db
@pytest.mark.parametrize("body", FORMS)
def test_a_held_idea_is_not_in_the_page_of_another_viewer(
    make_campaign, make_staff, moderator, body
):
    shared = make_campaign("open")
    author, colleague = make_staff(), make_staff()
    idea = services.post_idea(
        author,
        shared,
        theme=shared.themes.first(),
        title="Bay four wait",
        body=body,
    )
    assert idea.visibility == Visibility.HELD

    def page(person, path):
        client = Client()
        client.force_login(person)
        return client.get(path)

    listing = page(colleague, shared.get_absolute_url())
    assert listing.status_code == 200
    assert "Bay four wait" not in listing.text
    assert page(colleague, idea.get_absolute_url()).status_code == 404
    assert "Bay four wait" in page(author, shared.get_absolute_url()).text
    assert page(moderator, idea.get_absolute_url()).status_code == 200
    # Nobody but the author was told anything that names it.
    assert not Notification.objects.exclude(recipient=author).filter(
        message__contains="Bay four"
    )
