"""conversations.services: posting ideas and comments, and who may do it when."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from conversations import services, stats
from conversations.exceptions import (
    CampaignNotOpen,
    NotInAudience,
    RateLimited,
    Refused,
)
from conversations.models import Comment, Idea, Participation
from conversations.services import BODY_MAX, COMMENT_MAX, TITLE_MAX

pytestmark = pytest.mark.django_db


def theme_of(campaign):
    return campaign.themes.first()


def post(author, campaign, **fields):
    fields = {
        "theme": theme_of(campaign),
        "title": "Protected lunch breaks",
        "body": "Half an hour away from the ward.",
        **fields,
    }
    return services.post_idea(author, campaign, **fields)


# Ideas ---------------------------------------------------------------------------------


def test_open_campaign_takes_a_new_idea(staff, open_campaign):
    idea = post(staff, open_campaign)

    assert idea.pk is not None
    assert (idea.campaign, idea.author) == (open_campaign, staff)
    assert idea.title == "Protected lunch breaks"
    assert idea.is_anonymous is False
    assert idea.status == Idea.Status.NEW


def test_closed_campaign_refuses_new_ideas(staff, make_campaign):
    campaign = make_campaign("closed")

    with pytest.raises(CampaignNotOpen) as refused:
        post(staff, campaign)

    assert "closed" in str(refused.value.message)
    assert refused.value.status_code == 403
    assert not Idea.objects.exists()


def test_scheduled_campaign_refuses_ideas_and_says_when_it_opens(staff, make_campaign):
    london = ZoneInfo("Europe/London")
    now = datetime(2031, 2, 20, 12, 0, tzinfo=london)
    campaign = make_campaign("open", now=now)
    campaign.opens_at = datetime(2031, 3, 1, 9, 30, tzinfo=london)
    campaign.closes_at = datetime(2031, 3, 21, 17, 0, tzinfo=london)
    campaign.save()

    with pytest.raises(CampaignNotOpen) as refused:
        post(staff, campaign, now=now)

    assert "opens on 1 March 2031, 09:30" in str(refused.value.message)
    assert not Idea.objects.exists()


def test_draft_campaign_refuses_ideas(staff, make_campaign):
    with pytest.raises(CampaignNotOpen):
        post(staff, make_campaign("draft"))


def test_campaign_takes_ideas_exactly_from_opening_until_closing(staff, open_campaign):
    post(staff, open_campaign, now=open_campaign.opens_at)
    with pytest.raises(CampaignNotOpen):
        post(staff, open_campaign, now=open_campaign.opens_at - timedelta(seconds=1))
    with pytest.raises(CampaignNotOpen):
        post(staff, open_campaign, now=open_campaign.closes_at)


def test_team_campaign_refuses_people_outside_its_teams(
    make_campaign, make_team, make_staff
):
    campaign = make_campaign("open", audience_teams=[make_team()])

    with pytest.raises(NotInAudience) as refused:
        post(make_staff(), campaign)

    assert "particular teams" in str(refused.value.message)


def test_team_campaign_takes_ideas_from_its_team_members(
    make_campaign, make_team, make_staff
):
    ward, other = make_team(), make_team()
    campaign = make_campaign("open", audience_teams=[ward, other])

    idea = post(make_staff(teams=[other]), campaign)

    assert idea.pk is not None


def test_managers_and_moderators_are_in_every_audience(
    make_campaign, make_team, manager, moderator
):
    campaign = make_campaign("open", audience_teams=[make_team()])

    post(manager, campaign)
    post(moderator, campaign)

    assert campaign.ideas.count() == 2


def test_anonymous_idea_is_refused_where_the_campaign_does_not_allow_it(
    staff, open_campaign
):
    with pytest.raises(Refused) as refused:
        post(staff, open_campaign, anonymous=True)

    assert "anonymous" in str(refused.value.message)
    assert not Idea.objects.exists()


def test_anonymous_idea_is_kept_where_the_campaign_allows_it(staff, make_campaign):
    campaign = make_campaign("open", allow_anonymous=True)

    idea = post(staff, campaign, anonymous=True)

    assert idea.is_anonymous is True
    assert idea.author_label_for(staff) == "You (posted anonymously)"


def test_idea_needs_a_theme_from_its_own_campaign(staff, open_campaign, make_campaign):
    elsewhere = make_campaign("open")

    with pytest.raises(ValidationError):
        post(staff, open_campaign, theme=theme_of(elsewhere))


@pytest.mark.parametrize("title", ["", "   ", "<script></script>", "<b> </b>"])
def test_idea_without_a_title_is_refused(staff, open_campaign, title):
    with pytest.raises(ValidationError) as error:
        post(staff, open_campaign, title=title)

    assert "title" in " ".join(error.value.messages)


@pytest.mark.parametrize(
    "body", ["", "  \n ", "<script></script>", "<img src=x onerror=alert(1)>"]
)
def test_idea_without_a_body_is_refused(staff, open_campaign, body):
    with pytest.raises(ValidationError):
        post(staff, open_campaign, body=body)
    assert not Idea.objects.exists()


def test_over_long_title_is_refused(staff, open_campaign):
    post(staff, open_campaign, title="t" * TITLE_MAX)

    with pytest.raises(ValidationError) as error:
        post(staff, open_campaign, title="t" * (TITLE_MAX + 1))

    assert str(TITLE_MAX) in " ".join(error.value.messages)


def test_over_long_body_is_refused(staff, open_campaign):
    with pytest.raises(ValidationError) as error:
        post(staff, open_campaign, body="b" * (BODY_MAX + 1))

    assert str(BODY_MAX) in " ".join(error.value.messages)


def test_idea_text_is_stored_sanitised(staff, open_campaign):
    idea = post(
        staff,
        open_campaign,
        title="<b>Better</b> rotas <script>alert(1)</script>",
        body='<p onclick="x()">Rotas <a href="javascript:alert(1)">here</a></p>'
        "<script>steal()</script><img src=x onerror=alert(1)>",
    )
    idea.refresh_from_db()

    assert idea.title == "Better rotas alert(1)"
    assert "<" not in idea.title
    for bad in ("<script", "onclick", "onerror", "javascript:", "<img"):
        assert bad not in idea.body
    assert idea.body.startswith("<p>Rotas <a")


def test_posting_an_idea_records_participation_once(staff, open_campaign):
    post(staff, open_campaign)
    post(staff, open_campaign, title="Second thoughts")

    assert (
        Participation.objects.filter(campaign=open_campaign, staff_member=staff).count()
        == 1
    )


def test_posting_an_idea_refreshes_the_campaign_counts(staff, open_campaign):
    assert stats.counts(open_campaign).ideas == 0  # now cached

    post(staff, open_campaign)

    open_campaign.refresh_from_db()  # as the next request reads it
    counts = stats.counts(open_campaign)
    # One person is a small number: published as None ("fewer than 5").
    assert (counts.ideas, counts.people) == (1, None)


def test_posting_too_often_is_rate_limited(staff, open_campaign, make_idea, settings):
    settings.POSTING_RATE_LIMIT = 3
    idea = make_idea(open_campaign)
    post(staff, open_campaign)
    post(staff, open_campaign)
    services.post_comment(staff, idea, body="Agreed")

    with pytest.raises(RateLimited) as refused:
        post(staff, open_campaign)
    with pytest.raises(RateLimited):
        services.post_comment(staff, idea, body="Agreed again")

    assert refused.value.status_code == 429
    assert "wait" in str(refused.value.message)
    assert Idea.objects.filter(author=staff).count() == 2


def test_rate_limit_counts_each_person_separately(open_campaign, make_staff, settings):
    settings.POSTING_RATE_LIMIT = 1
    first, second = make_staff(), make_staff()

    post(first, open_campaign)
    post(second, open_campaign)

    with pytest.raises(RateLimited):
        post(first, open_campaign)


def test_refused_posts_do_not_use_up_the_rate_limit(staff, open_campaign, settings):
    settings.POSTING_RATE_LIMIT = 1
    for _ in range(3):
        with pytest.raises(ValidationError):
            post(staff, open_campaign, title="")

    post(staff, open_campaign)


# Comments ------------------------------------------------------------------------------


@pytest.fixture
def idea(open_campaign, make_idea):
    return make_idea(open_campaign)


def test_open_campaign_takes_a_comment(staff, idea):
    comment = services.post_comment(staff, idea, body="I agree, breaks matter.")

    assert (comment.idea, comment.author, comment.parent) == (idea, staff, None)
    assert comment.body == "I agree, breaks matter."


def test_closed_campaign_refuses_new_comments(staff, make_campaign, make_idea):
    idea = make_idea(make_campaign("closed"))

    with pytest.raises(CampaignNotOpen):
        services.post_comment(staff, idea, body="Too late?")

    assert not Comment.objects.exists()


def test_team_campaign_refuses_comments_from_outsiders(
    make_campaign, make_team, make_idea, staff
):
    idea = make_idea(make_campaign("open", audience_teams=[make_team()]))

    with pytest.raises(NotInAudience):
        services.post_comment(staff, idea, body="Hello")


def test_comment_text_is_stored_sanitised(staff, idea):
    comment = services.post_comment(
        staff,
        idea,
        body='Yes <script>alert(1)</script><a href="https://x.nhs.uk">see</a>',
    )

    assert "<script" not in comment.body
    assert 'rel="nofollow noopener noreferrer"' in comment.body


@pytest.mark.parametrize("body", ["", "   ", "<script></script>"])
def test_empty_comment_is_refused(staff, idea, body):
    with pytest.raises(ValidationError):
        services.post_comment(staff, idea, body=body)


def test_over_long_comment_is_refused(staff, idea):
    services.post_comment(staff, idea, body="c" * COMMENT_MAX)

    with pytest.raises(ValidationError):
        services.post_comment(staff, idea, body="c" * (COMMENT_MAX + 1))


def test_anonymous_comment_is_refused_where_the_campaign_does_not_allow_it(staff, idea):
    with pytest.raises(Refused):
        services.post_comment(staff, idea, body="Quietly", anonymous=True)


def test_anonymous_comment_is_kept_where_the_campaign_allows_it(
    staff, make_campaign, make_idea
):
    idea = make_idea(make_campaign("open", allow_anonymous=True))

    comment = services.post_comment(staff, idea, body="Quietly", anonymous=True)

    assert comment.is_anonymous is True


def test_reply_attaches_to_the_comment_it_answers(staff, idea, make_comment):
    top = make_comment(idea)

    reply = services.post_comment(staff, idea, body="Reply", parent=top)

    assert reply.parent == top


def test_reply_to_a_reply_attaches_to_the_top_level_comment(staff, idea, make_comment):
    top = make_comment(idea)
    reply = make_comment(idea, parent=top)

    reply_to_reply = services.post_comment(
        staff, idea, body="And another thing", parent=reply
    )

    assert reply_to_reply.parent == top


def test_reply_to_a_comment_on_another_idea_is_refused(
    staff, idea, open_campaign, make_idea, make_comment
):
    elsewhere = make_comment(make_idea(open_campaign))

    with pytest.raises(ValidationError):
        services.post_comment(staff, idea, body="Wrong thread", parent=elsewhere)


def test_each_comment_and_reply_adds_one_to_the_comment_count(staff, idea):
    top = services.post_comment(staff, idea, body="First")
    services.post_comment(staff, idea, body="Second", parent=top)
    services.post_comment(staff, idea, body="Third")

    idea.refresh_from_db()
    assert idea.comment_count == 3 == Comment.objects.filter(idea=idea).count()


def test_commenting_records_participation_once(staff, idea):
    services.post_comment(staff, idea, body="One")
    services.post_comment(staff, idea, body="Two")

    assert (
        Participation.objects.filter(campaign=idea.campaign, staff_member=staff).count()
        == 1
    )
