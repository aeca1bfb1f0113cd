"""Posts that may identify someone, and every post in a pre-moderated campaign, wait for
a moderator before anyone else sees them; their author is told why."""

import json

import pytest
from django.urls import reverse

from conversations import queries, services, stats
from conversations.exceptions import Refused
from conversations.live import events
from conversations.models import Campaign, Comment, Idea, Participation, Visibility
from conversations.services import moderation
from notifications.models import Notification
from tests.conversations.conftest import event_types

pytestmark = pytest.mark.django_db


def post_idea(author, campaign, body="Somewhere quiet.", **fields):
    return services.post_idea(
        author,
        campaign,
        theme=campaign.themes.first(),
        title=fields.pop("title", "Rest rooms"),
        body=body,
        **fields,
    )


@pytest.mark.parametrize(
    ("body", "found"),
    [
        ("Patient 943 476 5919 waited six hours", "an NHS number"),
        ("Email jo.evans@nhs.net for the rota", "an email address"),
        ("Ring 07700 900123 after six", "a phone number"),
        ("Ring +44 20 7946 0000", "a phone number"),
    ],
)
def test_an_idea_that_may_identify_someone_is_held_and_the_author_told_why(
    staff, open_campaign, body, found, django_capture_on_commit_callbacks, published
):
    with django_capture_on_commit_callbacks(execute=True):
        idea = post_idea(staff, open_campaign, body=body)

    assert idea.visibility == Visibility.HELD
    assert found in idea.hold_reason
    assert event_types(open_campaign) == []
    assert [g for g, _ in published] == [events.moderators_group(open_campaign.pk)]
    (note,) = Notification.objects.filter(recipient=staff)
    assert "waiting for a moderator" in note.message and found in note.message
    assert note.url == idea.get_absolute_url()


def test_a_number_that_fails_the_check_digit_is_not_held(staff, open_campaign):
    idea = post_idea(staff, open_campaign, body="Ticket 943 476 5918 is closed")

    assert idea.visibility == Visibility.VISIBLE
    assert idea.hold_reason == ""
    assert event_types(open_campaign) == ["idea.posted"]


def test_a_name_in_the_title_is_checked_too(staff, open_campaign):
    idea = post_idea(staff, open_campaign, title="Call jo@nhs.net")

    assert idea.visibility == Visibility.HELD


def test_a_held_idea_is_not_counted_and_not_listed_for_colleagues(
    staff, make_staff, open_campaign
):
    idea = post_idea(staff, open_campaign, body="943 476 5919")
    colleague = make_staff()

    counts = stats.counts(open_campaign)
    assert (counts.ideas, counts.people) == (0, None)  # None: "fewer than 5"
    assert not Participation.objects.exists()
    assert list(queries.campaign_ideas(open_campaign, colleague)) == []
    assert queries.idea_for_page(open_campaign, colleague, idea.pk) is None
    assert queries.idea_for_page(open_campaign, staff, idea.pk) is not None


def test_a_comment_that_may_identify_someone_is_held_and_not_counted(
    staff, open_campaign, make_idea, django_capture_on_commit_callbacks, published
):
    idea = make_idea(open_campaign)

    with django_capture_on_commit_callbacks(execute=True):
        comment = services.post_comment(staff, idea, body="Ask sam@nhs.net")

    assert comment.visibility == Visibility.HELD
    assert "an email address" in comment.hold_reason
    assert Idea.objects.get(pk=idea.pk).comment_count == 0
    assert event_types(open_campaign) == []
    assert [g for g, _ in published] == [events.moderators_group(open_campaign.pk)]
    assert stats.counts(open_campaign).comments == 0


def test_pre_moderation_holds_every_post(staff, open_campaign, make_idea):
    open_campaign.pre_moderation = True
    open_campaign.save()

    idea = post_idea(staff, open_campaign, body="Nothing identifying at all.")
    comment = services.post_comment(staff, make_idea(open_campaign), body="Agreed.")

    for post in (idea, comment):
        assert post.visibility == Visibility.HELD
        assert "checked by a moderator before it appears" in post.hold_reason
    assert event_types(open_campaign) == []


