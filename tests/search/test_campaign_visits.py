"""The campaign page's search box, "my ideas" and "new since your last visit"."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from conversations import visits
from conversations.models import CampaignVisit

pytestmark = pytest.mark.django_db


@pytest.fixture
def viewer(client, make_staff):
    person = make_staff()
    client.force_login(person)
    return person


def page(client, campaign) -> str:
    response = client.get(campaign.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def step_back(person, campaign, by: timedelta) -> None:
    """As if the person's last view of the campaign was ``by`` ago."""
    CampaignVisit.objects.filter(staff_member=person, campaign=campaign).update(
        seen_at=timezone.now() - by
    )


def test_the_campaign_page_searches_that_campaign_and_links_my_ideas(
    client, viewer, open_campaign
):
    html = page(client, open_campaign)
    assert f'action="{reverse("search:results")}"' in html
    assert f'name="campaign" value="{open_campaign.pk}"' in html
    assert f"?campaign={open_campaign.pk}&amp;mine=on" in html


def test_new_since_your_last_visit_counts_others_new_ideas_and_lists_them(
    client, viewer, open_campaign, make_idea
):
    make_idea(
        open_campaign,
        title="Seen before",
        created_at=timezone.now() - timedelta(hours=3),
    )
    assert "since your last visit" not in page(client, open_campaign)  # first visit
    step_back(viewer, open_campaign, visits.VISIT_GAP + timedelta(minutes=1))
    fresh = [make_idea(open_campaign, title=f"Fresh idea {n}") for n in range(2)]
    make_idea(open_campaign, author=viewer, title="My own new idea")

    html = page(client, open_campaign)

    assert "2 new ideas since your last visit" in html
    link = re.search(r'href="([^"]+)" data-new-since', html).group(1)
    listed = client.get(link.replace("&amp;", "&")).content.decode()
    assert set(re.findall(r'data-hit="idea-(\d+)"', listed)) == {
        str(i.pk) for i in fresh
    }
    assert "2 new ideas since your last visit" in listed


def test_the_count_holds_through_a_visit_and_resets_at_the_next(
    client, viewer, open_campaign, make_idea
):
    page(client, open_campaign)
    step_back(viewer, open_campaign, timedelta(hours=3))
    make_idea(open_campaign, created_at=timezone.now() - timedelta(hours=2))
    assert "1 new idea since your last visit" in page(client, open_campaign)
    assert "1 new idea since your last visit" in page(client, open_campaign)

    step_back(viewer, open_campaign, visits.VISIT_GAP + timedelta(minutes=1))
    assert "0 new ideas since your last visit" in page(client, open_campaign)


def test_a_visit_writes_its_row_at_most_once_every_few_minutes(
    client, viewer, open_campaign
):
    page(client, open_campaign)
    first = CampaignVisit.objects.get(staff_member=viewer).seen_at
    page(client, open_campaign)
    assert CampaignVisit.objects.get(staff_member=viewer).seen_at == first

    step_back(viewer, open_campaign, visits.SEEN_EVERY + timedelta(minutes=1))
    page(client, open_campaign)
    assert CampaignVisit.objects.get(staff_member=viewer).seen_at > first
    assert CampaignVisit.objects.count() == 1
