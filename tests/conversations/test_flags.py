"""Reporting ("flagging") a post: one report per person per post, never one's own,
rate limited, thanked, and told the outcome."""

import pytest
from django.urls import reverse

from conversations.exceptions import RateLimited, Refused
from conversations.live import events
from conversations.models import AuditEntry, Flag, Visibility
from conversations.services import moderation
from notifications.models import Notification

pytestmark = pytest.mark.django_db

OFFENSIVE = AuditEntry.Reason.OFFENSIVE


@pytest.fixture
def idea(open_campaign, make_idea):
    return make_idea(open_campaign, title="Managers never listen")


@pytest.fixture
def comment(idea, make_comment):
    return make_comment(idea, body="They are all useless")


def flag_url(post, kind) -> str:
    campaign = post.campaign if kind == "idea" else post.idea.campaign
    return reverse("conversations:flag", args=[campaign.slug, kind, post.pk])


# -- the service ----------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["idea", "comment"])
def test_staff_report_an_idea_or_a_comment_with_a_reason_and_a_note(
    staff, idea, comment, kind, django_capture_on_commit_callbacks, published
):
    post = idea if kind == "idea" else comment

    with django_capture_on_commit_callbacks(execute=True):
        flag = moderation.flag_post(
            staff, post, AuditEntry.Reason.PERSONAL_ATTACK, "Names <b>a</b> manager"
        )

    assert getattr(flag, kind) == post
    assert (flag.reporter, flag.reason) == (staff, "personal_attack")
    assert flag.note == "Names a manager"  # plain text
    assert flag.outcome == Flag.Outcome.OPEN
    ((group, payload),) = published
    assert group == events.moderators_group(idea.campaign.pk)
    assert payload["type"] == "queue.changed" and payload["why"] == "flagged"


def test_one_report_per_person_per_post(staff, make_staff, idea):
    moderation.flag_post(staff, idea, OFFENSIVE)

    with pytest.raises(moderation.AlreadyFlagged) as refused:
        moderation.flag_post(staff, idea, AuditEntry.Reason.SPAM)

    assert "already reported" in str(refused.value.message)
    moderation.flag_post(make_staff(), idea, OFFENSIVE)  # someone else may
    assert Flag.objects.count() == 2


def test_nobody_can_report_their_own_post(idea):
    with pytest.raises(Refused) as refused:
        moderation.flag_post(idea.author, idea, OFFENSIVE)

    assert "your own" in str(refused.value.message)
    assert not Flag.objects.exists()


@pytest.mark.parametrize("visibility", [Visibility.HELD, Visibility.HIDDEN])
def test_posts_nobody_can_see_cannot_be_reported(staff, idea, visibility):
    idea.visibility = visibility
    with pytest.raises(Refused):
        moderation.flag_post(staff, idea, OFFENSIVE)


def test_an_unknown_reason_is_refused(staff, idea):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        moderation.flag_post(staff, idea, "boring")


def test_reporting_is_rate_limited(staff, open_campaign, make_idea, settings, caplog):
    settings.FLAG_RATE_LIMIT = 2
    ideas = [make_idea(open_campaign) for _ in range(3)]
    moderation.flag_post(staff, ideas[0], OFFENSIVE)
    moderation.flag_post(staff, ideas[1], OFFENSIVE)

    with pytest.raises(RateLimited) as refused:
        moderation.flag_post(staff, ideas[2], OFFENSIVE)

    assert refused.value.status_code == 429
    assert "reported a lot of posts" in str(refused.value.message)
    assert Flag.objects.count() == 2
    assert "rate_limit.reached" in caplog.text


def test_a_repeated_report_does_not_use_up_the_limit(staff, idea, settings):
    settings.FLAG_RATE_LIMIT = 1
    moderation.flag_post(staff, idea, OFFENSIVE)
    for _ in range(3):
        with pytest.raises(moderation.AlreadyFlagged):
            moderation.flag_post(staff, idea, OFFENSIVE)


@pytest.mark.parametrize(
    ("resolve", "outcome", "said"),
    [
        (lambda m, p: moderation.dismiss_flags(m, p), "kept", "was kept"),
        (lambda m, p: moderation.hide_post(m, p, OFFENSIVE), "hidden", "was hidden"),
        (
            lambda m, p: moderation.edit_post(m, p, body="[removed]", title="T"),
            "edited",
            "was edited",
        ),
    ],
)
def test_the_reporter_is_told_the_outcome(
    staff, moderator, idea, resolve, outcome, said
):
    moderation.flag_post(staff, idea, OFFENSIVE)
    assert not Notification.objects.filter(recipient=staff).exists()

    resolve(moderator, idea)

    flag = Flag.objects.get()
    assert (flag.outcome, flag.resolved_by) == (outcome, moderator)
    assert flag.resolved_at is not None
    (note,) = Notification.objects.filter(recipient=staff)
    assert said in note.message and "Thank you" in note.message


