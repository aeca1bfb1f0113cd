"""conversations.services.vote: who may vote on what, and when."""

import pytest

from conversations import services, stats
from conversations.exceptions import CampaignNotOpen, NotInAudience, Refused
from conversations.models import Participation, Visibility
from voting.models import Vote

pytestmark = pytest.mark.django_db


def test_open_campaign_takes_a_vote_on_an_idea(staff, open_campaign, make_idea):
    idea = make_idea(open_campaign)

    result = services.vote(staff, idea, 1)

    assert (result.value, result.support, result.dont_support) == (1, 1, 0)


def test_open_campaign_takes_a_vote_on_a_comment(
    staff, open_campaign, make_idea, make_comment
):
    comment = make_comment(make_idea(open_campaign))

    result = services.vote(staff, comment, -1)

    assert (result.support, result.dont_support) == (0, 1)


def test_closed_campaign_refuses_votes(staff, make_campaign, make_idea, make_comment):
    idea = make_idea(make_campaign("closed"))
    comment = make_comment(idea)

    with pytest.raises(CampaignNotOpen):
        services.vote(staff, idea, 1)
    with pytest.raises(CampaignNotOpen):
        services.vote(staff, comment, 1)

    assert not Vote.objects.exists()


def test_scheduled_campaign_refuses_votes_and_says_when_it_opens(
    staff, make_campaign, make_idea
):
    idea = make_idea(make_campaign("scheduled"))

    with pytest.raises(CampaignNotOpen) as refused:
        services.vote(staff, idea, 1)

    assert "opens on" in str(refused.value.message)


def test_team_campaign_refuses_votes_from_outsiders(
    staff, make_campaign, make_team, make_idea
):
    idea = make_idea(make_campaign("open", audience_teams=[make_team()]))

    with pytest.raises(NotInAudience):
        services.vote(staff, idea, 1)


@pytest.mark.parametrize("visibility", [Visibility.HELD, Visibility.HIDDEN])
def test_posts_not_visible_take_no_votes(staff, open_campaign, make_idea, visibility):
    idea = make_idea(open_campaign, visibility=visibility)

    with pytest.raises(Refused):
        services.vote(staff, idea, 1)


def test_voting_records_participation_once(staff, open_campaign, make_idea):
    first, second = make_idea(open_campaign), make_idea(open_campaign)

    services.vote(staff, first, 1)
    services.vote(staff, second, -1)
    services.vote(staff, first, -1)

    assert (
        Participation.objects.filter(campaign=open_campaign, staff_member=staff).count()
        == 1
    )


def test_taking_back_a_vote_alone_does_not_count_as_taking_part(
    staff, open_campaign, make_idea
):
    services.vote(staff, make_idea(open_campaign), 0)

    assert not Participation.objects.filter(staff_member=staff).exists()


def test_votes_show_in_the_campaign_counts_straight_away(
    make_staff, open_campaign, make_idea, make_comment
):
    idea = make_idea(open_campaign)
    comment = make_comment(idea)
    assert stats.counts(open_campaign).votes == 0  # now cached

    services.vote(make_staff(), idea, 1)
    services.vote(make_staff(), idea, -1)
    services.vote(make_staff(), comment, 1)

    open_campaign.refresh_from_db()  # as the next request reads it
    assert stats.counts(open_campaign).votes == 3