def test_the_moderators_hear_of_a_held_anonymous_post_without_its_author(
    make_staff, make_campaign, django_capture_on_commit_callbacks, published
):
    campaign = make_campaign("open", allow_anonymous=True)
    author = make_staff(display_name="Secret Sam", email="secret.sam@nhs.net")

    with django_capture_on_commit_callbacks(execute=True):
        idea = post_idea(author, campaign, body="943 476 5919", anonymous=True)

    ((group, payload),) = published
    assert group == events.moderators_group(campaign.pk)
    # Ids of the campaign only: no author, no text.
    assert payload == {
        "type": "queue.changed",
        "campaign_id": campaign.pk,
        "why": "held",
    }
    assert "Secret" not in json.dumps(payload)
    assert Notification.objects.filter(recipient=author).count() == 1
    assert idea.author == author  # still theirs


def test_approving_a_held_post_publishes_it_then(
    staff, moderator, open_campaign, make_idea
):
    idea = make_idea(open_campaign)
    comment = services.post_comment(staff, idea, body="Ring 07700 900123")

    moderation.approve_post(moderator, comment)

    assert event_types(open_campaign) == ["comment.posted"]
    assert Idea.objects.get(pk=idea.pk).comment_count == 1
    assert Participation.objects.filter(staff_member=staff).exists()


# -- what can be commented on ----------------------------------------------------------


def test_a_held_idea_takes_no_comments_until_approved(staff, make_staff, open_campaign):
    idea = post_idea(staff, open_campaign, body="943 476 5919")

    with pytest.raises(Refused):
        services.post_comment(staff, idea, body="Adding more")
    assert not Comment.objects.exists()


def test_a_merged_idea_takes_no_comments(staff, moderator, open_campaign, make_idea):
    source, target = make_idea(open_campaign), make_idea(open_campaign)
    moderation.merge_ideas(moderator, source, target)

    with pytest.raises(Refused) as refused:
        services.post_comment(staff, Idea.objects.get(pk=source.pk), body="Hello")
    assert "merged" in str(refused.value.message)


def test_a_hidden_comment_takes_no_replies(
    staff, moderator, open_campaign, make_idea, make_comment
):
    idea = make_idea(open_campaign)
    hidden = make_comment(idea)
    moderation.hide_post(moderator, hidden, "spam")

    with pytest.raises(Refused):
        services.post_comment(
            staff, idea, body="Reply", parent=Comment.objects.get(pk=hidden.pk)
        )


# -- through the site ------------------------------------------------------------------


def test_the_author_is_told_why_on_the_page_after_posting(client, staff, open_campaign):
    client.force_login(staff)

    response = client.post(
        reverse("conversations:idea_create", args=[open_campaign.slug]),
        {
            "theme": open_campaign.themes.first().pk,
            "title": "Follow-up for a patient",
            "body": "NHS number 943 476 5919 was missed.",
        },
        follow=True,
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "Waiting for a moderator: it looks like it contains an NHS number" in html
    assert "Your idea has been posted" not in html


def test_a_held_comment_shows_its_author_why(client, staff, open_campaign, make_idea):
    idea = make_idea(open_campaign)
    client.force_login(staff)

    response = client.post(
        reverse("conversations:comment_create", args=[open_campaign.slug, idea.pk]),
        {"body": "Ring me on 07700 900123"},
        follow=True,
    )

    html = response.content.decode()
    assert "Waiting for a moderator: it looks like it contains a phone number" in html
    assert "Ring me on 07700 900123" in html  # the author still sees their own


def test_colleagues_never_see_a_held_comment(
    client, staff, make_staff, open_campaign, make_idea
):
    idea = make_idea(open_campaign)
    services.post_comment(staff, idea, body="Ring me on 07700 900123")
    client.force_login(make_staff())

    html = client.get(idea.get_absolute_url()).content.decode()

    assert "07700 900123" not in html
    assert "Waiting for a moderator" not in html


def test_a_manager_switches_pre_moderation_on_when_creating_or_editing(
    client, manager, open_campaign
):
    from tests.conversations.test_views_campaign_form import form_data

    client.force_login(manager)

    client.post(
        reverse("conversations:campaign_create"), form_data(pre_moderation="on")
    )
    client.post(
        reverse("conversations:campaign_edit", args=[open_campaign.slug]),
        form_data(title="Renamed", pre_moderation="on"),
    )

    created = Campaign.objects.get(title="Our future together")
    open_campaign.refresh_from_db()
    assert created.pre_moderation and open_campaign.pre_moderation
