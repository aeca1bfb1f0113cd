import logging
from urllib.parse import urlsplit

from allauth.account.views import LoginView
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import csrf, i18n

from accounts import services
from accounts.forms import ProfileForm
from accounts.security_log import log_event, route_of


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or "/"
    if url_has_allowed_host_and_scheme(
        target, {request.get_host()}, request.is_secure()
    ):
        return target
    return "/"


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    """Profile questions: asked once after first sign-in, editable any time."""
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST":
        if "skip" in request.POST:
            services.skip_profile(request.user)
            return redirect(_safe_next(request))
        if form.is_valid():
            services.save_profile(request.user, form.cleaned_data)
            return redirect(_safe_next(request))
    return render(
        request, "accounts/profile.html", {"form": form, "next": _safe_next(request)}
    )


class StaffLoginView(LoginView):
    """allauth's sign-in, answering 429 once failed attempts reach the limit.

    allauth refuses the attempt with a form error but a 200; a 429 tells scripts and
    proxies what happened, and the form still comes back with the email typed in.
    """

    def form_invalid(self, form) -> HttpResponse:
        response = super().form_invalid(form)
        if form.has_error(NON_FIELD_ERRORS, "too_many_login_attempts"):
            response.status_code = 429
        return response


login = StaffLoginView.as_view()


def admin_login(request: HttpRequest, extra_context=None) -> HttpResponse:
    """Stands in for the Django admin's own sign-in form, which has no rate limit:
    everyone signs in through allauth's (rate limited, verified email only), and the
    admin is then for staff accounts only."""
    next_url = request.GET.get("next") or reverse("admin:index")
    if not request.user.is_authenticated:
        return redirect_to_login(next_url, reverse("account_login"))
    if not (request.user.is_active and request.user.is_staff):
        raise PermissionDenied(_("The administration site is for administrators."))
    if not url_has_allowed_host_and_scheme(
        next_url, {request.get_host()}, request.is_secure()
    ):
        next_url = reverse("admin:index")
    return redirect(next_url)


def rate_limited(request: HttpRequest, exception=None) -> HttpResponse:
    """What allauth answers when a sign-in, sign-up or password limit is reached
    (allauth looks for ``handler429`` in the root URLconf)."""
    return render(request, "accounts/rate_limited.html", status=429)


def accept_invitation(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """The link in an imported person's invitation: a button signs them in (once),
    then they choose a password.

    Opening the link only shows the button, so a mail scanner that fetches links
    does not use up the one-time token.
    """
    from django.contrib.auth import login as sign_in
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_str
    from django.utils.http import urlsafe_base64_decode

    from accounts.models import StaffMember
    from accounts.security_log import log_event

    try:
        pk = force_str(urlsafe_base64_decode(uidb64))
        person = StaffMember.objects.get(pk=pk, is_active=True)
    except (ValueError, TypeError, OverflowError, StaffMember.DoesNotExist):
        person = None
    valid = person is not None and default_token_generator.check_token(person, token)
    if not valid:
        return render(request, "accounts/invitation.html", {"valid": False}, status=400)
    if request.method == "POST":
        sign_in(request, person, backend="django.contrib.auth.backends.ModelBackend")
        log_event("invitation.accepted", request, user=person.pk)
        return redirect(
            "account_set_password" if not person.has_usable_password() else "home"
        )
    return render(
        request, "accounts/invitation.html", {"valid": True, "person": person}
    )


def set_language(request: HttpRequest) -> HttpResponse:
    """Django's ``set_language`` (the cookie, and back to the page), and the choice
    is kept: on the account of someone signed in, so every browser they sign in on
    follows it, or until sign-in for someone signed out."""
    response = i18n.set_language(request)
    code = request.POST.get(i18n.LANGUAGE_QUERY_PARAMETER, "")
    if request.method == "POST" and code in dict(settings.LANGUAGES):
        if request.user.is_authenticated:
            services.remember_language(request.user, code)
        else:
            request.session[services.SIGNED_OUT_LANGUAGE] = code
    return response


def _page_posted_from(request: HttpRequest) -> str:
    """The page (on this site) whose form was posted, from the Referer, or ""."""
    referer = request.headers.get("Referer", "")
    if not referer or not url_has_allowed_host_and_scheme(
        referer, {request.get_host()}, request.is_secure()
    ):
        return ""
    parts = urlsplit(referer)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form post refused by CSRF protection (settings.CSRF_FAILURE_VIEW).

    Nearly always the session ended while the person was typing (cookies cleared,
    a long shift, signed out in another tab). Nothing typed is lost: the page's
    script keeps it on the device, so they are sent to sign in and then back to
    the page they posted from, where it is put back. A post from another site (or
    with no Referer) gets Django's plain refusal.
    """
    log_event("csrf.refused", request, level=logging.WARNING, route=route_of(request))
    # Only a form submitted by the browser itself: a script's request (a vote sent
    # with fetch) gets the 403 it knows how to report.
    navigating = request.headers.get(
        "Sec-Fetch-Mode", "navigate"
    ) == "navigate" and "application/json" not in request.headers.get("Accept", "")
    back = _page_posted_from(request) if request.method == "POST" and navigating else ""
    if not back:
        return csrf.csrf_failure(request, reason)
    if not request.user.is_authenticated:
        messages.info(
            request,
            _(
                "You were signed out, so that was not posted. Sign in again and "
                "you will be taken back to it, with what you typed."
            ),
        )
        return redirect_to_login(back)
    messages.error(
        request,
        _("That was not posted because the page had expired. Please post it again."),
    )
    return redirect(back)
