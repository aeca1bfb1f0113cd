"""Anonymous posts never show who wrote them, to anyone but the author: moderators and
engagement managers included."""

import pytest
from django.urls import reverse

from conversations import services

pytestmark = pytest.mark.django_db

AUTHOR_NAME = "Priya Quietvoice"
AUTHOR_EMAIL = "priya.quietvoice@nhs.net"
SECRET_MARKERS = ("Priya", "Quietvoice", "quietvoice", AUTHOR_EMAIL)


@pytest.fixture
def author(make_staff):
    return make_staff(email=AUTHOR_EMAIL, display_name=AUTHOR_NAME)


@pytest.fixture
def anonymous_idea(make_campaign, author):
    campaign = make_campaign("open", allow_anonymous=True)
    idea = services.post_idea(
        author,
        campaign,
        theme=campaign.themes.first(),
        title="Bullying on nights",
        body="It needs to be said.",
        anonymous=True,
    )
    services.post_comment(
        author, idea, body="Adding more detail, quietly.", anonymous=True
    )
    return idea


def pages(idea) -> list[str]:
    return [
        reverse("conversations:campaign", args=[idea.campaign.slug]),
        reverse("conversations:campaign", args=[idea.campaign.slug])
        + "?sort=discussed",
        reverse("conversations:idea", args=[idea.campaign.slug, idea.pk]),
    ]


@pytest.mark.parametrize(
    "viewer_role", [None, "moderator", "engagement_manager", "administrator"]
)
def test_anonymous_author_is_never_shown_to_anyone_else(
    client, make_staff, anonymous_idea, viewer_role
):
    viewer = make_staff(roles=[viewer_role] if viewer_role else [])
    client.force_login(viewer)

    for url in pages(anonymous_idea):
        response = client.get(url)
        assert response.status_code == 200
        html = response.content.decode()
        assert "Bullying on nights" in html
        for marker in SECRET_MARKERS:
            assert marker not in html, (url, viewer_role, marker)
        assert "A colleague" in html


def test_the_author_sees_their_own_anonymous_posts_as_theirs(
    client, author, anonymous_idea
):
    client.force_login(author)

    html = client.get(pages(anonymous_idea)[-1]).content.decode()

    assert html.count("You (posted anonymously)") >= 2  # the idea and the comment


def test_named_posts_show_the_authors_name(
    client, staff, make_idea, open_campaign, make_staff
):
    make_idea(open_campaign, author=make_staff(display_name="Sam Openly"))
    client.force_login(staff)

    html = client.get(
        reverse("conversations:campaign", args=[open_campaign.slug])
    ).content
    assert "Sam Openly" in html.decode()


def test_anonymous_idea_posted_through_the_site_hides_its_author(
    client, author, make_staff, make_campaign
):
    campaign = make_campaign("open", allow_anonymous=True)
    client.force_login(author)
    response = client.post(
        reverse("conversations:idea_create", args=[campaign.slug]),
        {
            "theme": campaign.themes.first().pk,
            "title": "Posted quietly",
            "body": "Body",
            "anonymous": "on",
        },
    )
    idea_url = response["Location"]

    client.force_login(make_staff(roles=["moderator"]))
    html = client.get(idea_url).content.decode()

    assert "Posted quietly" in html
    for marker in SECRET_MARKERS:
        assert marker not in html
