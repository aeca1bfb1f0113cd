"""Authors edit their own ideas and comments while the campaign is open: cleaned
again, checked again by the hold rules, marked "Edited", published live, and
anonymous posts stay anonymous."""

import re
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from conversations import services
from conversations.exceptions import CampaignNotOpen, Refused
from conversations.models import Campaign, Comment, Idea, Visibility
from conversations.services import moderation, own_posts
from conversations.services.moderation_queue import moderation_queue
from notifications.models import Notification
from tests.conversations.conftest import event_types, last_event

pytestmark = pytest.mark.django_db

NHS_NUMBER = "943 476 5919"  # passes the modulus 11 check


@pytest.fixture
def author(make_staff):
    return make_staff(display_name="Olu Owner")


@pytest.fixture
def campaign(make_campaign):
    return make_campaign("open", allow_anonymous=True)


def post(author, campaign, *, anonymous=False, body="A quiet room on every ward."):
    return services.post_idea(
        author,
        campaign,
        theme=campaign.themes.first(),
        title="Quiet rooms",
        body=body,
        anonymous=anonymous,
    )


def reload(obj):
    return type(obj).objects.get(pk=obj.pk)


# -- the service -------------------------------------------------------------------


def test_the_author_edits_their_idea_and_everyone_sees_it_marked_edited(
    author, campaign, django_capture_on_commit_callbacks
):
    idea = post(author, campaign)

    with django_capture_on_commit_callbacks(execute=True):
        own_posts.edit_own_idea(
            author, idea, title="Quiet rooms, please", body="One per ward."
        )

    idea = reload(idea)
    assert (idea.title, idea.body) == ("Quiet rooms, please", "One per ward.")
    assert idea.edited_at is not None
    assert idea.visibility == Visibility.VISIBLE
    event = last_event(campaign)
    assert event["type"] == "idea.edited" and event["idea_id"] == idea.pk
    assert "Quiet rooms, please" in event["html"]
    assert re.search(r"data-edited-by-author>Edited <time datetime=", event["html"])


def test_an_edit_is_cleaned_by_the_one_sanitiser(author, campaign):
    idea = post(author, campaign)

    own_posts.edit_own_idea(
        author,
        idea,
        title="<b>Bold</b> <script>alert(1)</script>title",
        body='Look <img src=x onerror=alert(1)><a href="javascript:alert(1)">here</a>',
    )

    idea = reload(idea)
    assert "<" not in idea.title
    assert "onerror" not in idea.body and "javascript:" not in idea.body
    assert "<script" not in idea.body


def test_an_edit_that_adds_an_nhs_number_is_held_and_leaves_the_page(
    author, campaign, make_staff
):
    idea = post(author, campaign)

    own_posts.edit_own_idea(
        author, idea, title="Quiet rooms", body=f"Patient {NHS_NUMBER} agreed"
    )

    idea = reload(idea)
    assert idea.visibility == Visibility.HELD
    assert "NHS number" in idea.hold_reason
    assert event_types(campaign)[-1] == "idea.hidden"
    assert NHS_NUMBER not in str(last_event(campaign))
    told = Notification.objects.filter(recipient=author, kind="moderation.held")
    assert told.exists()


def test_in_a_pre_moderated_campaign_an_edit_waits_for_a_moderator(
    author, campaign, moderator
):
    idea = post(author, campaign)
    Campaign.objects.filter(pk=campaign.pk).update(pre_moderation=True)
    idea = Idea.objects.select_related("campaign").get(pk=idea.pk)

    own_posts.edit_own_idea(author, idea, title="Quiet rooms", body="Changed text")

    assert reload(idea).visibility == Visibility.HELD
    moderation.approve_post(moderator, reload(idea))
    assert reload(idea).visibility == Visibility.VISIBLE


