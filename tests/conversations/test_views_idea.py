"""The idea page, sharing an idea and commenting through the site."""

import pytest
from django.urls import reverse

from conversations.models import Comment, Idea, Visibility

pytestmark = pytest.mark.django_db


def idea_url(idea) -> str:
    return reverse("conversations:idea", args=[idea.campaign.slug, idea.pk])


def create_url(campaign) -> str:
    return reverse("conversations:idea_create", args=[campaign.slug])


def comment_url(idea) -> str:
    return reverse("conversations:comment_create", args=[idea.campaign.slug, idea.pk])


@pytest.fixture
def signed_in(client, staff):
    client.force_login(staff)
    return client


@pytest.fixture
def idea(open_campaign, make_idea):
    return make_idea(
        open_campaign,
        title="Protected lunch breaks",
        body="<p>Half an hour <b>away</b> from the ward.</p>",
    )


# The idea page -------------------------------------------------------------------------


def test_idea_page_shows_the_idea_its_comments_and_replies(
    signed_in, idea, make_comment
):
    top = make_comment(idea, body="We tried this on Ward 3.")
    make_comment(idea, body="It worked for us too.", parent=top)
    make_comment(idea, body="What about nights?")

    response = signed_in.get(idea_url(idea))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Protected lunch breaks" in html
    assert "Half an hour <b>away</b> from the ward." in html  # allowed markup is kept
    for text in (
        "We tried this on Ward 3.",
        "It worked for us too.",
        "What about nights?",
    ):
        assert text in html
    # the reply is shown under the comment it answers
    assert (
        html.index("We tried this on Ward 3.")
        < html.index("It worked for us too.")
        < html.index("What about nights?")
    )
    comments = response.context["comments"]
    assert [c.body for c in comments] == [
        "We tried this on Ward 3.",
        "What about nights?",
    ]
    assert [r.body for r in comments[0].thread_replies] == ["It worked for us too."]


def test_idea_page_never_contains_script_people_typed(
    signed_in, open_campaign, make_idea, make_comment
):
    idea = make_idea(open_campaign)
    make_comment(idea, parent=make_comment(idea))

    html = signed_in.get(idea_url(idea)).content.decode()

    assert "<script>alert" not in html
    assert "onerror" not in html
    assert "javascript:" not in html


def test_hidden_idea_is_not_found(signed_in, open_campaign, make_idea):
    hidden = make_idea(open_campaign, visibility=Visibility.HIDDEN)

    assert signed_in.get(idea_url(hidden)).status_code == 404


def test_hidden_comment_is_not_shown(signed_in, idea, make_comment):
    hidden = make_comment(idea, body="Removed by a moderator")
    Comment.objects.filter(pk=hidden.pk).update(visibility=Visibility.HIDDEN)

    assert (
        "Removed by a moderator" not in signed_in.get(idea_url(idea)).content.decode()
    )


def test_idea_from_another_campaign_is_not_found_at_this_campaigns_address(
    signed_in, open_campaign, make_campaign, make_idea
):
    elsewhere = make_idea(make_campaign("open"))

    url = reverse("conversations:idea", args=[open_campaign.slug, elsewhere.pk])
    assert signed_in.get(url).status_code == 404


def test_idea_in_a_team_campaign_is_forbidden_to_outsiders(
    signed_in, make_campaign, make_team, make_idea
):
    idea = make_idea(make_campaign("open", audience_teams=[make_team()]))

    assert signed_in.get(idea_url(idea)).status_code == 403


# Sharing an idea -----------------------------------------------------------------------


def test_sharing_an_idea_redirects_to_it(signed_in, staff, open_campaign):
    theme = open_campaign.themes.first()

    response = signed_in.post(
        create_url(open_campaign),
        {
            "theme": theme.pk,
            "title": "Water fountains",
            "body": "On every corridor.",
        },
    )

    idea = Idea.objects.get()
    assert (idea.title, idea.author, idea.theme) == ("Water fountains", staff, theme)
    assert response.status_code == 302
    assert response["Location"] == idea_url(idea)
    page = signed_in.get(response["Location"])
    assert "Water fountains" in page.content.decode()


def test_shared_idea_is_stored_and_shown_without_its_script(signed_in, open_campaign):
    response = signed_in.post(
        create_url(open_campaign),
        {
            "theme": open_campaign.themes.first().pk,
            "title": "Rotas <script>alert('t')</script>",
            "body": "<p>Earlier.</p><script>alert('b')</script><img src=x onerror=alert(1)>",
        },
        follow=True,
    )

    idea = Idea.objects.get()
    assert "<script" not in idea.title + idea.body
    html = response.content.decode()
    assert "<script>alert" not in html
    assert "onerror" not in html


def test_idea_form_is_shown_for_an_open_campaign(signed_in, open_campaign):
    response = signed_in.get(create_url(open_campaign))

    assert response.status_code == 200
    assert "Health and wellbeing" in response.content.decode()


