"""Following ideas, campaigns and boards; who hears about replies, new ideas and
status changes; and nobody outside a campaign's audience ever hears about it."""

import pytest
from django.urls import reverse

from conversations import services
from conversations.exceptions import NotInAudience
from conversations.services import moderation
from conversations.services.announcements import tell_followers_of_new_idea
from notifications import services as notifications
from notifications.models import Follow, Notification

pytestmark = pytest.mark.django_db


def kinds_for(person) -> list[str]:
    return list(
        Notification.objects.filter(recipient=person).values_list("kind", flat=True)
    )


def test_posting_and_commenting_follow_the_idea(
    open_campaign, make_staff, django_capture_on_commit_callbacks
):
    author, commenter = make_staff(), make_staff()
    theme = open_campaign.themes.first()
    with django_capture_on_commit_callbacks(execute=True):
        idea = services.post_idea(
            author, open_campaign, theme=theme, title="Quiet rooms", body="Please"
        )
        services.post_comment(commenter, idea, body="Yes")
    assert notifications.is_following(author, idea)
    assert notifications.is_following(commenter, idea)


def test_followers_hear_of_a_status_change_with_the_moderators_note(
    open_campaign,
    make_idea,
    make_staff,
    moderator,
    django_capture_on_commit_callbacks,
):
    idea = make_idea(open_campaign, title="Water fountains")
    follower, bystander = make_staff(), make_staff()
    services.follow_idea(follower, idea)
    with django_capture_on_commit_callbacks(execute=True):
        moderation.set_idea_status(
            moderator, idea, "adopted", "Fountains go in next month."
        )
    note = Notification.objects.get(recipient=follower)
    assert note.kind == "idea.status"
    assert "adopted" in note.message and "Fountains go in next month." in note.message
    assert note.url == idea.get_absolute_url()
    assert kinds_for(bystander) == []
    assert kinds_for(moderator) == []  # not told of their own act


def test_an_unfollow_sticks_when_the_person_comments_again(
    open_campaign, make_idea, make_staff, moderator, django_capture_on_commit_callbacks
):
    idea = make_idea(open_campaign)
    person = make_staff()
    with django_capture_on_commit_callbacks(execute=True):
        services.post_comment(person, idea, body="First")
        services.unfollow(person, idea)
        services.post_comment(person, idea, body="Second")
        moderation.set_idea_status(moderator, idea, "under_consideration")
    assert not notifications.is_following(person, idea)
    assert "idea.status" not in kinds_for(person)


def test_campaign_followers_hear_of_new_ideas_without_the_authors_name(
    open_campaign, make_staff, django_capture_on_commit_callbacks
):
    follower = make_staff()
    author = make_staff(display_name="Priya Shah")
    services.follow_campaign(follower, open_campaign)
    with django_capture_on_commit_callbacks(execute=True):
        services.post_idea(
            author,
            open_campaign,
            theme=open_campaign.themes.first(),
            title="Shorter handovers",
            body="A template",
        )
    note = Notification.objects.get(recipient=follower)
    assert note.kind == "idea.new" and "Shorter handovers" in note.message
    assert "Priya" not in note.message
    assert kinds_for(author) == []


def test_replies_tell_the_idea_author_and_the_comment_author_but_not_the_replier(
    open_campaign,
    make_idea,
    make_comment,
    make_staff,
    django_capture_on_commit_callbacks,
):
    idea_author, commenter, replier = make_staff(), make_staff(), make_staff()
    idea = make_idea(open_campaign, author=idea_author)
    comment = make_comment(idea, author=commenter)
    with django_capture_on_commit_callbacks(execute=True):
        services.post_comment(replier, idea, body="Good point", parent=comment)
        services.post_comment(idea_author, idea, body="Thanks all")
    assert kinds_for(idea_author) == ["reply"]  # the replier's, not their own
    assert kinds_for(commenter) == ["reply"]
    assert "your comment" in Notification.objects.get(recipient=commenter).message
    assert kinds_for(replier) == []


# -- audience: a campaign aimed at a team ------------------------------------------


@pytest.fixture
def team_campaign(make_campaign, make_team):
    team = make_team("Ward 7")
    return make_campaign("open", audience_teams=[team]), team


