"""An anonymous author is never shown, to anyone but themselves: not in a page, a live
event, a stored catch-up event, a JSON answer, an admin list, a notification or a log
line. Each test looks for the author's name and email in the raw output."""

import json
import logging

import pytest
from django.contrib.auth.models import Permission
from django.urls import NoReverseMatch, reverse

from conversations import services
from conversations.live import events
from conversations.models import CampaignEvent
from conversations.services import reveal
from tests.security.conftest import assert_no_author

pytestmark = pytest.mark.django_db

VIEWER_ROLES = [
    "staff",
    "moderator",
    "engagement_manager",
    "administrator",
    "superuser",
    "reveal_holder",
]


@pytest.fixture
def thread(anonymous_idea, anonymous_comment, make_staff, author):
    """An anonymous idea with an anonymous comment, a named reply to it, a vote, and
    the author replying anonymously to the reply."""
    replier = make_staff(display_name="Nina Named")
    reply = services.post_comment(
        replier, anonymous_idea, body="I agree.", parent=anonymous_comment
    )
    services.post_comment(
        author, anonymous_idea, body="Thank you.", parent=reply, anonymous=True
    )
    services.vote(replier, anonymous_idea, 1)
    return anonymous_idea


@pytest.fixture
def viewer(request, make_staff):
    def make(role: str):
        if role == "superuser":
            person = make_staff(mfa=True)
            person.is_staff = person.is_superuser = True
            person.save()
            return person
        if role == "reveal_holder":
            person = make_staff(roles=["moderator"])
            person.user_permissions.add(
                Permission.objects.get(codename="reveal_identity")
            )
            return person
        if role == "administrator":
            person = make_staff(roles=["administrator"])
            person.is_staff = True
            person.save()
            return person
        return make_staff(roles=[] if role == "staff" else [role])

    return make


def _optional(name: str, *args) -> list[str]:
    """URLs of pages other work adds (a moderation queue), if they exist yet."""
    try:
        return [reverse(name, args=args)]
    except NoReverseMatch:
        return []


def site_pages(idea) -> list[str]:
    campaign = reverse("conversations:campaign", args=[idea.campaign.slug])
    return [
        reverse("home"),
        campaign,
        *(f"{campaign}?sort={sort}" for sort in ("discussed", "supported", "random")),
        f"{campaign}?theme={idea.theme_id}",
        reverse("conversations:idea", args=[idea.campaign.slug, idea.pk]),
        reverse("notifications:inbox"),
        reverse("me:posts"),
        reverse("accounts:profile"),
        *_optional("conversations:queue", idea.campaign.slug),
        *_optional("conversations:moderation_queue", idea.campaign.slug),
        *_optional("conversations:moderation_queue"),
        *_optional("conversations:audit", idea.campaign.slug),
    ]


@pytest.mark.parametrize("role", VIEWER_ROLES)
def test_no_page_shows_the_author_to_anyone_else(
    client, thread, viewer, role, settings
):
    settings.REVEAL_ENABLED = True
    client.force_login(viewer(role))

    for url in site_pages(thread):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_no_author(response.content.decode(), f"{url} as {role}")


@pytest.mark.parametrize("role", ["administrator", "superuser"])
def test_no_admin_list_or_form_shows_the_author(client, thread, viewer, role):
    client.force_login(viewer(role))
    comment = thread.comments.first()
    urls = [
        reverse("admin:index"),
        reverse("admin:conversations_idea_changelist"),
        reverse("admin:conversations_idea_changelist") + "?q=Bullying",
        reverse("admin:conversations_idea_change", args=[thread.pk]),
        reverse("admin:conversations_auditentry_changelist"),
    ]
    for name in (
        "admin:conversations_comment_changelist",
        "admin:conversations_flag_changelist",
        "admin:conversations_revealrequest_changelist",
        "admin:conversations_campaignevent_changelist",
        "admin:notifications_notification_changelist",
    ):
        urls += _optional(name)
    urls += _optional("admin:conversations_comment_change", comment.pk)

    for url in urls:
        response = client.get(url)
        if role == "administrator" and response.status_code == 403:
            continue  # the role has no admin permissions for this model
        assert response.status_code == 200, url
        assert_no_author(response.content.decode(), f"admin {url}")


