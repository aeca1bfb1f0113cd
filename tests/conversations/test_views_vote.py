"""Voting through the site: JSON for the page's script, a redirect for a plain form."""

import pytest
from django.urls import reverse

from voting.models import Vote
from voting.services import cast_vote

pytestmark = pytest.mark.django_db

JSON = {"HTTP_ACCEPT": "application/json"}


def vote_url(campaign, kind, target) -> str:
    return reverse("conversations:vote", args=[campaign.slug, kind, target.pk])


@pytest.fixture
def signed_in(client, staff):
    client.force_login(staff)
    return client


@pytest.fixture
def idea(open_campaign, make_idea):
    return make_idea(open_campaign)


def test_support_by_script_answers_with_the_tallies(
    signed_in, open_campaign, idea, make_staff
):
    cast_vote(make_staff(), idea, -1)

    response = signed_in.post(
        vote_url(open_campaign, "idea", idea), {"value": "support"}, **JSON
    )

    assert response.status_code == 200
    assert response.json() == {"value": 1, "support": 1, "dont_support": 1}


def test_dont_support_then_clear_by_script(signed_in, open_campaign, idea, staff):
    url = vote_url(open_campaign, "idea", idea)

    first = signed_in.post(url, {"value": "dont_support"}, **JSON).json()
    cleared = signed_in.post(url, {"value": "clear"}, **JSON).json()

    assert first == {"value": -1, "support": 0, "dont_support": 1}
    assert cleared == {"value": 0, "support": 0, "dont_support": 0}
    assert not Vote.objects.filter(voter=staff).exists()


def test_voting_twice_the_same_way_by_script_counts_once(
    signed_in, open_campaign, idea
):
    url = vote_url(open_campaign, "idea", idea)

    signed_in.post(url, {"value": "support"}, **JSON)
    again = signed_in.post(url, {"value": "support"}, **JSON).json()

    assert again == {"value": 1, "support": 1, "dont_support": 0}
    assert Vote.objects.count() == 1


def test_vote_on_a_comment_by_script(signed_in, open_campaign, idea, make_comment):
    comment = make_comment(idea)

    response = signed_in.post(
        vote_url(open_campaign, "comment", comment), {"value": "support"}, **JSON
    )

    assert response.json() == {"value": 1, "support": 1, "dont_support": 0}


def test_plain_form_vote_redirects_back_to_next(signed_in, open_campaign, idea):
    back = (
        reverse("conversations:campaign", args=[open_campaign.slug])
        + "?sort=supported&page=2"
    )

    response = signed_in.post(
        vote_url(open_campaign, "idea", idea), {"value": "support", "next": back}
    )

    assert response.status_code == 302
    assert response["Location"] == back
    assert Vote.objects.get().value == 1


def test_plain_form_vote_never_redirects_to_another_site(
    signed_in, open_campaign, idea
):
    response = signed_in.post(
        vote_url(open_campaign, "idea", idea),
        {"value": "support", "next": "https://evil.example.com/"},
    )

    assert response["Location"] == open_campaign.get_absolute_url()


def test_voting_on_a_closed_campaign_by_script_is_refused_with_the_message(
    signed_in, make_campaign, make_idea
):
    campaign = make_campaign("closed")
    idea = make_idea(campaign)

    response = signed_in.post(
        vote_url(campaign, "idea", idea), {"value": "support"}, **JSON
    )

    assert response.status_code == 403
    assert "This campaign is closed" in response.json()["error"]
    assert not Vote.objects.exists()


def test_voting_on_a_closed_campaign_by_plain_form_shows_a_refusal_page(
    signed_in, make_campaign, make_idea
):
    campaign = make_campaign("closed")
    idea = make_idea(campaign)

    response = signed_in.post(vote_url(campaign, "idea", idea), {"value": "support"})

    assert response.status_code == 403
    assert "This campaign is closed" in response.content.decode()


def test_vote_without_a_valid_value_is_refused(signed_in, open_campaign, idea):
    response = signed_in.post(
        vote_url(open_campaign, "idea", idea), {"value": "maybe"}, **JSON
    )

    assert response.status_code == 400
    assert "error" in response.json()
    assert not Vote.objects.exists()


def test_vote_must_be_a_post(signed_in, open_campaign, idea):
    assert signed_in.get(vote_url(open_campaign, "idea", idea)).status_code == 405


def test_vote_needs_sign_in(client, open_campaign, idea):
    response = client.post(vote_url(open_campaign, "idea", idea), {"value": "support"})

    assert response.status_code == 302
    assert not Vote.objects.exists()


def test_vote_on_an_unknown_kind_or_target_is_not_found(signed_in, open_campaign, idea):
    unknown_kind = reverse(
        "conversations:vote", args=[open_campaign.slug, "campaign", idea.pk]
    )
    unknown_idea = reverse(
        "conversations:vote", args=[open_campaign.slug, "idea", 999999]
    )

    assert signed_in.post(unknown_kind, {"value": "support"}).status_code == 404
    assert signed_in.post(unknown_idea, {"value": "support"}).status_code == 404


def test_vote_on_a_comment_from_another_campaign_is_not_found(
    signed_in, open_campaign, make_campaign, make_idea, make_comment
):
    other = make_comment(make_idea(make_campaign("open")))

    response = signed_in.post(
        vote_url(open_campaign, "comment", other), {"value": "support"}
    )

    assert response.status_code == 404


def test_vote_in_a_team_campaign_is_forbidden_to_outsiders(
    signed_in, make_campaign, make_team, make_idea
):
    campaign = make_campaign("open", audience_teams=[make_team()])
    idea = make_idea(campaign)

    response = signed_in.post(
        vote_url(campaign, "idea", idea), {"value": "support"}, **JSON
    )

    assert response.status_code == 403
    assert not Vote.objects.exists()
