"""allauth adapters: sign-up only from the organisation's email domains."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import services


def email_domain_allowed(email: str) -> bool:
    domain = email.rsplit("@", 1)[-1].lower()
    return any(
        domain == allowed or domain.endswith("." + allowed)
        for allowed in settings.ALLOWED_EMAIL_DOMAINS
    )


class StaffAccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "too_many_login_attempts": gettext_lazy(
            "Too many failed sign-in attempts for this email address. Wait a few "
            "minutes, then try again, or reset your password."
        ),
    }

    def clean_email(self, email: str) -> str:
        email = super().clean_email(email)
        if not email_domain_allowed(email):
            raise forms.ValidationError(
                _("Use your work email address (ending %(domains)s).")
                % {
                    "domains": " or ".join(
                        "@" + d for d in settings.ALLOWED_EMAIL_DOMAINS
                    )
                }
            )
        return email.lower()

    def post_login(self, request: HttpRequest, user, **kwargs) -> HttpResponse:
        """Ask the profile questions once, after the first sign-in, then carry on to
        wherever the person was going (a campaign link, say)."""
        response = super().post_login(request, user, **kwargs)
        _apply_language(request, user, response)
        if user.profile_completed_at is None and isinstance(
            response, HttpResponseRedirect
        ):
            destination = response["Location"]
            response["Location"] = (
                reverse("accounts:profile") + "?" + urlencode({"next": destination})
            )
        return response


def _apply_language(request: HttpRequest, user, response: HttpResponse) -> None:
    """Show the person's own language from this sign-in on, on this browser too."""
    language = services.language_on_sign_in(
        user, request.session.pop(services.SIGNED_OUT_LANGUAGE, None)
    )
    if language:
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )


class StaffSocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest, sociallogin) -> bool:
        email = sociallogin.user.email or ""
        return email_domain_allowed(email)
