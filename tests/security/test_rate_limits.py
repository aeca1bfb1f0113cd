"""Rate limits: sign-in and sign-up (allauth's, in the real cache), posting and voting
(accounts.ratelimit), and the admin's sign-in, which has none of its own."""

import logging

import pytest
from django.conf import settings
from django.urls import reverse

from accounts import ratelimit
from conversations.exceptions import RateLimited
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

TOO_MANY = "Too many failed sign-in attempts for this email address."


def test_the_cache_is_a_real_one():
    """allauth's limits silently do nothing with a dummy cache."""
    assert "DummyCache" not in settings.CACHES["default"]["BACKEND"]


def sign_in(client, email, password="not-the-password"):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def test_too_many_failed_sign_ins_answer_429_with_a_clear_message(
    client, staff, caplog
):
    caplog.set_level(logging.INFO, logger="security")
    for _attempt in range(5):
        assert sign_in(client, staff.email).status_code == 200

    response = sign_in(client, staff.email)

    assert response.status_code == 429
    html = response.content.decode()
    assert TOO_MANY in html
    assert f'value="{staff.email}"' in html  # nothing typed is lost
    assert "rate_limit.hit" in caplog.text


def test_the_right_password_is_refused_too_while_limited(client, staff):
    for _attempt in range(5):
        sign_in(client, staff.email)

    response = sign_in(client, staff.email, PASSWORD)

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_limit_is_per_email_so_colleagues_can_still_sign_in(
    client, staff, make_staff
):
    for _attempt in range(5):
        sign_in(client, staff.email)
    colleague = make_staff()

    response = sign_in(client, colleague.email, PASSWORD)

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(colleague.pk)


def test_too_many_sign_in_posts_from_one_address_answer_429(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login": "3/m/ip"}
    for n in range(3):
        sign_in(client, f"nobody{n}@nhs.net")

    response = sign_in(client, "nobody9@nhs.net")

    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()


def test_too_many_sign_ups_from_one_address_answer_429(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "signup": "2/m/ip"}
    for n in range(2):
        client.post(
            reverse("account_signup"),
            {"email": f"new{n}@nhs.net", "password1": PASSWORD, "password2": PASSWORD},
        )
        client.logout()

    response = client.post(
        reverse("account_signup"),
        {"email": "new9@nhs.net", "password1": PASSWORD, "password2": PASSWORD},
    )

    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()


# -- per-person write limits -------------------------------------------------------


def test_the_helper_allows_the_limit_then_refuses(staff, settings):
    settings.VOTE_RATE_LIMIT, settings.VOTE_RATE_WINDOW = 3, 60

    assert [ratelimit.allow("vote", staff) for _ in range(4)] == [
        True,
        True,
        True,
        False,
    ]


def test_the_helper_counts_each_person_and_scope_apart(make_staff, settings):
    settings.VOTE_RATE_LIMIT = settings.FLAG_RATE_LIMIT = 1
    first, second = make_staff(), make_staff()

    assert ratelimit.allow("vote", first)
    assert ratelimit.allow("vote", second)
    assert ratelimit.allow("flag", first)
    assert not ratelimit.allow("vote", first)


def test_enforce_raises_the_callers_refusal_with_the_message_and_logs_it(
    staff, settings, caplog
):
    settings.VOTE_RATE_LIMIT = 0

    with pytest.raises(RateLimited) as refused:
        ratelimit.enforce("vote", staff, RateLimited)

    assert refused.value.status_code == 429
    assert "voted a lot" in str(refused.value.message)
    assert f"rate_limit.reached scope=vote user={staff.pk}" in caplog.text


def _vote(client, idea):
    return client.post(
        reverse("conversations:vote", args=[idea.campaign.slug, "idea", idea.pk]),
        {"value": "support"},
        HTTP_ACCEPT="application/json",
    )


def test_too_many_votes_answer_429_with_a_message(
    client, staff, make_idea, open_campaign, settings
):
    settings.VOTE_RATE_LIMIT = 2
    ideas = [make_idea(open_campaign) for _ in range(3)]
    client.force_login(staff)

    answers = [_vote(client, idea) for idea in ideas]

    assert [a.status_code for a in answers] == [200, 200, 429]
    assert "voted a lot" in answers[-1].json()["error"]


def _post_idea(client, campaign, title):
    return client.post(
        reverse("conversations:idea_create", args=[campaign.slug]),
        {"theme": campaign.themes.first().pk, "title": title, "body": "Body text"},
    )


def test_too_many_posts_are_refused_and_what_was_typed_is_kept(
    client, staff, open_campaign, settings
):
    settings.POSTING_RATE_LIMIT = 2
    client.force_login(staff)
    _post_idea(client, open_campaign, "First")
    _post_idea(client, open_campaign, "Second")

    response = _post_idea(client, open_campaign, "A third idea I typed carefully")

    assert response.status_code in (400, 429)
    html = response.content.decode()
    assert "A third idea I typed carefully" in html
    assert "posted a lot in a short time" in html
    assert open_campaign.ideas.count() == 2


def test_too_many_posts_answer_429(client, staff, open_campaign, settings):
    settings.POSTING_RATE_LIMIT = 1
    client.force_login(staff)
    _post_idea(client, open_campaign, "First")

    assert _post_idea(client, open_campaign, "Second").status_code == 429


# -- the Django admin's sign-in ------------------------------------------------------------


def test_the_admin_sends_visitors_to_the_rate_limited_sign_in(client):
    response = client.get(reverse("admin:index"), follow=True)

    assert response.redirect_chain[-1][0].startswith(reverse("account_login"))
    assert response.status_code == 200


def test_the_admin_sign_in_form_cannot_be_used_to_guess_passwords(client, make_staff):
    admin = make_staff()
    admin.is_staff = admin.is_superuser = True
    admin.save()

    response = client.post(
        reverse("admin:login"), {"username": admin.email, "password": PASSWORD}
    )

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert "_auth_user_id" not in client.session


def test_admin_sign_in_failures_count_against_the_same_limit(client, make_staff):
    admin = make_staff(mfa=True)
    admin.is_staff = True
    admin.save()
    for _attempt in range(5):
        sign_in(client, admin.email)

    response = sign_in(client, admin.email, PASSWORD)

    assert response.status_code == 429
    assert client.get(reverse("admin:index")).status_code == 302


def test_signed_in_non_staff_are_refused_the_admin(client, staff):
    client.force_login(staff)

    assert client.get(reverse("admin:login")).status_code == 403


def test_staff_go_from_the_admin_sign_in_to_where_they_were_going(client, make_staff):
    admin = make_staff(mfa=True)
    admin.is_staff = True
    admin.save()
    client.force_login(admin)

    response = client.get(reverse("admin:login") + "?next=/admin/accounts/")
    evil = client.get(reverse("admin:login") + "?next=https://evil.example/")

    assert response["Location"] == "/admin/accounts/"
    assert evil["Location"] == reverse("admin:index")
