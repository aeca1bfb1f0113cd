"""Background tasks of the accounts app (django-tasks; enqueued on commit)."""

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import get_template
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_tasks import task

from accounts.models import StaffMember


def invitation_link(person: StaffMember) -> str:
    """A one-time link that signs the person in, so they can choose a password.

    Django's password-reset token: it stops working once they have signed in (their
    last sign-in time is part of it), once a password is set, and after
    PASSWORD_RESET_TIMEOUT; computing it needs no database query.
    """
    path = reverse(
        "accounts:invitation",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(person.pk)),
            "token": default_token_generator.make_token(person),
        },
    )
    return settings.SITE_URL.rstrip("/") + path


@task()
def send_invitations(person_ids: list[int]) -> int:
    """Email each newly imported person a sign-in link; returns how many were sent."""
    people = StaffMember.objects.filter(pk__in=person_ids, is_active=True)
    messages = []
    subject = get_template("accounts/email/invitation_subject.txt")
    body = get_template("accounts/email/invitation.txt")
    with translation.override(settings.LANGUAGE_CODE):
        shared = {
            "organisation": settings.ORGANISATION_NAME,
            "login_url": settings.SITE_URL.rstrip("/") + reverse("account_login"),
        }
        for person in people:
            context = {**shared, "person": person, "link": invitation_link(person)}
            messages.append(
                EmailMultiAlternatives(
                    subject=subject.render(context).strip(),
                    body=body.render(context),
                    to=[person.email],
                )
            )
    if not messages:
        return 0
    with get_connection() as connection:
        return connection.send_messages(messages) or 0