def test_someone_outside_a_team_campaign_cannot_follow_it_or_its_ideas(
    client, team_campaign, make_idea, make_staff
):
    campaign, team = team_campaign
    idea = make_idea(campaign, author=make_staff(teams=[team]))
    outsider = make_staff()
    with pytest.raises(NotInAudience):
        services.follow_campaign(outsider, campaign)
    with pytest.raises(NotInAudience):
        services.follow_idea(outsider, idea)
    client.force_login(outsider)
    assert (
        client.post(
            reverse("conversations:follow_campaign", args=[campaign.slug]),
            {"follow": "1"},
        ).status_code
        == 403
    )
    assert (
        client.post(
            reverse("conversations:follow_idea", args=[campaign.slug, idea.pk]),
            {"follow": "1"},
        ).status_code
        == 403
    )
    assert not Follow.objects.filter(follower=outsider).exists()


def test_a_member_follows_a_team_campaign_from_its_page(
    client, team_campaign, make_staff
):
    campaign, team = team_campaign
    member = make_staff(teams=[team])
    client.force_login(member)
    url = reverse("conversations:follow_campaign", args=[campaign.slug])
    response = client.post(url, {"follow": "1"})
    assert response.status_code == 302
    assert notifications.is_following(member, campaign)
    page = client.get(campaign.get_absolute_url()).content.decode()
    assert 'aria-pressed="true"' in page  # the button now says "Following"
    client.post(url, {"follow": "0"})
    assert not notifications.is_following(member, campaign)


def test_someone_who_left_the_team_is_not_told_about_its_campaign_any_more(
    team_campaign, make_idea, make_staff, moderator, django_capture_on_commit_callbacks
):
    campaign, team = team_campaign
    leaver = make_staff(teams=[team])
    idea = make_idea(campaign, author=make_staff(teams=[team]))
    services.follow_campaign(leaver, campaign)
    services.follow_idea(leaver, idea)
    leaver.memberships.all().delete()  # left the team; the follows remain
    with django_capture_on_commit_callbacks(execute=True):
        moderation.set_idea_status(moderator, idea, "adopted", "Going ahead")
        services.post_idea(
            make_staff(teams=[team]),
            campaign,
            theme=campaign.themes.first(),
            title="Another",
            body="Idea",
        )
    assert kinds_for(leaver) == []


def test_a_follow_button_is_on_the_idea_page(client, open_campaign, make_idea, staff):
    idea = make_idea(open_campaign)
    client.force_login(staff)
    page = client.get(idea.get_absolute_url()).content.decode()
    assert (
        reverse("conversations:follow_idea", args=[open_campaign.slug, idea.pk]) in page
    )


def test_new_ideas_are_told_after_commit_and_not_if_hidden_by_then(
    open_campaign, make_staff, moderator
):
    follower = make_staff()
    services.follow_campaign(follower, open_campaign)
    # No commit here: the fan-out waits for it, so nobody is told inside the request.
    idea = services.post_idea(
        make_staff(),
        open_campaign,
        theme=open_campaign.themes.first(),
        title="Too hot to handle",
        body="Idea",
    )
    assert kinds_for(follower) == []
    moderation.hide_post(moderator, idea, "spam")
    assert tell_followers_of_new_idea.call(idea.pk) == 0
    assert kinds_for(follower) == []


def test_following_and_unfollowing_show_at_once_however_they_are_done(
    make_staff, make_campaign, make_idea
):
    person = make_staff()
    campaign = make_campaign("open")
    idea = make_idea(campaign)
    assert not notifications.is_following(person, idea)
    notifications.follow(person, idea)
    assert notifications.is_following(person, idea)
    notifications.unfollow(person, idea)
    assert not notifications.is_following(person, idea)
    notifications.follow(person, idea)
    assert notifications.is_following(person, idea)
    follow = Follow.objects.get(follower=person, target_id=idea.pk)
    assert notifications.unfollow_by_id(person, follow.pk)
    assert not notifications.is_following(person, idea)
    notifications.follow(person, campaign)
    notifications.forget(person)
    assert not notifications.is_following(person, campaign)
