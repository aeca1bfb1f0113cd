"""The moderation pages: the queue (moderators only, oldest first, with context and
waiting times, in a fixed number of queries), each action by POST, the moderation
history, asking for a review, and the ground rules."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conversations.models import (
    AuditEntry,
    Comment,
    Flag,
    Idea,
    ReviewRequest,
    Visibility,
)
from conversations.services import moderation
from conversations.services.moderation_queue import PAGE_SIZE
from notifications.models import Notification

pytestmark = pytest.mark.django_db

QUEUE = reverse("conversations:moderation")


def campaign_queue(campaign) -> str:
    return reverse("conversations:campaign_moderation", args=[campaign.slug])


def action_url(post, action) -> str:
    if isinstance(post, Idea):
        return reverse(
            "conversations:moderate_post",
            args=[post.campaign.slug, "idea", post.pk, action],
        )
    return reverse(
        "conversations:moderate_post",
        args=[post.idea.campaign.slug, "comment", post.pk, action],
    )


def reload(post):
    return type(post).objects.get(pk=post.pk)


@pytest.fixture
def as_moderator(client, moderator):
    client.force_login(moderator)
    return client


@pytest.fixture
def idea(open_campaign, make_idea):
    return make_idea(open_campaign, title="Rest rooms for night staff")


def held_comment(idea, author, body="Ring 07700 900123", at=None):
    comment = Comment.objects.create(
        idea=idea,
        author=author,
        body=body,
        visibility=Visibility.HELD,
        hold_reason="it looks like it contains a phone number",
    )
    if at:
        Comment.objects.filter(pk=comment.pk).update(created_at=at)
    return comment


# -- who may see the queue -------------------------------------------------------------


@pytest.mark.parametrize("role", [None, "team_lead"])
def test_the_queue_is_forbidden_to_staff_who_do_not_moderate(
    client, make_staff, open_campaign, role
):
    client.force_login(make_staff(roles=[role] if role else []))

    assert client.get(QUEUE).status_code == 403
    assert client.get(campaign_queue(open_campaign)).status_code == 403
    history = reverse("conversations:moderation_history")
    assert client.get(history).status_code == 403


@pytest.mark.parametrize("role", ["moderator", "engagement_manager"])
def test_moderators_and_engagement_managers_see_the_queue(
    client, make_staff, open_campaign, role
):
    client.force_login(make_staff(roles=[role]))

    assert client.get(QUEUE).status_code == 200
    assert client.get(campaign_queue(open_campaign)).status_code == 200


def test_the_queue_needs_sign_in(client):
    response = client.get(QUEUE)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# -- what the queue shows ----------------------------------------------------------------


def test_reported_posts_are_grouped_with_their_reasons_and_counts(
    as_moderator, idea, make_staff
):
    for reason in ("offensive", "offensive", "personal_attack"):
        moderation.flag_post(make_staff(), idea, reason, "Look at the last line")

    response = as_moderator.get(campaign_queue(idea.campaign))

    (item,) = response.context["items"]
    assert item.post == idea and len(item.flags) == 3
    assert item.reasons == [("Offensive or abusive", 2), ("A personal attack", 1)]
    html = response.content.decode()
    assert "Reported 3 times" in html
    assert "Offensive or abusive (2 reports)" in html
    assert "Look at the last line" in html
    assert "Rest rooms for night staff" in html


def test_held_posts_show_why_and_comments_show_their_thread(
    as_moderator, idea, make_comment, make_staff
):
    top = make_comment(idea, body="Top of the thread")
    make_comment(idea, body="An earlier reply", parent=top)
    held = held_comment(idea, make_staff(), body="Ring Jo on 07700 900123")
    Comment.objects.filter(pk=held.pk).update(parent=top)

    response = as_moderator.get(QUEUE)

    (item,) = response.context["items"]
    assert item.held and item.post == held
    assert [c.body for c in item.thread] == [
        "Top of the thread",
        "An earlier reply",
        "Ring Jo on 07700 900123",
    ]
    html = response.content.decode()
    assert "it looks like it contains a phone number" in html
    assert "Comment on “Rest rooms for night staff”" in html
    assert idea.body in html  # the idea it answers, for context


def test_the_queue_is_oldest_first_and_flags_overdue_items_in_words(
    as_moderator, open_campaign, make_idea, make_staff, settings
):
    settings.MODERATION_TARGET_HOURS = 24
    now = timezone.now()
    fresh = make_idea(open_campaign, visibility=Visibility.HELD, title="Fresh")
    old = make_idea(
        open_campaign,
        visibility=Visibility.HELD,
        title="Old",
        created_at=now - timedelta(hours=30),
    )
    reported = make_idea(open_campaign, title="Reported")
    flag = moderation.flag_post(make_staff(), reported, "spam")
    Flag.objects.filter(pk=flag.pk).update(created_at=now - timedelta(hours=2))

    response = as_moderator.get(QUEUE)

    items = response.context["items"]
    assert [i.post.pk for i in items] == [old.pk, reported.pk, fresh.pk]
    assert [i.overdue for i in items] == [True, False, False]
    html = response.content.decode()
    assert html.count("Over 24 hours") == 1
    assert "1 has waited over 24 hours" in html
    assert "Waiting 1\xa0day" in html


def test_a_campaigns_queue_shows_only_that_campaign(
    as_moderator, idea, make_campaign, make_idea, make_staff
):
    other = make_idea(make_campaign("open"), title="Elsewhere entirely")
    moderation.flag_post(make_staff(), idea, "spam")
    moderation.flag_post(make_staff(), other, "spam")

    one = as_moderator.get(campaign_queue(idea.campaign)).context["items"]
    everything = as_moderator.get(QUEUE).context["items"]

    assert [i.post for i in one] == [idea]
    assert {i.post for i in everything} == {idea, other}


def test_review_requests_are_in_the_queue(as_moderator, moderator, idea):
    moderation.hide_post(moderator, idea, "spam")
    moderation.request_review(idea.author, reload(idea), "It was on topic")

    response = as_moderator.get(QUEUE)

    (item,) = response.context["items"]
    assert item.review.message == "It was on topic"
    html = response.content.decode()
    assert "Author asks for a review" in html and "It was on topic" in html


def test_the_queue_never_shows_who_wrote_an_anonymous_post(
    as_moderator, make_campaign, make_staff
):
    campaign = make_campaign("open", allow_anonymous=True)
    secret = make_staff(display_name="Secret Sam", email="secret.sam@nhs.net")
    idea = Idea.objects.create(
        campaign=campaign,
        theme=campaign.themes.first(),
        author=secret,
        is_anonymous=True,
        title="Speak up",
        body="x",
        visibility=Visibility.HELD,
    )
    held_comment(idea, secret).__class__.objects.filter(author=secret).update(
        is_anonymous=True
    )

    html = as_moderator.get(QUEUE).content.decode()

    assert "Speak up" in html and "A colleague" in html
    assert "Secret" not in html and "secret.sam" not in html


def _queue_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def _fill_queue(campaign, make_idea, make_comment, make_staff, n: int) -> None:
    for _ in range(n):
        idea = make_idea(campaign)
        moderation.flag_post(make_staff(), idea, "spam")
        make_idea(campaign, visibility=Visibility.HELD)
        top = make_comment(idea)
        moderation.flag_post(make_staff(), make_comment(idea, parent=top), "offensive")
        held_comment(idea, make_staff())
        hidden = make_idea(campaign)
        Idea.objects.filter(pk=hidden.pk).update(visibility=Visibility.HIDDEN)
        ReviewRequest.objects.create(author=hidden.author, idea=hidden)


@pytest.mark.parametrize("scope", ["all", "campaign"])
def test_the_queue_takes_the_same_number_of_queries_however_long_it_is(
    as_moderator, open_campaign, make_idea, make_comment, make_staff, scope
):
    url = QUEUE if scope == "all" else campaign_queue(open_campaign)
    _fill_queue(open_campaign, make_idea, make_comment, make_staff, 2)
    _queue_queries(as_moderator, url)  # the moderator's roles are cached from now on
    small = _queue_queries(as_moderator, url)
    _fill_queue(open_campaign, make_idea, make_comment, make_staff, 8)

    large = _queue_queries(as_moderator, url)

    response = as_moderator.get(url)
    assert len(response.context["items"]) == PAGE_SIZE
    assert response.context["total"] == 50
    assert large == small
    assert small <= 16  # four reads of ids and times, then the page's rows
    # Later pages cost the same.
    assert _queue_queries(as_moderator, f"{url}?page=3") == small


def test_the_queue_is_paged_and_stays_oldest_first_across_pages(
    as_moderator, open_campaign, make_idea, make_staff, settings
):
    settings.MODERATION_TARGET_HOURS = 24
    now = timezone.now()
    # Made newest first, so the order on the page cannot come from creation order.
    ideas = [
        make_idea(
            open_campaign,
            visibility=Visibility.HELD,
            created_at=now - timedelta(minutes=minutes),
        )
        for minutes in range(PAGE_SIZE + 5)
    ]
    reported = make_idea(open_campaign)
    flag = moderation.flag_post(make_staff(), reported, "spam")
    Flag.objects.filter(pk=flag.pk).update(created_at=now - timedelta(hours=100))
    oldest_first = [reported.pk] + [i.pk for i in reversed(ideas)]

    first = as_moderator.get(QUEUE)
    second = as_moderator.get(QUEUE, {"page": 2})

    shown = [i.post.pk for i in first.context["items"]] + [
        i.post.pk for i in second.context["items"]
    ]
    assert shown == oldest_first
    html = first.content.decode()
    assert f"{PAGE_SIZE + 6} items waiting, oldest first." in html
    # The overdue count is for the whole queue, not just this page.
    assert "1 has waited over 24 hours" in html
    assert "?page=2" in html and "Page 2 of 2" in html
    assert "Page 1 of 2" in second.content.decode()


# -- actions, by POST -----------------------------------------------------------------


def test_approving_through_the_queue(as_moderator, idea, make_staff):
    held = held_comment(idea, make_staff())

    response = as_moderator.post(
        action_url(held, "approve"), {"next": QUEUE}, follow=True
    )

    assert response.redirect_chain[-1][0] == QUEUE
    assert "Approved" in response.content.decode()
    assert reload(held).visibility == Visibility.VISIBLE


def test_hiding_through_the_queue_with_a_reason_and_note(as_moderator, idea):
    response = as_moderator.post(
        action_url(idea, "hide"), {"reason": "personal_attack", "note": "Names a ward"}
    )

    assert response.status_code == 302
    assert response["Location"] == campaign_queue(idea.campaign)
    entry = AuditEntry.objects.get()
    assert (entry.reason, entry.note) == ("personal_attack", "Names a ward")
    assert reload(idea).visibility == Visibility.HIDDEN


def test_hiding_without_a_valid_reason_shows_the_form_again(as_moderator, idea):
    response = as_moderator.post(action_url(idea, "hide"), {"reason": "boring"})

    assert response.status_code == 400
    assert "nhsuk-error-summary" in response.content.decode()
    assert reload(idea).visibility == Visibility.VISIBLE


def test_the_hide_page_for_a_comment_hides_it(as_moderator, idea, make_comment):
    comment = make_comment(idea)
    url = reverse(
        "conversations:moderate_hide_form",
        args=[idea.campaign.slug, "comment", comment.pk],
    )

    assert as_moderator.get(url).status_code == 200
    response = as_moderator.post(
        url, {"reason": "spam", "next": idea.get_absolute_url()}
    )

    assert response["Location"] == idea.get_absolute_url()
    assert reload(comment).visibility == Visibility.HIDDEN


def test_restoring_dismissing_and_keeping_hidden_through_the_queue(
    as_moderator, moderator, idea, make_idea, make_staff
):
    moderation.flag_post(make_staff(), idea, "spam")
    assert as_moderator.post(action_url(idea, "dismiss")).status_code == 302
    assert Flag.objects.get().outcome == Flag.Outcome.KEPT

    other = make_idea(idea.campaign)
    moderation.hide_post(moderator, other, "spam")
    moderation.request_review(other.author, reload(other))
    assert as_moderator.post(action_url(other, "keep_hidden")).status_code == 302
    assert ReviewRequest.objects.get().resolved_at is not None

    assert as_moderator.post(action_url(reload(other), "restore")).status_code == 302
    assert reload(other).visibility == Visibility.VISIBLE


def test_locking_and_unlocking_comments_through_the_site(as_moderator, idea):
    as_moderator.post(action_url(idea, "lock"))
    assert reload(idea).comments_locked

    html = as_moderator.get(idea.get_absolute_url()).content.decode()
    assert "closed comments on this idea" in html
    assert 'class="sv-comment-form"' not in html

    as_moderator.post(action_url(idea, "unlock"))
    assert not reload(idea).comments_locked


def test_comments_cannot_be_locked_on_a_comment(as_moderator, idea, make_comment):
    assert as_moderator.post(action_url(make_comment(idea), "lock")).status_code == 404


def test_an_action_that_no_longer_applies_is_refused_politely(as_moderator, idea):
    response = as_moderator.post(action_url(idea, "approve"))

    assert response.status_code == 403
    assert "Only a post waiting for a moderator" in response.content.decode()


def test_actions_must_be_posted(as_moderator, idea):
    assert as_moderator.get(action_url(idea, "hide")).status_code == 200  # the form
    assert as_moderator.get(action_url(idea, "approve")).status_code == 405


def test_an_unknown_action_is_not_found(as_moderator, idea):
    assert as_moderator.post(action_url(idea, "delete")).status_code == 404


@pytest.mark.parametrize(
    "action", ["approve", "hide", "restore", "dismiss", "keep_hidden", "lock"]
)
def test_every_action_is_forbidden_to_staff(client, staff, idea, action):
    client.force_login(staff)

    response = client.post(action_url(idea, action), {"reason": "spam"})

    assert response.status_code == 403
    assert not AuditEntry.objects.exists()


def test_edit_and_merge_pages_are_forbidden_to_staff(client, staff, idea, make_idea):
    client.force_login(staff)
    edit = reverse(
        "conversations:moderate_edit", args=[idea.campaign.slug, "idea", idea.pk]
    )
    merge = reverse("conversations:moderate_merge", args=[idea.campaign.slug, idea.pk])

    assert client.get(edit).status_code == 403
    assert (
        client.post(edit, {"title": "t", "body": "b", "note": "n"}).status_code == 403
    )
    assert client.get(merge).status_code == 403
    target = make_idea(idea.campaign)
    assert client.post(merge, {"target": target.pk}).status_code == 403
    assert reload(idea).merged_into is None


def test_editing_through_the_site_marks_the_post(as_moderator, client, idea):
    url = reverse(
        "conversations:moderate_edit", args=[idea.campaign.slug, "idea", idea.pk]
    )
    assert idea.title in as_moderator.get(url).content.decode()

    response = as_moderator.post(
        url,
        {
            "title": "Rest rooms for night staff",
            "body": "As [name removed] said, somewhere quiet.",
            "note": "Removed a name",
        },
    )

    assert response.status_code == 302
    assert reload(idea).body == "As [name removed] said, somewhere quiet."
    page = as_moderator.get(idea.get_absolute_url()).content.decode()
    assert "Edited by a moderator" in page


def test_editing_needs_a_note_for_the_audit_log(as_moderator, idea, make_comment):
    comment = make_comment(idea)
    url = reverse(
        "conversations:moderate_edit",
        args=[idea.campaign.slug, "comment", comment.pk],
    )

    response = as_moderator.post(url, {"body": "Changed"})

    assert response.status_code == 400
    assert "Say what you changed and why." in response.content.decode()
    assert not AuditEntry.objects.exists()


def test_merging_through_the_site(as_moderator, idea, make_idea):
    duplicate = make_idea(idea.campaign, title="Quiet rooms")
    url = reverse(
        "conversations:moderate_merge", args=[idea.campaign.slug, duplicate.pk]
    )

    found = as_moderator.get(url, {"q": "night staff"}).context["candidates"]
    assert found == [idea]
    response = as_moderator.post(url, {"target": idea.pk, "note": "Same"})

    assert response["Location"] == idea.get_absolute_url()
    assert reload(duplicate).merged_into == idea
    page = as_moderator.get(duplicate.get_absolute_url()).content.decode()
    assert "This idea was merged into a similar one" in page


def test_merging_into_an_idea_of_another_campaign_is_refused(
    as_moderator, idea, make_campaign, make_idea
):
    other = make_idea(make_campaign("open"))
    url = reverse("conversations:moderate_merge", args=[idea.campaign.slug, idea.pk])

    response = as_moderator.post(url, {"target": other.pk})

    assert response.status_code == 400
    assert reload(idea).merged_into is None


# -- the idea page for moderators -----------------------------------------------------


def test_moderators_get_the_moderation_panel_on_an_idea_page(
    as_moderator, client, idea, staff
):
    html = as_moderator.get(idea.get_absolute_url()).content.decode()
    assert "Moderate this idea" in html and "Close comments" in html

    client.force_login(staff)
    assert (
        "Moderate this idea" not in client.get(idea.get_absolute_url()).content.decode()
    )


def test_the_old_idea_moderation_form_refuses_politely(as_moderator, idea):
    url = reverse("conversations:idea_moderate", args=[idea.campaign.slug, idea.pk])

    response = as_moderator.post(url, {"action": "restore"})

    assert response.status_code == 403


# -- moderation history ---------------------------------------------------------------


def test_moderators_read_the_history_with_who_what_and_why(
    as_moderator, moderator, idea
):
    moderation.hide_post(moderator, idea, "personal_attack", "Named a ward sister")

    response = as_moderator.get(
        reverse("conversations:campaign_moderation_history", args=[idea.campaign.slug])
    )

    html = response.content.decode()
    assert "Mo Moderator" in html and "Hidden" in html
    assert "A personal attack: Named a ward sister" in html
    assert idea.title in html


def test_keeping_a_post_hidden_after_review_has_its_own_line_in_the_history(
    as_moderator, moderator, idea
):
    moderation.hide_post(moderator, idea, "spam")
    moderation.request_review(idea.author, reload(idea))
    moderation.keep_hidden(moderator, reload(idea), "Still off topic")

    html = as_moderator.get(
        reverse("conversations:campaign_moderation_history", args=[idea.campaign.slug])
    ).content.decode()

    assert "Kept hidden after review" in html
    assert "Still off topic" in html
    assert html.count(">Hidden<") == 1  # the original hide only


# -- asking for a review -------------------------------------------------------------


def review_url(post) -> str:
    return reverse(
        "conversations:ask_review", args=[post.campaign.slug, "idea", post.pk]
    )


def test_the_author_of_a_hidden_post_asks_for_a_review(client, moderator, idea):
    moderation.hide_post(moderator, idea, "spam")
    (note,) = Notification.objects.filter(recipient=idea.author)
    assert note.url == review_url(idea)
    client.force_login(idea.author)

    page = client.get(review_url(idea)).content.decode()
    assert "A moderator hid this because: Spam or off topic." in page
    response = client.post(review_url(idea), {"message": "It is on topic"}, follow=True)

    assert ReviewRequest.objects.get().message == "It is on topic"
    assert "You have asked for a review" in response.content.decode()


def test_nobody_else_can_see_or_ask_for_a_review_of_a_hidden_post(
    client, staff, moderator, idea
):
    moderation.hide_post(moderator, idea, "spam")
    client.force_login(staff)

    assert client.get(review_url(idea)).status_code == 404
    assert client.post(review_url(idea), {"message": "x"}).status_code == 404
    assert not ReviewRequest.objects.exists()


# -- ground rules -------------------------------------------------------------------


def test_the_ground_rules_are_linked_from_every_posting_form(
    client, staff, idea, make_comment
):
    make_comment(idea)
    rules = reverse("conversations:ground_rules")
    client.force_login(staff)

    page = client.get(rules).content.decode()
    for words in ("Be kind", "Do not name patients or colleagues", "anonymous"):
        assert words in page
    assert "What moderators do" in page
    new_idea = reverse("conversations:idea_create", args=[idea.campaign.slug])
    assert rules in client.get(new_idea).content.decode()
    idea_page = client.get(idea.get_absolute_url()).content.decode()
    assert idea_page.count(rules) >= 2  # the comment form and each reply form