def test_the_author_sees_their_own_anonymous_posts_as_theirs(client, thread, author):
    client.force_login(author)

    idea_page = client.get(
        reverse("conversations:idea", args=[thread.campaign.slug, thread.pk])
    ).content.decode()
    own = client.get(reverse("me:posts")).content.decode()

    assert idea_page.count("You (posted anonymously)") >= 3  # idea, comment, reply
    assert "Bullying on nights" in own
    assert own.count("You (posted anonymously)") >= 3
    assert reverse("me:delete_idea", args=[thread.pk]) in own
    assert reverse("me:edit_idea", args=[thread.pk]) in own
    assert reverse("me:edit_idea", args=[thread.pk]) in idea_page


def test_live_partials_never_carry_the_author(thread):
    anonymous = list(thread.comments.filter(is_anonymous=True))
    thread.support = thread.dont_support = 0
    html = [events.render_idea_card(thread)]
    for comment in anonymous:
        comment.support = comment.dont_support = 0
        html.append(events.render_comment(comment))

    assert len(html) == 3
    for fragment in html:
        assert_no_author(fragment, "a pushed partial")
        assert "A colleague" in fragment


def test_stored_catch_up_events_never_carry_the_author(thread):
    payloads = list(
        CampaignEvent.objects.filter(campaign=thread.campaign).values_list(
            "payload", flat=True
        )
    )

    assert {p["type"] for p in payloads} >= {"idea.posted", "comment.posted"}
    for payload in payloads:
        assert_no_author(json.dumps(payload), f"event {payload['type']}")
    assert not any(
        "author" in key for payload in payloads for key in payload if key != "html"
    )


def test_broadcast_messages_never_carry_the_author(
    anonymous_campaign, author, django_capture_on_commit_callbacks, monkeypatch
):
    sent = []
    monkeypatch.setattr(
        events,
        "broadcast",
        lambda campaign_id, payload, group=None: sent.append(payload),
    )

    with django_capture_on_commit_callbacks(execute=True):
        idea = services.post_idea(
            author,
            anonymous_campaign,
            theme=anonymous_campaign.themes.first(),
            title="Rotas",
            body="Fairer rotas please.",
            anonymous=True,
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.post_comment(author, idea, body="More on rotas.", anonymous=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.vote(author, idea, 1)

    assert [p["type"] for p in sent] == ["idea.posted", "comment.posted", "tally.dirty"]
    for payload in sent:
        assert_no_author(json.dumps(payload), payload["type"])


def test_json_vote_answers_never_carry_the_author(client, thread, make_staff):
    client.force_login(make_staff())

    response = client.post(
        reverse("conversations:vote", args=[thread.campaign.slug, "idea", thread.pk]),
        {"value": "support"},
        HTTP_ACCEPT="application/json",
    )

    assert response.status_code == 200
    assert_no_author(response.content.decode(), "vote JSON")


def test_another_persons_data_export_never_carries_the_author(
    client, thread, make_staff
):
    other = make_staff(roles=["moderator"])
    client.force_login(other)

    response = client.get(reverse("me:export"))

    assert_no_author(response.content.decode(), "someone else's export")


def test_no_log_line_carries_the_author(
    client, caplog, make_staff, author, anonymous_campaign, make_holder, settings
):
    """The whole life of an anonymous post, with every logger at DEBUG: sign-in,
    posting, commenting, voting, a refused request, a reveal and its viewing."""
    settings.REVEAL_ENABLED = True
    caplog.set_level(logging.DEBUG)
    client.post(
        reverse("account_login"),
        {"login": author.email, "password": "Correct-Horse-Battery-9"},
    )
    theme = anonymous_campaign.themes.first()
    client.post(
        reverse("conversations:idea_create", args=[anonymous_campaign.slug]),
        {
            "theme": theme.pk,
            "title": "Quiet idea",
            "body": "Quiet body",
            "anonymous": "on",
        },
    )
    idea = anonymous_campaign.ideas.get()
    client.post(
        reverse(
            "conversations:comment_create", args=[anonymous_campaign.slug, idea.pk]
        ),
        {"body": "Quiet comment", "anonymous": "on"},
    )
    client.post(
        reverse("conversations:vote", args=[anonymous_campaign.slug, "idea", idea.pk]),
        {"value": "support"},
    )
    client.get(reverse("reveal:index"))  # refused: the author holds nothing
    asker, approver = make_holder(), make_holder()
    pending = reveal.request_reveal(
        asker, idea, "Threat to a colleague's safety tonight."
    )
    reveal.decide_reveal(
        approver, pending, approve=True, reason="Credible risk to life."
    )
    client.force_login(asker)
    page = client.get(reverse("reveal:detail", args=[pending.pk]))
    assert author.email in page.content.decode()  # the reveal itself worked

    assert "reveal.viewed" in caplog.text
    assert "sign_in.succeeded" in caplog.text
    assert_no_author(caplog.text, "the logs")