def test_an_edited_comment_is_published_and_a_held_edit_takes_it_off_the_page(
    author, campaign, make_staff, django_capture_on_commit_callbacks
):
    idea = post(make_staff(), campaign)
    comment = services.post_comment(author, idea, body="Good idea")

    with django_capture_on_commit_callbacks(execute=True):
        own_posts.edit_own_comment(author, comment, body="Great idea")
    event = last_event(campaign)
    assert (event["type"], event["comment_id"]) == ("comment.edited", comment.pk)
    assert "Great idea" in event["html"]

    own_posts.edit_own_comment(author, reload(comment), body="Ring 07700 900123")
    assert reload(comment).visibility == Visibility.HELD
    event = last_event(campaign)
    assert (event["type"], event["comment_count"]) == ("comment.hidden", 0)
    assert reload(idea).comment_count == 0


def test_an_edited_anonymous_post_still_never_names_its_author(
    author, campaign, make_staff
):
    idea = post(author, campaign, anonymous=True)
    comment = services.post_comment(author, idea, body="Me too", anonymous=True)

    own_posts.edit_own_idea(author, idea, title="Quiet rooms", body="Edited idea")
    own_posts.edit_own_comment(author, reload(comment), body="Edited comment")

    for payload in (last_event(campaign), _event_before_last(campaign)):
        assert "Olu Owner" not in str(payload)
        assert "A colleague" in payload["html"]


def _event_before_last(campaign):
    from conversations.models import CampaignEvent

    return CampaignEvent.objects.filter(campaign=campaign).order_by("-seq")[1].payload


def test_nobody_else_can_edit_a_post(author, campaign, make_staff):
    idea = post(author, campaign)
    for other in (
        make_staff(),
        make_staff(roles=["moderator"]),
        make_staff(roles=["engagement_manager"]),
    ):
        with pytest.raises(PermissionDenied):
            own_posts.edit_own_idea(other, idea, title="Mine now", body="Hijacked")
    assert reload(idea).title == "Quiet rooms"


def test_a_closed_campaign_refuses_edits(author, campaign):
    idea = post(author, campaign)
    closed = timezone.now() + (campaign.closes_at - campaign.opens_at)

    with pytest.raises(CampaignNotOpen):
        own_posts.edit_own_idea(author, idea, title="Late", body="Late", now=closed)


def test_a_hidden_post_cannot_be_edited_the_author_asks_for_a_review(
    author, campaign, moderator
):
    idea = post(author, campaign)
    moderation.hide_post(moderator, idea, "spam")

    with pytest.raises(Refused, match="ask for a review"):
        own_posts.edit_own_idea(author, reload(idea), title="Fixed", body="Fixed")


def test_an_empty_or_unchanged_edit_is_refused_with_a_reason(author, campaign):
    idea = post(author, campaign)

    with pytest.raises(ValidationError, match="Enter"):
        own_posts.edit_own_idea(author, idea, title="Quiet rooms", body="   ")
    with pytest.raises(ValidationError, match="not changed"):
        own_posts.edit_own_idea(
            author, idea, title="Quiet rooms", body="A quiet room on every ward."
        )


# -- the pages ---------------------------------------------------------------------


def test_the_author_edits_their_idea_through_the_site(client, author, campaign):
    idea = post(author, campaign)
    client.force_login(author)
    page = client.get(idea.get_absolute_url()).content.decode()
    url = reverse("me:edit_idea", args=[idea.pk])
    assert url in page

    form = client.get(url)
    response = client.post(url, {"title": "Quiet rooms", "body": "One per ward."})

    assert form.status_code == 200
    assert "A quiet room on every ward." in form.content.decode()
    assert response["Location"] == idea.get_absolute_url()
    shown = client.get(idea.get_absolute_url()).content.decode()
    assert "One per ward." in shown and "Edited" in shown


def test_bad_input_re_renders_the_form_with_the_text_and_a_message(
    client, author, campaign
):
    idea = post(author, campaign)
    client.force_login(author)
    url = reverse("me:edit_idea", args=[idea.pk])

    response = client.post(url, {"title": "", "body": "Keep this text"})

    assert response.status_code == 400
    html = response.content.decode()
    assert "Keep this text" in html
    assert "Enter a title for your idea." in html
    assert reload(idea).body == "A quiet room on every ward."


