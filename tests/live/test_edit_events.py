"""Authors' edits reach every viewer live: ``idea.edited`` and ``comment.edited``
carry the re-rendered partial (marked "Edited", anonymous authors still "a
colleague"), and an edit that is held takes the post off viewers' pages."""

# The socket fixtures are test_consumer's, imported so pytest finds them here.
# ruff: noqa: F811

import json
import re

import pytest

from conversations import services
from conversations.models import CampaignEvent
from conversations.services import own_posts
from tests.live.test_consumer import (  # noqa: F401 - fixtures
    author,
    campaign,
    connect,
    db,
    post_idea,
    theme,
    viewer,
    watch,
)

pytestmark = [
    pytest.mark.asyncio,
    pytest.mark.django_db(transaction=True),
    pytest.mark.timeout(30),
]


async def test_an_authors_idea_edit_reaches_viewers_with_the_new_card(
    watch, campaign, theme, viewer, author
):
    idea = await post_idea(author, campaign, theme, title="Later handovers")
    socket, _ = await watch(viewer, campaign)

    await db(own_posts.edit_own_idea)(
        author, idea, title="Handovers at 8", body="<p>Start at eight.</p>"
    )
    frame = await socket.frame_of("idea.edited")

    assert set(frame) == {"type", "seq", "idea_id", "html"}
    assert frame["idea_id"] == idea.pk
    assert f'id="idea-{idea.pk}"' in frame["html"]
    assert "Handovers at 8" in frame["html"]
    assert re.search(r"data-edited-by-author>Edited <time datetime=", frame["html"])
    assert "Rowan Openname" in frame["html"]
    # Nothing per-user: no "You", no edit link meant for the author.
    assert "You" not in frame["html"]
    assert "/edit/" not in frame["html"]
    stored = await db(CampaignEvent.objects.get)(campaign=campaign, seq=frame["seq"])
    assert stored.type == "idea.edited"


async def test_an_anonymous_comment_edit_never_names_its_author(
    watch, campaign, theme, make_idea, make_staff
):
    idea = await db(make_idea)(campaign)
    author = await db(make_staff)(email="sam.hushed@nhs.net", display_name="Sam Hushed")
    comment = await db(services.post_comment)(
        author, idea, body="Said quietly.", anonymous=True
    )
    socket, _ = await watch(author, campaign)  # the author is watching too

    await db(own_posts.edit_own_comment)(author, comment, body="Said more quietly.")
    frame = await socket.frame_of("comment.edited")

    assert (frame["idea_id"], frame["comment_id"]) == (idea.pk, comment.pk)
    assert "Said more quietly." in frame["html"]
    assert "A colleague" in frame["html"]
    text = json.dumps(frame)
    for secret in ("Sam Hushed", "Hushed", "sam.hushed"):
        assert secret not in text
    assert "You (posted anonymously)" not in text


async def test_an_edit_that_is_held_is_published_as_a_hide_without_its_text(
    watch, campaign, theme, viewer, author
):
    idea = await post_idea(author, campaign, theme)
    socket, _ = await watch(viewer, campaign)

    await db(own_posts.edit_own_idea)(
        author, idea, title="Later shift handovers", body="Patient 943 476 5919"
    )
    frame = await socket.frame_of("idea.hidden")

    assert frame["idea_id"] == idea.pk
    later = await socket.frames_until_quiet()
    assert "943" not in json.dumps([frame, *later])
    assert not [f for f in later if f["type"] in ("idea.edited", "idea.posted")]
