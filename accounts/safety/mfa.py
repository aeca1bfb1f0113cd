"""Multi-factor sign-in for those who can see more: moderators, engagement managers,
administrators (staff and superusers) and holders of the reveal permission.

allauth's MFA (``allauth.mfa``: an authenticator app's codes, and recovery codes) asks
for the code at every sign-in once a person has set it up. This middleware makes
setting it up the only thing such a person can do until they have: every other page
sends them to allauth's set-up page. Anyone may switch it on from their account.

Only a page the person opens is sent there. allauth's set-up page makes a new secret
each time it is opened, and every redirect here notes a message in the session; so a
request a page makes by itself (a script's fetch, a socket's handshake, a browser's
prefetch) is refused instead, and writes nothing. Sent to the set-up page, such a
request would replace the secret the person is reading off the screen, and their
code would be refused.
"""

import time
from collections.abc import Callable

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _

from accounts.safety.sessions import is_privileged

# Pages a person who must set it up may still open: allauth's MFA pages, signing
# out, email confirmation (MFA needs a verified address), the language switch.
OPEN_WHILE_SETTING_UP = {
    "mfa_index",
    "mfa_activate_totp",
    "mfa_authenticate",
    "mfa_reauthenticate",
    "mfa_generate_recovery_codes",
    "mfa_view_recovery_codes",
    "mfa_download_recovery_codes",
    "account_logout",
    "account_email",
    "account_confirm_email",
    "account_email_verification_sent",
    "account_reauthenticate",
    "set_language",
}
CHECKED = "mfa_checked_at"  # when this session last found an authenticator
RECHECK_EVERY = 60


def must_set_up(user) -> bool:
    """A person whose role needs a second step and who has not set one up."""
    return bool(
        settings.MFA_REQUIRED_FOR_PRIVILEGED
        and user.is_authenticated
        and is_privileged(user)
        and not is_mfa_enabled(user, [Authenticator.Type.TOTP])
    )


def _open_while_setting_up(request: HttpRequest) -> bool:
    if request.path_info.startswith("/" + settings.STATIC_URL.lstrip("/")):
        return True
    try:
        return resolve(request.path_info).url_name in OPEN_WHILE_SETTING_UP
    except Resolver404:
        return False


def _is_page_opened(request: HttpRequest) -> bool:
    """A navigation the person made (a link, an address, a form), not a request a
    page made by itself. Browsers say which in ``Sec-Fetch-Mode``; a client that
    does not send it is taken as a person opening a page."""
    return request.headers.get("Sec-Fetch-Mode", "navigate") == "navigate"


class RequireMFAMiddleware:
    """After AuthenticationMiddleware and MessageMiddleware. The authenticator is
    looked for at most once a minute per session, and only for people whose role
    needs one (their roles are read from the cached permission set)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and is_privileged(user):
            checked = request.session.get(CHECKED)
            fresh = checked is not None and time.time() - checked < RECHECK_EVERY
            if not fresh:
                if must_set_up(user):
                    if not _open_while_setting_up(request):
                        if not _is_page_opened(request):
                            return HttpResponseForbidden(
                                _("Set up your authenticator app to carry on."),
                                content_type="text/plain; charset=utf-8",
                            )
                        messages.warning(
                            request,
                            _(
                                "Your role lets you see more, so signing in needs a "
                                "second step. Set up an authenticator app to carry on."
                            ),
                        )
                        return redirect("mfa_activate_totp")
                else:
                    request.session[CHECKED] = int(time.time())
        return self.get_response(request)
