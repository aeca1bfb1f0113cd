"""No log line names anyone, and none links an anonymous post to its author.

The main journeys run through the site with every logger at DEBUG (SQL included),
and what the console handler writes is searched for the anonymous author's name,
email, address and id.
"""

import logging

import pytest
from django.urls import reverse

from conversations.models import Idea
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

AUTHOR_NAME = "Priya Quietvoice"
AUTHOR_EMAIL = "priya.quietvoice@nhs.net"
AUTHOR_IP = "198.51.100.73"
OTHER_IP = "203.0.113.9"
JSON = {"HTTP_ACCEPT": "application/json"}


def test_the_main_journeys_log_nothing_that_identifies_an_anonymous_author(
    client, make_staff, make_campaign, console, settings, django_user_model
):
    from django.test import Client

    settings.REVEAL_ENABLED = True
    campaign = make_campaign("open", allow_anonymous=True)
    author = make_staff(email=AUTHOR_EMAIL, display_name=AUTHOR_NAME)
    colleague = make_staff(display_name="Cai Colleague")
    moderator = make_staff(roles=["moderator"], display_name="Mo Moderator")
    # The author and the moderator were signed in earlier. (A sign-in is logged with
    # the person's id and address, by design: it names no post.)
    me = Client(REMOTE_ADDR=AUTHOR_IP)
    me.force_login(author)
    mod = Client(REMOTE_ADDR=OTHER_IP)
    mod.force_login(moderator)
    console.seek(0)
    console.truncate()

    # Sign in (a colleague, through the form; and a mistyped password), then the
    # author posts anonymously from an address of their own.
    them = Client(REMOTE_ADDR=OTHER_IP)
    response = them.post(
        reverse("account_login"), {"login": colleague.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    Client(REMOTE_ADDR=OTHER_IP).post(
        reverse("account_login"), {"login": colleague.email, "password": "x"}
    )

    response = me.post(
        reverse("conversations:idea_create", args=[campaign.slug]),
        {
            "theme": campaign.themes.first().pk,
            "title": "Bullying on nights",
            "body": "It needs to be said.",
            "anonymous": "on",
        },
    )
    assert response.status_code == 302
    idea = Idea.objects.get(title="Bullying on nights")
    assert idea.is_anonymous and idea.author_id == author.pk

    # Comment and vote, anonymously and not.
    me.post(
        reverse("conversations:comment_create", args=[campaign.slug, idea.pk]),
        {"body": "More detail, quietly.", "anonymous": "on"},
    )
    them.post(
        reverse("conversations:comment_create", args=[campaign.slug, idea.pk]),
        {"body": "Same on our ward."},
    )
    vote = reverse("conversations:vote", args=[campaign.slug, "idea", idea.pk])
    assert them.post(vote, {"value": "support"}, **JSON).status_code == 200
    assert me.post(vote, {"value": "support"}, **JSON).status_code in (200, 403)

    # Moderate: hide and restore the anonymous idea.
    for action in ("hide", "restore"):
        mod.post(
            reverse(
                "conversations:moderate_post",
                args=[campaign.slug, "idea", idea.pk, action],
            ),
            {"reason": "personal_attack", "note": "Checking the wording."},
        )
    assert mod.get(reverse("conversations:moderation")).status_code == 200

    # Reveal refused: someone without the permission asks who wrote it.
    refused = them.post(
        reverse("reveal:request", args=["idea", idea.pk]),
        {"reason": "I would like to know who wrote this please."},
    )
    assert refused.status_code == 403

    # The author's own pages, then every page of the journey again.
    me.get(reverse("me:posts"))
    for client_ in (me, them, mod):
        client_.get(reverse("conversations:campaign", args=[campaign.slug]))
        client_.get(reverse("conversations:idea", args=[campaign.slug, idea.pk]))

    written = console.getvalue()
    assert (
        logging.getLogger("django.db.backends").getEffectiveLevel() >= logging.WARNING
    )
    assert "sign_in.succeeded" in written  # the capture saw the journey
    assert "sign_in.failed" in written
    assert "permission.refused" in written
    for marker in (AUTHOR_NAME, "Priya", "Quietvoice", AUTHOR_EMAIL, AUTHOR_IP):
        assert marker not in written, marker
    # No line (security event or otherwise) names the author by id either.
    assert f"user={author.pk} " not in written + " "
    # Nobody's email is written, signed in or not.
    for person in (colleague, moderator):
        assert person.email not in written
        assert person.display_name not in written