def test_the_author_edits_a_comment_through_the_site(
    client, author, campaign, make_staff
):
    idea = post(make_staff(), campaign)
    comment = services.post_comment(author, idea, body="Good idea")
    client.force_login(author)
    url = reverse("me:edit_comment", args=[comment.pk])
    assert url in client.get(idea.get_absolute_url()).content.decode()

    response = client.post(url, {"body": "Great idea"})

    assert response["Location"] == comment.get_absolute_url()
    assert Comment.objects.get(pk=comment.pk).body == "Great idea"


@pytest.mark.parametrize("role", [None, "moderator"])
def test_someone_elses_post_has_no_edit_page(
    client, author, campaign, make_staff, role
):
    idea = post(author, campaign)
    client.force_login(make_staff(roles=[role] if role else []))

    assert client.get(reverse("me:edit_idea", args=[idea.pk])).status_code == 404
    response = client.post(
        reverse("me:edit_idea", args=[idea.pk]), {"title": "x", "body": "y"}
    )
    assert response.status_code == 404
    assert (
        reverse("me:edit_idea", args=[idea.pk])
        not in client.get(idea.get_absolute_url()).content.decode()
    )


def test_a_held_edit_tells_the_author_why(client, author, campaign):
    idea = post(author, campaign)
    client.force_login(author)

    response = client.post(
        reverse("me:edit_idea", args=[idea.pk]),
        {"title": "Quiet rooms", "body": f"For {NHS_NUMBER}"},
        follow=True,
    )

    assert "waiting for a moderator" in response.content.decode()


def test_edit_links_are_on_your_posts_page_only_while_the_campaign_is_open(
    client, author, campaign, make_campaign, make_idea
):
    idea = post(author, campaign)
    closed_idea = make_idea(make_campaign("closed"), author=author)
    client.force_login(author)

    html = client.get(reverse("me:posts")).content.decode()

    assert reverse("me:edit_idea", args=[idea.pk]) in html
    assert reverse("me:edit_idea", args=[closed_idea.pk]) not in html
    assert client.get(reverse("me:edit_idea", args=[closed_idea.pk])).status_code == 403


# -- ground rules before a first post (issue 7) -------------------------------------


def test_the_ground_rules_are_shown_in_full_before_a_persons_first_post(
    client, author, campaign, make_staff
):
    other = make_staff()
    idea = post(other, campaign)
    client.force_login(author)
    form_url = reverse("conversations:idea_create", args=[campaign.slug])

    before = [
        client.get(url).content.decode() for url in (form_url, idea.get_absolute_url())
    ]
    services.post_comment(author, idea, body="My first comment")
    after = [
        client.get(url).content.decode() for url in (form_url, idea.get_absolute_url())
    ]

    for html in before:
        assert "Before your first post: the ground rules" in html
        assert "Moderators cannot see who wrote it either." in html
        assert reverse("conversations:ground_rules") in html
    for html in after:
        assert "Before your first post" not in html
        # Still one click away from every posting form.
        assert reverse("conversations:ground_rules") in html


def test_an_old_post_held_by_an_edit_waits_in_the_queue_from_the_edit(
    author, campaign, settings
):
    settings.MODERATION_TARGET_HOURS = 24
    idea = post(author, campaign)
    Idea.objects.filter(pk=idea.pk).update(
        created_at=timezone.now() - timedelta(days=3)
    )

    own_posts.edit_own_idea(author, reload(idea), title="Quiet rooms", body=NHS_NUMBER)

    (item,) = moderation_queue(None, timezone.now()).items
    assert item.post.pk == idea.pk and item.held
    assert item.waited < timedelta(minutes=5)
    assert not item.overdue


def test_editing_a_reply_in_a_hidden_thread_publishes_nothing(
    author, campaign, make_staff, moderator
):
    idea = post(make_staff(), campaign)
    top = services.post_comment(make_staff(), idea, body="Rude remark")
    reply = services.post_comment(author, idea, body="Calm reply", parent=top)
    moderation.hide_post(moderator, top, "offensive")
    before = event_types(campaign)

    own_posts.edit_own_comment(author, reload(reply), body="Calmer reply")

    assert event_types(campaign) == before
    assert reload(reply).body == "Calmer reply"
