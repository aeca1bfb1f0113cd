"""Multi-factor sign-in (allauth.mfa) for those who can see more: a moderator, an
engagement manager, an administrator, a superuser or a reveal holder without an
authenticator app is sent to set one up and can do nothing else until they have;
once set up, every sign-in asks for the code. Anyone may switch it on."""

import re
import time

import pyotp
import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _person(make_staff, role: str):
    if role in ("moderator", "engagement_manager", "administrator", "team_lead"):
        return make_staff(roles=[role], mfa=False)
    person = make_staff(mfa=False)
    if role == "superuser":
        person.is_staff = person.is_superuser = True
        person.save()
    elif role == "reveal_holder":
        person.user_permissions.add(Permission.objects.get(codename="reveal_identity"))
    return person


def _sign_in(client, person):
    return client.post(
        reverse("account_login"), {"login": person.email, "password": PASSWORD}
    )


def _set_up(client) -> str:
    """Set up an authenticator app on the set-up page, as a person would: read the
    secret it shows, type the app's code. Returns the secret."""
    response = client.get(reverse("mfa_activate_totp"))
    if response.status_code == 302:  # allauth asks for the password once more first
        assert response["Location"].startswith(reverse("account_reauthenticate"))
        client.post(response["Location"], {"password": PASSWORD})
        response = client.get(reverse("mfa_activate_totp"))
    page = response.content.decode()
    secret = re.search(r'value="([A-Z2-7]{16,})"', page).group(1)
    response = client.post(
        reverse("mfa_activate_totp"), {"code": pyotp.TOTP(secret).now()}
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    return secret


@pytest.mark.parametrize(
    "role",
    ["moderator", "engagement_manager", "administrator", "superuser", "reveal_holder"],
)
def test_a_role_that_sees_more_must_set_up_a_second_step_first(
    client, make_staff, role, open_campaign
):
    person = _person(make_staff, role)
    _sign_in(client, person)

    for url in (
        reverse("home"),
        reverse("conversations:campaign", args=[open_campaign.slug]),
        reverse("notifications:inbox"),
        reverse("admin:index"),
    ):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == reverse("mfa_activate_totp"), url
    page = client.get(reverse("mfa_activate_totp"), follow=True).content.decode()
    assert "second step" in page  # says why

    _set_up(client)

    assert client.get(reverse("home")).status_code == 200


def test_a_page_working_in_the_background_does_not_spoil_the_set_up(
    client, make_staff, open_campaign
):
    """While a moderator reads the secret off the set-up page, requests that pages
    make by themselves (the bell's socket, a script's fetch) go on; a browser
    follows any redirect they get. The code from the secret on screen still works."""
    person = _person(make_staff, "moderator")
    _sign_in(client, person)
    response = client.get(reverse("mfa_activate_totp"))
    if response.status_code == 302:  # allauth asks for the password once more first
        client.post(response["Location"], {"password": PASSWORD})
        response = client.get(reverse("mfa_activate_totp"))
    secret = re.search(r'value="([A-Z2-7]{16,})"', response.content.decode()).group(1)

    answers = []
    for url, mode in (
        ("/ws/me/", "websocket"),
        (reverse("conversations:campaign", args=[open_campaign.slug]), "cors"),
        (reverse("notifications:inbox"), "same-origin"),
    ):
        background = client.get(url, HTTP_SEC_FETCH_MODE=mode)
        answers.append((background.status_code, background.content.decode()))
        if background.status_code in (301, 302, 303):  # as a browser's fetch would
            client.get(background["Location"], HTTP_SEC_FETCH_MODE=mode)

    response = client.post(
        reverse("mfa_activate_totp"), {"code": pyotp.TOTP(secret).now()}
    )
    assert response.status_code == 302, "the code on screen was refused"
    assert client.get(reverse("home")).status_code == 200
    # What the background requests were told: set it up first, nothing else.
    for status, text in answers:
        assert status == 403 and "authenticator" in text


@pytest.mark.parametrize("role", ["staff", "team_lead"])
def test_other_staff_are_not_made_to(client, make_staff, role):
    _sign_in(client, _person(make_staff, role))

    assert client.get(reverse("home")).status_code == 200


def test_once_set_up_every_sign_in_asks_for_the_code(client, make_staff, settings):
    # The code used to set it up may not be used again: the next one, accepted one
    # step early, stands for the app's code a little later.
    settings.MFA_TOTP_TOLERANCE = 1
    moderator = _person(make_staff, "moderator")
    _sign_in(client, moderator)
    secret = _set_up(client)
    client.post(reverse("account_logout"))

    response = _sign_in(client, moderator)

    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session  # not signed in yet
    wrong = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert wrong.status_code == 200 and "_auth_user_id" not in client.session
    client.post(
        reverse("mfa_authenticate"),
        {"code": pyotp.TOTP(secret).at(time.time() + 30)},
    )
    assert client.session.get("_auth_user_id") == str(moderator.pk)
    assert client.get(reverse("home")).status_code == 200


def test_any_member_of_staff_can_switch_it_on_from_their_account(client, make_staff):
    person = _person(make_staff, "staff")
    client.force_login(person)

    profile = client.get(reverse("accounts:profile")).content.decode()
    assert reverse("mfa_index") in profile
    _set_up(client)

    client.post(reverse("account_logout"))
    assert _sign_in(client, person)["Location"] == reverse("mfa_authenticate")


def test_recovery_codes_are_offered(client, make_staff):
    person = _person(make_staff, "moderator")
    _sign_in(client, person)
    _set_up(client)

    page = client.get(reverse("mfa_view_recovery_codes"))

    assert page.status_code == 200
    assert re.search(r"\b[a-z0-9]{8}\b", page.content.decode())