# -- through the site -------------------------------------------------------------------


def test_the_report_form_offers_the_reasons_and_links_the_ground_rules(
    client, staff, idea
):
    client.force_login(staff)

    response = client.get(flag_url(idea, "idea"))

    html = response.content.decode()
    assert response.status_code == 200
    for label in AuditEntry.Reason.labels:
        assert str(label) in html
    assert 'type="radio"' in html
    assert reverse("conversations:ground_rules") in html


@pytest.mark.parametrize("kind", ["idea", "comment"])
def test_reporting_through_the_site_thanks_the_reporter(
    client, staff, idea, comment, kind
):
    post = idea if kind == "idea" else comment
    client.force_login(staff)

    response = client.post(
        flag_url(post, kind), {"reason": "offensive", "note": "Rude"}, follow=True
    )

    assert response.redirect_chain[-1][0] == post.get_absolute_url()
    assert "Thank you for telling us" in response.content.decode()
    assert Flag.objects.get().note == "Rude"


def test_a_second_report_says_it_was_already_reported(client, staff, idea):
    client.force_login(staff)
    client.post(flag_url(idea, "idea"), {"reason": "offensive"})

    response = client.post(flag_url(idea, "idea"), {"reason": "spam"})

    assert response.status_code == 409
    assert "already reported" in response.content.decode()
    assert Flag.objects.count() == 1
    again = client.get(flag_url(idea, "idea")).content.decode()
    assert "already reported" in again and 'type="radio"' not in again


def test_a_report_without_a_reason_is_shown_the_error(client, staff, idea):
    client.force_login(staff)

    response = client.post(flag_url(idea, "idea"), {"note": "Please look"})

    assert response.status_code == 400
    assert "Choose why you are reporting this." in response.content.decode()
    assert "Please look" in response.content.decode()


def test_reporting_ones_own_post_is_refused(client, idea):
    client.force_login(idea.author)

    assert client.get(flag_url(idea, "idea")).status_code == 403
    assert client.post(flag_url(idea, "idea"), {"reason": "spam"}).status_code == 403
    assert not Flag.objects.exists()


def test_rate_limited_report_answers_429_and_keeps_what_was_typed(
    client, staff, open_campaign, make_idea, settings
):
    settings.FLAG_RATE_LIMIT = 1
    first, second = make_idea(open_campaign), make_idea(open_campaign)
    client.force_login(staff)
    client.post(flag_url(first, "idea"), {"reason": "spam"})

    response = client.post(
        flag_url(second, "idea"), {"reason": "offensive", "note": "Kept note"}
    )

    html = response.content.decode()
    assert response.status_code == 429
    assert "reported a lot of posts" in html
    assert "Kept note" in html
    assert Flag.objects.count() == 1


def test_held_or_hidden_posts_have_no_report_page(
    client, staff, open_campaign, make_idea
):
    held = make_idea(open_campaign, visibility=Visibility.HELD, author=staff)
    hidden = make_idea(open_campaign, visibility=Visibility.HIDDEN)
    client.force_login(staff)

    assert client.get(flag_url(hidden, "idea")).status_code == 404
    assert client.get(flag_url(held, "idea")).status_code == 404


def test_a_report_from_outside_a_team_campaign_is_forbidden(
    client, staff, make_campaign, make_team, make_idea
):
    idea = make_idea(make_campaign("open", audience_teams=[make_team()]))
    client.force_login(staff)

    assert client.post(flag_url(idea, "idea"), {"reason": "spam"}).status_code == 403
    assert not Flag.objects.exists()


def test_report_links_show_on_others_posts_only(client, staff, idea, make_comment):
    own = make_comment(idea, author=staff, body="My own comment")
    other = make_comment(idea, body="Someone else's")
    client.force_login(staff)

    html = client.get(idea.get_absolute_url()).content.decode()

    assert flag_url(idea, "idea") in html
    assert flag_url(other, "comment") in html
    assert flag_url(own, "comment") not in html
    campaign_html = client.get(idea.campaign.get_absolute_url()).content.decode()
    assert flag_url(idea, "idea") in campaign_html


def test_reporting_needs_sign_in(client, idea):
    response = client.get(flag_url(idea, "idea"))

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
