"""The interface language is remembered per account: chosen with the switcher while
signed in, it follows the person to any browser they sign in on."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from accounts.models import StaffMember
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

COOKIE = settings.LANGUAGE_COOKIE_NAME


def switch(client: Client, language: str, next_url: str = "/"):
    return client.post(
        reverse("set_language"), {"language": language, "next": next_url}
    )


def sign_in(client: Client, email: str):
    return client.post(reverse("account_login"), {"login": email, "password": PASSWORD})


def language_of(user) -> str:
    return StaffMember.objects.values_list("language", flat=True).get(pk=user.pk)


def test_switching_language_while_signed_in_is_kept_on_the_account(client, staff):
    client.force_login(staff)

    response = switch(client, "cy", "/me/posts/")

    assert response.status_code == 302 and response["Location"] == "/me/posts/"
    assert client.cookies[COOKIE].value == "cy"
    assert language_of(staff) == "cy"


def test_signing_in_on_another_browser_brings_the_chosen_language(client, staff):
    first = Client()
    first.force_login(staff)
    switch(first, "cy")

    response = sign_in(client, staff.email)

    assert response.status_code == 302
    assert client.cookies[COOKIE].value == "cy"
    page = client.get("/").content.decode()
    assert '<html lang="cy"' in page


def test_a_language_chosen_just_before_signing_in_wins_and_is_kept(client, staff):
    StaffMember.objects.filter(pk=staff.pk).update(language="cy")

    switch(client, "en-gb")  # on the sign-in page, signed out
    sign_in(client, staff.email)

    assert client.cookies[COOKIE].value == "en-gb"
    assert language_of(staff) == "en-gb"


def test_without_a_chosen_language_signing_in_leaves_the_browser_as_it_is(
    client, staff
):
    sign_in(client, staff.email)

    assert COOKIE not in client.cookies
    assert language_of(staff) == ""
    assert '<html lang="en-gb"' in client.get("/").content.decode()


def test_an_unknown_language_is_not_kept(client, staff):
    client.force_login(staff)

    switch(client, "xx")

    assert language_of(staff) == ""


def test_switching_while_signed_out_changes_no_account(client, staff):
    switch(client, "cy")

    assert language_of(staff) == ""
    assert client.cookies[COOKIE].value == "cy"
