"""Authors delete their own posts (anonymous ones included) from /me/posts/; nobody
else can, and the pages never tell a visitor whose a post is."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from conversations import services
from conversations.live import events
from conversations.models import CampaignEvent, Comment, Idea
from conversations.services import own_posts

pytestmark = pytest.mark.django_db


@pytest.fixture
def author(make_staff):
    return make_staff(display_name="Olu Owner")


@pytest.fixture
def campaign(make_campaign):
    return make_campaign("open", allow_anonymous=True)


@pytest.fixture
def idea(campaign, author):
    return services.post_idea(
        author,
        campaign,
        theme=campaign.themes.first(),
        title="Quiet rooms",
        body="A quiet room on every ward.",
        anonymous=True,
    )


def test_the_author_deletes_their_anonymous_idea_and_its_comments(
    client, author, idea, make_staff
):
    services.post_comment(make_staff(), idea, body="Yes please")
    client.force_login(author)
    url = reverse("me:delete_idea", args=[idea.pk])

    confirm = client.get(url)
    response = client.post(url)

    assert confirm.status_code == 200
    assert "1 comment on it will be removed" in confirm.content.decode()
    assert response.status_code == 302
    assert not Idea.objects.filter(pk=idea.pk).exists()
    assert not Comment.objects.filter(idea_id=idea.pk).exists()


@pytest.mark.parametrize("role", [None, "moderator", "engagement_manager"])
def test_nobody_else_can_delete_it_and_the_answer_does_not_say_whose_it_is(
    client, idea, make_staff, role
):
    client.force_login(make_staff(roles=[role] if role else []))
    url = reverse("me:delete_idea", args=[idea.pk])
    missing = reverse("me:delete_idea", args=[idea.pk + 1000])

    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    assert client.post(missing).status_code == 404  # the same answer as no post at all
    assert Idea.objects.filter(pk=idea.pk).exists()


def test_the_service_refuses_someone_elses_post(idea, make_staff):
    with pytest.raises(PermissionDenied):
        own_posts.delete_own_idea(make_staff(), idea)


def test_deleting_an_idea_takes_it_off_live_pages_and_out_of_catch_up(
    author, idea, django_capture_on_commit_callbacks, monkeypatch
):
    sent = []
    monkeypatch.setattr(
        events,
        "broadcast",
        lambda campaign_id, payload, group=None: sent.append(payload),
    )
    pk, campaign = idea.pk, idea.campaign

    with django_capture_on_commit_callbacks(execute=True):
        own_posts.delete_own_idea(author, idea)

    assert sent == [{"type": "idea.hidden", "seq": 2, "idea_id": pk}]
    stored = list(
        CampaignEvent.objects.filter(campaign=campaign).values_list("type", "payload")
    )
    # The original "posted" event is replayed as a removal, with no text at all.
    assert stored == [
        ("idea.hidden", {"type": "idea.hidden", "seq": 1, "idea_id": pk}),
        ("idea.hidden", {"type": "idea.hidden", "seq": 2, "idea_id": pk}),
    ]


def test_deleting_a_comment_removes_its_replies_and_corrects_the_count(
    client, author, idea, make_staff, django_capture_on_commit_callbacks, monkeypatch
):
    mine = services.post_comment(author, idea, body="My comment", anonymous=True)
    services.post_comment(make_staff(), idea, body="A reply", parent=mine)
    services.post_comment(make_staff(), idea, body="Another comment")
    sent = []
    monkeypatch.setattr(
        events,
        "broadcast",
        lambda campaign_id, payload, group=None: sent.append(payload),
    )
    client.force_login(author)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("me:delete_comment", args=[mine.pk]))

    assert response.status_code == 302
    idea.refresh_from_db()
    assert idea.comment_count == 1
    assert list(idea.comments.values_list("body", flat=True)) == ["Another comment"]
    assert sent[0]["type"] == own_posts.COMMENT_REMOVED
    assert sent[0]["comment_count"] == 1
    replayed = CampaignEvent.objects.filter(type="comment.posted")
    assert "My comment" not in str(list(replayed.values_list("payload", flat=True)))
    assert "A reply" not in str(list(replayed.values_list("payload", flat=True)))


def test_a_comment_removed_event_carries_ids_and_the_count_only(
    author, idea, django_capture_on_commit_callbacks
):
    comment = services.post_comment(author, idea, body="Soon gone", anonymous=True)

    own_posts.delete_own_comment(author, comment)

    event = CampaignEvent.objects.filter(type=own_posts.COMMENT_REMOVED).last()
    assert set(event.payload) == {
        "type",
        "seq",
        "idea_id",
        "comment_id",
        "comment_count",
    }


def test_my_posts_lists_only_my_posts(client, author, idea, make_staff, campaign):
    services.post_idea(
        make_staff(),
        campaign,
        theme=campaign.themes.first(),
        title="Somebody else's idea",
        body="Theirs",
    )
    client.force_login(author)

    html = client.get(reverse("me:posts")).content.decode()

    assert "Quiet rooms" in html
    assert "You (posted anonymously)" in html
    assert "Somebody else" not in html


def test_my_posts_needs_sign_in(client):
    response = client.get(reverse("me:posts"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
