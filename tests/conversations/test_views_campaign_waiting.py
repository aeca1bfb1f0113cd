"""A person's own ideas waiting for a moderator: shown to them apart, to nobody else."""

import pytest
from django.urls import reverse

from conversations.models import Visibility

pytestmark = pytest.mark.django_db


def test_own_held_idea_is_listed_apart_for_its_author_only(
    client, make_staff, make_campaign, make_idea
):
    campaign = make_campaign("open")
    author, colleague = make_staff(), make_staff()
    make_idea(campaign, author=author, title="Visible one")
    held = make_idea(
        campaign, author=author, title="Waiting one", visibility=Visibility.HELD
    )
    held.hold_reason = "It looks like it contains a phone number."
    held.save()
    url = reverse("conversations:campaign", args=[campaign.slug])

    client.force_login(author)
    page = client.get(url).content.decode()
    assert "Your ideas waiting for a moderator" in page
    assert "Waiting one" in page and "contains a phone number" in page
    assert f'id="idea-{held.pk}"' not in page  # not in the public list
    assert "1 idea" in page  # the list counts visible ideas only

    client.force_login(colleague)
    page = client.get(url).content.decode()
    assert "Waiting one" not in page
    assert "Visible one" in page
