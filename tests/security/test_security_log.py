"""Security events are logged, in UTC, through the "security" logger; no password,
session key, CSRF token or reset link ever reaches a log line.

The tests read what the configured console handler actually writes (its formatter and
its filter included), not just the records.
"""

import io
import logging
import re

import pytest
from django.urls import reverse

from accounts.security_log import UTCFormatter, login_fingerprint, redact
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

UTC_LINE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (INFO|WARNING|ERROR) ")


@pytest.fixture
def written():
    """Everything the configured console handler writes during the test."""
    handler = next(
        h for h in logging.getLogger().handlers if isinstance(h.formatter, UTCFormatter)
    )
    stream = io.StringIO()
    previous = handler.setStream(stream)
    try:
        yield stream
    finally:
        handler.setStream(previous)


def lines(stream) -> list[str]:
    return stream.getvalue().splitlines()


def test_lines_are_stamped_in_utc_whatever_the_time_zone(written, settings):
    assert settings.TIME_ZONE == "Europe/London"

    logging.getLogger("security").info("probe")

    (line,) = lines(written)
    assert UTC_LINE.match(line), line
    assert line.endswith("INFO security probe")


def test_a_sign_in_is_logged_with_the_user_id_and_address(client, staff, written):
    client.post(reverse("account_login"), {"login": staff.email, "password": PASSWORD})

    text = written.getvalue()
    assert f"sign_in.succeeded user={staff.pk} ip=127.0.0.1" in text
    assert staff.email not in text


def test_a_failed_sign_in_is_logged_without_what_was_typed(client, staff, written):
    client.post(
        reverse("account_login"), {"login": staff.email, "password": "Wrong-Guess-42"}
    )

    text = written.getvalue()
    assert f"sign_in.failed login={login_fingerprint(staff.email)} ip=127.0.0.1" in text
    assert staff.email not in text
    assert "Wrong-Guess-42" not in text


def test_a_sign_out_is_logged(client, staff, written):
    client.force_login(staff)
    client.post(reverse("account_logout"))

    assert f"sign_out user={staff.pk}" in written.getvalue()


def test_a_permission_refusal_is_logged_with_the_route_not_the_path(
    client, staff, written, make_campaign
):
    campaign = make_campaign("open")
    client.force_login(staff)

    response = client.get(reverse("conversations:campaign_edit", args=[campaign.slug]))

    assert response.status_code == 403
    (event,) = [line for line in lines(written) if "permission.refused" in line]
    assert UTC_LINE.match(event)
    assert f"user={staff.pk}" in event
    assert "route=/campaigns/<slug:slug>/edit/" in event
    assert "method=GET" in event


def test_a_rate_limit_hit_is_logged(client, staff, written):
    for _attempt in range(6):
        client.post(
            reverse("account_login"), {"login": staff.email, "password": "nope-nope"}
        )

    assert "WARNING security rate_limit.hit" in written.getvalue()
    assert "route=/accounts/login/" in written.getvalue()


def test_reset_tokens_in_paths_are_blanked_whoever_logs_them(client, written):
    client.get("/accounts/password/reset/key/1-set-password-abc123secret/")
    client.get("/accounts/confirm-email/MTIz:1tXyZ:confirmsecret/")
    logging.getLogger("django.request").warning(
        "Not Found: %s", "/accounts/password/reset/key/9-zzzsecretzzz/"
    )

    text = written.getvalue()
    assert "secret" not in text
    assert "/password/reset/key/[redacted]" in text


def test_no_password_session_key_or_csrf_token_is_ever_written(client, staff, written):
    client.get(reverse("account_login"))
    csrf = client.cookies["csrftoken"].value
    client.post(
        reverse("account_login"), {"login": staff.email, "password": "Wrong-Guess-42"}
    )
    client.post(reverse("account_login"), {"login": staff.email, "password": PASSWORD})
    session_key = client.cookies["sessionid"].value
    client.get(reverse("home"))
    client.get(reverse("admin:index"))
    client.get(reverse("me:export"))
    logging.getLogger("security").info(
        "a careless line password=%s csrfmiddlewaretoken=%s sessionid=%s",
        PASSWORD,
        csrf,
        session_key,
    )

    text = written.getvalue()
    assert "sign_in.succeeded" in text
    for secret in (PASSWORD, "Wrong-Guess-42", csrf, session_key):
        assert secret not in text, secret


def test_redact_leaves_ordinary_text_alone():
    line = (
        "permission.refused user=4 ip=10.0.0.1 method=GET route=/campaigns/<slug:slug>/"
    )

    assert redact(line) == line
    assert redact("password: hunter2 and sessionid=abc;") == (
        "password: [redacted] and sessionid=[redacted];"
    )
