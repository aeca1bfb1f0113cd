"""A campaign page reads its campaign's versions and its viewer's votes there from the
cache in the same round trip as the viewer's row (``person_cache.also_fetch_for_path``),
and never takes another campaign's."""

from unittest import mock

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conversations import access, services
from conversations.models import Campaign

pytestmark = pytest.mark.django_db


def _page(client, campaign):
    response = client.get(reverse("conversations:campaign", args=[campaign.slug]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_campaign_versions_and_my_votes_come_with_my_row(
    client, staff, open_campaign, make_idea
):
    services.vote(staff, make_idea(open_campaign), 1)
    client.force_login(staff)
    _page(client, open_campaign)  # this process learns the campaign's id
    reads = []
    get_many = cache.get_many

    def recorded(keys, *args, **kwargs):
        reads.append(list(keys))
        return get_many(keys, *args, **kwargs)

    with (
        mock.patch.object(cache, "get_many", side_effect=recorded),
        CaptureQueriesContext(connection) as queries,
    ):
        page = _page(client, open_campaign)

    with_versions = [
        keys for keys in reads if any("campaign-version:" in k for k in keys)
    ]
    assert len(with_versions) == 1  # one round trip for the versions...
    (keys,) = with_versions
    assert any(key.startswith("person:") for key in keys)  # ...the viewer's own
    assert f"campaign-version:content:{open_campaign.pk}" in keys
    assert f"campaign-version:tallies:{open_campaign.pk}" in keys
    assert f"idea-votes:{open_campaign.pk}:{staff.pk}" in keys
    assert not [q for q in queries if "voting_vote" in q["sql"]]
    assert 'aria-pressed="true"' in page


def test_a_slug_given_to_another_campaign_shows_that_campaign(
    client, staff, make_campaign
):
    first = make_campaign("open", title="The first campaign")
    client.force_login(staff)
    assert "The first campaign" in _page(client, first)
    slug = first.slug
    first.slug = f"{slug}-old"  # as the admin's form saves it
    first.save()
    second = make_campaign("open", title="The second campaign")
    second.slug = slug
    second.save()

    page = _page(client, second)

    assert "The second campaign" in page and "The first campaign" not in page


def test_a_warm_campaign_page_reads_nothing_of_the_campaign_from_the_database(
    client, staff, open_campaign, make_idea
):
    make_idea(open_campaign)
    client.force_login(staff)
    _page(client, open_campaign)
    with CaptureQueriesContext(connection) as queries:
        _page(client, open_campaign)
    tables = " ".join(q["sql"] for q in queries)
    for table in ("conversations_campaign", "voting_vote", "notifications_follow"):
        assert table not in tables


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
    seq = Campaign.objects.get(pk=open_campaign.pk).last_event_seq
    assert access.campaign_by_slug(open_campaign.slug).last_event_seq == seq

    open_campaign.audience_teams.add(make_team())  # staff is in none of its teams
    response = client.get(reverse("conversations:campaign", args=[open_campaign.slug]))
    assert response.status_code == 403
