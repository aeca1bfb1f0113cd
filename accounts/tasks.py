"""Background tasks of the accounts app (django-tasks; enqueued on commit)."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import get_template
from django.urls import reverse
from django.utils import translation
from django_tasks import task

from accounts.models import StaffMember


def invitation_link(person: StaffMember) -> str:
    """A one-time link to set a password and sign in (allauth's password-reset key:
    it stops working once used, once the person signs in, and after
    PASSWORD_RESET_TIMEOUT)."""
    from allauth.account.forms import default_token_generator
    from allauth.account.utils import user_pk_to_url_str

    path = reverse(
        "account_reset_password_from_key",
        kwargs={
            "uidb36": user_pk_to_url_str(person),
            "key": default_token_generator.make_token(person),
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
