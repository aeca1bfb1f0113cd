"""Every change to a campaign shows on its very next page: what the page shows is
keyed by versions read with the campaign's row on every request."""

import pytest
from django.urls import reverse

from conversations import services

pytestmark = pytest.mark.django_db


def _page(client, campaign):
    response = client.get(reverse("conversations:campaign", args=[campaign.slug]))
    assert response.status_code == 200
    return response.content.decode()


def test_every_change_to_a_campaign_shows_on_its_next_page(
    client, staff, manager, make_team, open_campaign, make_idea
):
    client.force_login(staff)
    assert open_campaign.title in _page(client, open_campaign)

    services.update_campaign(
        open_campaign,
        manager,
        themes=[t.name for t in open_campaign.themes.all()],
        title="A new title",
    )
    assert "A new title" in _page(client, open_campaign)

    idea = services.post_idea(
        make_idea(open_campaign).author,
        open_campaign,
        theme=open_campaign.themes.first(),
        title="Posted just now",
        body="A numbered event bumps the row.",
    )
    assert idea.title in _page(client, open_campaign)

    open_campaign.audience_teams.add(make_team())  # staff is in none of its teams
    response = client.get(reverse("conversations:campaign", args=[open_campaign.slug]))
    assert response.status_code == 403
