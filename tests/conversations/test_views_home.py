"""The home page: the campaigns a person can join, is waiting for, or can look back on."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_home_lists_open_upcoming_and_closed_campaigns_for_a_signed_in_person(
    client, staff, make_campaign
):
    make_campaign("open", title="Open conversation")
    make_campaign("scheduled", title="Upcoming conversation")
    make_campaign("closed", title="Finished conversation")
    client.force_login(staff)

    response = client.get(reverse("home"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Open conversation" in html
    assert "Upcoming conversation" in html
    assert "Finished conversation" in html
    assert [c.title for c in response.context["open_campaigns"]] == [
        "Open conversation"
    ]
    assert [c.title for c in response.context["upcoming_campaigns"]] == [
        "Upcoming conversation"
    ]
    assert [c.title for c in response.context["closed_campaigns"]] == [
        "Finished conversation"
    ]
    # Open first, then upcoming, then closed, as a person reads the page.
    assert (
        html.index("Open conversation")
        < html.index("Upcoming conversation")
        < html.index("Finished conversation")
    )


def test_home_hides_drafts_from_staff_but_shows_them_to_engagement_managers(
    client, staff, manager, make_campaign
):
    make_campaign("draft", title="Secret draft")

    client.force_login(staff)
    assert "Secret draft" not in client.get(reverse("home")).content.decode()

    client.force_login(manager)
    assert "Secret draft" in client.get(reverse("home")).content.decode()


def test_home_hides_team_campaigns_from_people_outside_the_teams(
    client, make_staff, make_team, make_campaign
):
    ward = make_team()
    make_campaign("open", title="Ward 7 shout", audience_teams=[ward])

    client.force_login(make_staff())
    assert "Ward 7 shout" not in client.get(reverse("home")).content.decode()

    client.force_login(make_staff(teams=[ward]))
    assert "Ward 7 shout" in client.get(reverse("home")).content.decode()


def test_home_shows_how_many_ideas_an_open_campaign_has(
    client, staff, make_campaign, make_idea
):
    campaign = make_campaign("open", title="Counted")
    for _ in range(3):
        make_idea(campaign)
    client.force_login(staff)

    response = client.get(reverse("home"))

    assert response.context["open_campaigns"][0].idea_total == 3
    assert "3 ideas" in response.content.decode()


def test_home_welcomes_people_who_are_not_signed_in(client, make_campaign):
    make_campaign("open", title="Open conversation")

    response = client.get(reverse("home"))

    assert response.status_code == 200
    assert "Open conversation" not in response.content.decode()
