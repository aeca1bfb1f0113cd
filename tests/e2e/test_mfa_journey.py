"""Multi-factor sign-in in a real browser: a moderator signs in, is sent to set up an
authenticator app and can do nothing else first, types the app's code, reaches the
moderation queue; the next sign-in asks for the code."""

import re
import time

import pyotp
import pytest
from django.urls import reverse

from tests.conftest import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _submit(page) -> None:
    page.locator("main form button[type=submit]").first.click()


def _sign_in(page, base: str, email: str) -> None:
    page.goto(base + reverse("account_login"))
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()


def test_a_moderator_sets_up_a_second_step_then_is_asked_for_it(
    page, live_server, make_staff, settings
):
    # The code used to set it up cannot be used again; the next sign-in uses the
    # app's next code, accepted one step early.
    settings.MFA_TOTP_TOLERANCE = 1
    moderator = make_staff(roles=["moderator"], mfa=False, display_name="Mo Khan")
    base = live_server.url
    queue = base + reverse("conversations:moderation")

    _sign_in(page, base, moderator.email)
    page.wait_for_url(re.compile(r"/accounts/(reauthenticate|2fa/totp/activate)/"))
    page.get_by_text("signing in needs a second step").wait_for()
    page.goto(queue)  # nothing else until it is set up
    page.wait_for_url(re.compile(r"/accounts/(reauthenticate|2fa/totp/activate)/"))
    if "/reauthenticate/" in page.url:  # allauth asks for the password once more
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        _submit(page)
        page.wait_for_url(re.compile(r"/2fa/totp/activate/"))
    secret = page.locator("#authenticator_secret").input_value()
    page.get_by_label("Authenticator code").fill(pyotp.TOTP(secret).now())
    _submit(page)
    page.wait_for_url(lambda url: "/2fa/totp/activate/" not in url)

    page.goto(queue)
    assert page.url == queue
    page.get_by_role("heading", level=1).wait_for()

    page.goto(base + reverse("account_logout"))
    _submit(page)
    page.wait_for_url(base + "/")
    _sign_in(page, base, moderator.email)
    page.wait_for_url(re.compile(r"/2fa/authenticate/"))
    page.get_by_label("Code").fill(pyotp.TOTP(secret).at(time.time() + 30))
    _submit(page)
    page.wait_for_url(base + "/")
    page.goto(queue)
    assert page.url == queue
