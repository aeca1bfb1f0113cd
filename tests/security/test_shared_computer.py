"""Shared ward computers: sessions end after a spell without activity (shorter for
people who can see more), a "This is a shared computer" choice at sign-in ends the
session when the browser closes, and nothing in the browser names who is signed in."""

import time

import pytest
from django.conf import settings
from django.urls import reverse

from accounts.safety import sessions
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _sign_in(client, person, **extra):
    return client.post(
        reverse("account_login"), {"login": person.email, "password": PASSWORD, **extra}
    )


def _idle_for(client, minutes: float) -> None:
    """Pretend the last noted activity was ``minutes`` ago."""
    session = client.session
    session[sessions.SEEN] = int(time.time() - minutes * 60)
    session.save()


def test_the_sign_in_form_offers_the_shared_computer_choice(client):
    page = client.get(reverse("account_login")).content.decode()

    assert 'name="shared_computer"' in page
    assert "This is a shared computer" in page
    assert 'name="remember"' not in page


def test_on_a_shared_computer_the_session_ends_with_the_browser(client, staff):
    response = _sign_in(client, staff, shared_computer="on")

    assert response.status_code == 302
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["max-age"] == "" and cookie["expires"] == ""
    assert client.session.get_expire_at_browser_close()


def test_otherwise_the_session_lasts_the_idle_limit(client, staff):
    response = _sign_in(client, staff)

    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert int(cookie["max-age"]) == settings.IDLE_TIMEOUT_MINUTES * 60
    assert not client.session.get_expire_at_browser_close()


def test_people_who_can_see_more_get_the_shorter_limit(client, moderator):
    client.force_login(moderator)
    client.get(reverse("home"))

    assert client.session.get_expiry_age() == (
        settings.IDLE_TIMEOUT_PRIVILEGED_MINUTES * 60
    )


@pytest.mark.parametrize(
    "who, shared, idle, signed_out",
    [
        ("staff", False, 29, False),
        ("staff", False, 31, True),
        ("moderator", False, 14, False),
        ("moderator", False, 16, True),
        ("staff", True, 9, False),
        ("staff", True, 11, True),
    ],
)
def test_an_idle_session_is_signed_out(
    client, staff, moderator, who, shared, idle, signed_out
):
    if who == "staff":
        _sign_in(client, staff, **({"shared_computer": "on"} if shared else {}))
    else:
        client.force_login(moderator)
    client.get(reverse("home"))
    _idle_for(client, idle)

    response = client.get(reverse("me:posts"))

    if signed_out:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
        page = client.get(response["Location"]).content.decode()
        assert "You were signed out because nothing happened" in page
    else:
        assert response.status_code == 200


def test_activity_is_written_at_most_once_a_minute(client, staff):
    client.force_login(staff)
    client.get(reverse("home"))
    noted = client.session[sessions.SEEN]

    again = client.get(reverse("home"))
    assert settings.SESSION_COOKIE_NAME not in again.cookies  # nothing written
    assert client.session[sessions.SEEN] == noted

    _idle_for(client, 2)
    backdated = client.session[sessions.SEEN]
    later = client.get(reverse("home"))
    assert settings.SESSION_COOKIE_NAME in later.cookies  # expiry pushed on
    assert client.session[sessions.SEEN] >= noted > backdated


def _posting_form(campaign) -> str:
    return reverse("conversations:idea_create", args=[campaign.slug])


def test_nothing_in_the_browser_names_who_is_signed_in(
    client, make_staff, open_campaign
):
    person = make_staff(email="wendy.wardnurse@nhs.net", display_name="Wendy Ward")
    response = _sign_in(client, person, shared_computer="on")
    page = client.get(_posting_form(open_campaign))

    for jar in (response.cookies, page.cookies, client.cookies):
        for morsel in jar.values():
            assert "wendy" not in morsel.value.lower(), morsel.key
    assert set(client.cookies) <= {
        settings.SESSION_COOKIE_NAME,
        settings.CSRF_COOKIE_NAME,
        settings.LANGUAGE_COOKIE_NAME,
    }
    # Drafts are kept in localStorage only off shared computers (static/js/drafts.js).
    assert 'data-owner=""' in page.content.decode()


def test_drafts_are_kept_for_the_person_off_shared_computers(
    client, staff, open_campaign
):
    _sign_in(client, staff)

    page = client.get(_posting_form(open_campaign)).content.decode()

    assert f'data-owner="{staff.pk}"' in page
