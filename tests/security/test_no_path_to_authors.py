"""Beyond the admin: exports, "my data", JSON answers, emails and error pages never tie
a person to their anonymous post, except the person's own data export, which lists
their anonymous posts to them alone."""

import json

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from conversations import services
from conversations.services import reveal
from tests.security.conftest import AUTHOR_EMAIL, assert_no_author

pytestmark = pytest.mark.django_db

ANON_TITLE = "Bullying on nights"


@pytest.fixture
def world(anonymous_idea, anonymous_comment, make_staff, author):
    replier = make_staff(display_name="Nina Named")
    services.post_comment(replier, anonymous_idea, body="I agree, it happens.")
    services.vote(replier, anonymous_idea, 1)
    services.post_idea(
        author,
        anonymous_idea.campaign,
        theme=anonymous_idea.theme,
        title="A named idea from the author",
        body="Signed.",
    )
    return anonymous_idea


def _body(response) -> str:
    if hasattr(response, "streaming_content"):
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def test_my_data_lists_my_anonymous_posts_to_me(client, world, author):
    client.force_login(author)

    data = json.loads(_body(client.get(reverse("me:export"))))

    ideas = {i["title"]: i for i in data["ideas"]}
    assert ideas[ANON_TITLE]["anonymous"] is True
    assert any(c["anonymous"] for c in data["comments"])


@pytest.mark.parametrize("role", ["staff", "moderator", "engagement_manager"])
def test_nobody_elses_data_export_holds_the_anonymous_post(
    client, world, make_staff, role
):
    client.force_login(make_staff(roles=[] if role == "staff" else [role]))

    text = _body(client.get(reverse("me:export")))

    assert ANON_TITLE not in text
    assert_no_author(text, f"the export of a {role}")


@pytest.mark.parametrize(
    "url",
    [
        ("contributions", "csv", ""),
        ("contributions", "json", ""),
        ("contributions", "csv", "?hidden=1"),
        ("contributions", "json", "?hidden=1"),
        ("analytics_csv", None, ""),
    ],
    ids=lambda u: f"{u[0]}-{u[1]}{u[2]}",
)
def test_campaign_exports_never_name_the_anonymous_author(
    client, world, make_staff, url
):
    name, fmt, query = url
    manager = make_staff(roles=["engagement_manager", "administrator"])
    client.force_login(manager)
    args = [world.campaign.slug] + ([fmt] if fmt else [])

    response = client.get(reverse(f"reports:{name}", args=args) + query)

    assert response.status_code == 200
    text = _body(response)
    if name == "contributions":
        assert ANON_TITLE in text  # the export does hold the post
    # The author's named idea is rightly named; no row about an anonymous post is.
    assert AUTHOR_EMAIL not in text
    for line in text.splitlines():
        if ANON_TITLE in line or "quietly" in line:
            assert_no_author(line, f"{name} {fmt}{query}: {line[:60]}")


def test_json_answers_never_carry_the_author(client, world, make_staff):
    client.force_login(make_staff())
    slug = world.campaign.slug
    answers = [
        client.post(
            reverse("conversations:vote", args=[slug, "idea", world.pk]),
            {"value": "support"},
            HTTP_ACCEPT="application/json",
        ),
        client.post(
            reverse("conversations:vote", args=[slug, "idea", world.pk]),
            {"value": "nonsense"},
            HTTP_ACCEPT="application/json",
        ),
    ]
    for response in answers:
        assert "json" in response["Content-Type"]
        assert_no_author(_body(response), "a JSON answer")


def test_emails_about_an_anonymous_post_name_its_author_to_nobody_else(
    world, make_staff, make_holder, settings, author, django_capture_on_commit_callbacks
):
    """Follow, reply, moderation and a whole reveal: every email but the ones to the
    author herself is free of her name and email."""
    from conversations.services import moderation

    settings.REVEAL_ENABLED = True
    from notifications.services import set_preferences

    follower = make_staff(display_name="Fay Follower")
    services.follow_idea(follower, world)
    set_preferences(follower, {"reply": "immediate", "idea_update": "immediate"})
    moderator = make_staff(roles=["moderator"])
    asker, approver = make_holder(), make_holder()
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.post_comment(make_staff(), world, body="Another reply by email.")
        moderation.set_idea_status(moderator, world, "under_consideration", "Look.")
        pending = reveal.request_reveal(asker, world, "A credible threat to a nurse.")
        reveal.decide_reveal(
            approver,
            pending,
            approve=True,
            reason="Risk to life, safeguarding lead told.",
        )

    to_others = [m for m in mail.outbox if AUTHOR_EMAIL not in m.to]
    assert to_others, "nobody else was emailed: the test saw nothing"
    for message in to_others:
        text = message.subject + message.body
        text += "".join(str(part[0]) for part in getattr(message, "alternatives", []))
        assert_no_author(text, f"email to {message.to}")


def test_error_pages_name_nobody(client, world, make_staff, settings):
    settings.DEBUG = False
    client.force_login(make_staff())
    missing = client.get(
        reverse("conversations:idea", args=[world.campaign.slug, world.pk + 999])
    )
    assert missing.status_code == 404
    assert_no_author(_body(missing), "the 404 page")

    breaking = Client(raise_request_exception=False)
    breaking.force_login(make_staff())
    # A refused request must not echo anyone's details either.
    response = breaking.get(f"/admin/conversations/idea/?author={world.author_id}")
    assert response.status_code in (302, 400, 403)
    assert_no_author(_body(response), "an admin refusal")

    from django.views import defaults

    request = client.get("/").wsgi_request
    server_error = defaults.server_error(request)
    assert server_error.status_code == 500
    assert_no_author(server_error.content.decode(), "the 500 page")