def test_idea_with_an_empty_title_is_shown_again_with_the_text_kept_and_an_error(
    signed_in, open_campaign
):
    response = signed_in.post(
        create_url(open_campaign),
        {
            "theme": open_campaign.themes.first().pk,
            "title": "  ",
            "body": "My carefully written idea about car parking",
        },
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "My carefully written idea about car parking" in html
    assert "Enter a title for your idea." in html
    assert not Idea.objects.exists()


def test_idea_with_an_over_long_title_is_shown_again_with_an_error(
    signed_in, open_campaign
):
    response = signed_in.post(
        create_url(open_campaign),
        {
            "theme": open_campaign.themes.first().pk,
            "title": "t" * 151,
            "body": "Body text",
        },
    )

    assert response.status_code == 400
    assert "150 characters or fewer" in response.content.decode()


def test_idea_without_a_theme_is_shown_again_with_an_error(signed_in, open_campaign):
    response = signed_in.post(
        create_url(open_campaign), {"title": "Title", "body": "Body"}
    )

    assert response.status_code == 400
    assert "Choose the theme your idea is about." in response.content.decode()


def test_posting_an_idea_to_a_closed_campaign_gets_a_page_saying_it_is_closed(
    signed_in, make_campaign
):
    campaign = make_campaign("closed")

    response = signed_in.post(
        create_url(campaign),
        {
            "theme": campaign.themes.first().pk,
            "title": "Late",
            "body": "Too late",
        },
    )

    assert response.status_code == 403
    assert "This campaign is closed" in response.content.decode()
    assert not Idea.objects.exists()


def test_idea_form_for_a_scheduled_campaign_is_refused(signed_in, make_campaign):
    response = signed_in.get(create_url(make_campaign("scheduled")))

    assert response.status_code == 403


def test_idea_form_for_a_scheduled_campaign_says_when_it_opens(
    signed_in, make_campaign
):
    html = signed_in.get(create_url(make_campaign("scheduled"))).content.decode()

    assert "opens on" in html
    assert "is closed" not in html


def test_posting_too_often_shows_the_form_again_with_a_wait_message(
    signed_in, open_campaign, settings
):
    settings.POSTING_RATE_LIMIT = 1
    data = {"theme": open_campaign.themes.first().pk, "title": "One", "body": "Body"}
    signed_in.post(create_url(open_campaign), data)

    response = signed_in.post(create_url(open_campaign), {**data, "title": "Two"})

    assert response.status_code == 429
    assert "wait a few minutes" in response.content.decode()
    assert Idea.objects.count() == 1


def test_anonymous_option_is_offered_only_where_the_campaign_allows_it(
    signed_in, make_campaign
):
    allowing = make_campaign("open", allow_anonymous=True)
    not_allowing = make_campaign("open")

    assert 'name="anonymous"' in signed_in.get(create_url(allowing)).content.decode()
    assert (
        'name="anonymous"'
        not in signed_in.get(create_url(not_allowing)).content.decode()
    )


def test_anonymous_box_on_a_campaign_that_does_not_allow_it_is_ignored(
    signed_in, open_campaign
):
    signed_in.post(
        create_url(open_campaign),
        {
            "theme": open_campaign.themes.first().pk,
            "title": "T",
            "body": "B",
            "anonymous": "on",
        },
    )

    assert Idea.objects.get().is_anonymous is False


def test_unknown_campaign_idea_form_is_not_found(signed_in):
    assert (
        signed_in.get(reverse("conversations:idea_create", args=["nope"])).status_code
        == 404
    )


# Commenting ----------------------------------------------------------------------------


def test_commenting_redirects_to_the_comment(signed_in, staff, idea):
    response = signed_in.post(comment_url(idea), {"body": "Count me in."})

    comment = Comment.objects.get()
    assert (comment.author, comment.body) == (staff, "Count me in.")
    assert response.status_code == 302
    assert response["Location"] == idea_url(idea) + f"#comment-{comment.pk}"


def test_replying_through_the_site_attaches_to_the_top_level_comment(
    signed_in, idea, make_comment
):
    top = make_comment(idea)
    reply = make_comment(idea, parent=top)

    signed_in.post(comment_url(idea), {"body": "Reply to a reply", "parent": reply.pk})

    assert Comment.objects.get(body="Reply to a reply").parent == top


def test_empty_comment_is_shown_again_with_an_error(signed_in, idea):
    response = signed_in.post(comment_url(idea), {"body": "   "})

    assert response.status_code == 400
    assert "Write your comment before posting it." in response.content.decode()
    assert not Comment.objects.exists()


def test_commenting_on_a_closed_campaign_is_refused(
    signed_in, make_campaign, make_idea
):
    idea = make_idea(make_campaign("closed"))

    response = signed_in.post(comment_url(idea), {"body": "Late"})

    assert response.status_code == 403
    assert "closed" in response.content.decode()
    assert not Comment.objects.exists()


def test_reply_to_an_unknown_comment_is_not_found(signed_in, idea):
    assert (
        signed_in.post(comment_url(idea), {"body": "x", "parent": 999999}).status_code
        == 404
    )
