"""Headers and cookies that make the browser refuse what the sanitiser might miss, and
a production configuration that passes Django's deployment checks with no warnings."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

ROOT = Path(settings.BASE_DIR)


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    parsed = {}
    for part in policy.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


@pytest.mark.parametrize("signed_in", [False, True])
def test_every_page_carries_a_strict_content_security_policy(client, staff, signed_in):
    if signed_in:
        client.force_login(staff)

    csp = directives(client.get(reverse("home")))

    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["default-src"] == ["'self'"]
    for name in ("script-src", "style-src"):
        assert "'unsafe-inline'" not in csp[name]
        assert "'unsafe-eval'" not in csp[name]
        assert all(v == "'self'" or v.startswith("'nonce-") for v in csp[name])


def test_pages_have_no_inline_script_or_style(client, staff, make_idea, open_campaign):
    """Inline code would need a nonce; there is none, so no page may carry any."""
    import re

    idea = make_idea(open_campaign)
    client.force_login(staff)
    for url in (
        reverse("home"),
        open_campaign.get_absolute_url(),
        idea.get_absolute_url(),
        reverse("me:posts"),
        reverse("accounts:profile"),
    ):
        html = client.get(url).content.decode()
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in tag, (url, tag)
        assert "<style" not in html, url
        assert not re.search(r"\son[a-z]+\s*=", html), url
        assert "javascript:" not in html.lower(), url


def test_an_inline_script_would_run_only_with_the_pages_nonce(rf):
    from csp.middleware import CSPMiddleware
    from django.http import HttpResponse

    def view(request):
        return HttpResponse(f'<script nonce="{request.csp_nonce}">1</script>')

    request = rf.get("/")
    response = CSPMiddleware(view)(request)

    nonce = str(request.csp_nonce)
    assert f"'nonce-{nonce}'" in directives(response)["script-src"]


def test_security_headers(client):
    response = client.get(reverse("home"))

    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_cookies_are_http_only_and_same_site(client, staff):
    from tests.conftest import PASSWORD

    client.get(reverse("account_login"))
    response = client.post(
        reverse("account_login"), {"login": staff.email, "password": PASSWORD}
    )

    session = response.cookies[settings.SESSION_COOKIE_NAME]
    csrf = client.cookies[settings.CSRF_COOKIE_NAME]
    assert session["httponly"] and session["samesite"] == "Lax"
    assert csrf["httponly"] and csrf["samesite"] == "Lax"


def test_no_response_sets_a_cookie_but_djangos_session_csrf_and_language(
    client, staff, make_idea, open_campaign
):
    """Nothing else is kept in the browser, and nothing there names the person: the
    session cookie is an opaque key that only the server can look up."""
    from tests.conftest import PASSWORD

    allowed = {
        settings.SESSION_COOKIE_NAME,
        settings.CSRF_COOKIE_NAME,
        settings.LANGUAGE_COOKIE_NAME,
    }
    idea = make_idea(open_campaign)
    responses = [client.get(reverse("home")), client.get(reverse("account_login"))]
    responses.append(
        client.post(
            reverse("account_login"), {"login": staff.email, "password": PASSWORD}
        )
    )
    for url in (
        reverse("home"),
        open_campaign.get_absolute_url(),
        idea.get_absolute_url(),
        reverse("accounts:profile"),
        reverse("home"),  # a second visit
    ):
        responses.append(client.get(url))
    responses.append(client.post(reverse("set_language"), {"language": "cy"}))
    responses.append(client.post(reverse("account_logout")))
    responses.append(client.get(reverse("home")))

    assert all(r.status_code < 400 for r in responses)
    assert settings.SESSION_COOKIE_NAME in {n for r in responses for n in r.cookies}
    for response in responses:
        assert set(response.cookies) <= allowed, response.cookies
        for morsel in response.cookies.values():
            assert morsel.value != str(staff.pk)
            assert staff.email not in morsel.value


def _production_env(**extra) -> dict[str, str]:
    # Only what a production host would set: nothing inherited from the test run
    # (which sets DJANGO_ALLOW_ASYNC_UNSAFE for the browser tests, for one).
    env = {k: os.environ[k] for k in ("PATH", "HOME", "LANG") if k in os.environ}
    env.update(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(64),
        DATABASE_URL="postgres://staffvoice@127.0.0.1:5432/staffvoice",
        REDIS_URL="redis://127.0.0.1:6379/0",
        ALLOWED_HOSTS="staffvoice.example.nhs.uk",
        SECURE_PRODUCTION="1",
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    env.update(extra)
    return env


CHECK = (
    "import django; django.setup(); "
    "from django.core.management import call_command; "
    "call_command('check', deploy=True, fail_level='WARNING')"
)


def _check(env: dict[str, str]) -> subprocess.CompletedProcess:
    # A fresh interpreter: settings are read once, from the environment, at start-up.
    return subprocess.run(
        [sys.executable, "-c", CHECK],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_mode_passes_check_deploy_with_no_warnings():
    result = _check(_production_env())

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout + result.stderr


def test_check_deploy_fails_a_weak_production_configuration():
    """The check is not vacuous: a short key, no HTTPS settings and a per-process
    cache each fail it."""
    weak = _production_env(SECRET_KEY="short", SECURE_PRODUCTION="0")
    weak.pop("REDIS_URL")

    result = _check(weak)

    assert result.returncode != 0
    for warning in ("security.W009", "security.W004", "security.W008", "accounts.W001"):
        assert warning in result.stderr, warning


def test_production_settings_turn_on_https_only_cookies_and_hsts():
    script = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
        "s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, "
        "s.CONTENT_SECURITY_POLICY['DIRECTIVES'].get('upgrade-insecure-requests'))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=_production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.stdout.split() == ["31536000", "True", "True", "True", "True", "True"]
