"""Sign-up and sign-in: a verified work email in an allowed domain, nothing else."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from accounts.adapter import email_domain_allowed
from accounts.models import StaffMember
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

DOMAIN_MESSAGE = "Use your work email address (ending @nhs.net)."


def sign_up(client, email: str):
    return client.post(
        reverse("account_signup"),
        {
            "email": email,
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )


def sign_in(client, email: str, next_url: str | None = None):
    url = reverse("account_login")
    if next_url:
        url += f"?next={next_url}"
    return client.post(url, {"login": email, "password": PASSWORD})


def confirmation_link(message) -> str:
    match = re.search(
        r"https?://[^/\s]+(/accounts/confirm-email/[^\s]+/)", message.body
    )
    assert match, message.body
    return match.group(1)


def is_signed_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.mark.parametrize(
    "email",
    [
        "someone@gmail.com",
        "someone@nhs.net.evil.com",
        "someone@evil-nhs.net",
        "someone@example.org",
    ],
)
def test_sign_up_from_a_domain_that_is_not_allowed_is_refused(client, email):
    response = sign_up(client, email)

    assert response.status_code == 200
    assert DOMAIN_MESSAGE in response.context["form"].errors["email"]
    assert DOMAIN_MESSAGE in response.content.decode()
    assert not StaffMember.objects.exists()
    assert mail.outbox == []


def test_sign_up_with_an_nhs_net_address_sends_a_verification_email(client):
    response = sign_up(client, "New.Starter@NHS.net")

    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    user = StaffMember.objects.get()
    assert user.email == "new.starter@nhs.net"
    assert EmailAddress.objects.get(user=user).verified is False
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["new.starter@nhs.net"]
    assert "/accounts/confirm-email/" in mail.outbox[0].body
    assert not is_signed_in(client)


def test_sign_up_is_allowed_from_a_subdomain_of_an_allowed_domain(client):
    assert sign_up(client, "someone@riverside.nhs.net").status_code == 302
    assert StaffMember.objects.filter(email="someone@riverside.nhs.net").exists()


def test_allowed_domains_come_from_settings(client, settings):
    settings.ALLOWED_EMAIL_DOMAINS = ["riverside-health.org.uk"]

    refused = sign_up(client, "someone@nhs.net")
    assert "@riverside-health.org.uk" in refused.context["form"].errors["email"][0]

    assert sign_up(client, "someone@riverside-health.org.uk").status_code == 302


@pytest.mark.parametrize(
    ("email", "allowed"),
    [
        ("a@nhs.net", True),
        ("a@NHS.NET", True),
        ("a@trust.nhs.net", True),
        ("a@nhs.net.com", False),
        ("a@xnhs.net", False),
        ("a@gmail.com", False),
    ],
)
def test_email_domain_rule(email, allowed):
    assert email_domain_allowed(email) is allowed


def test_a_person_cannot_sign_in_until_their_email_is_verified(client):
    sign_up(client, "new.starter@nhs.net")
    client.logout()

    response = sign_in(client, "new.starter@nhs.net")

    assert not is_signed_in(client)
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")


def test_after_verifying_a_person_can_sign_in(client):
    sign_up(client, "new.starter@nhs.net")
    link = confirmation_link(mail.outbox[0])

    client.post(link)

    assert EmailAddress.objects.get(email="new.starter@nhs.net").verified is True
    sign_in(client, "new.starter@nhs.net")
    assert is_signed_in(client)


def test_first_sign_in_asks_the_profile_questions_then_carries_on(client, make_staff):
    make_staff("first.time@nhs.net", profile_completed=False)

    response = sign_in(client, "first.time@nhs.net")

    assert is_signed_in(client)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:profile") + "?next=%2F"


def test_later_sign_ins_go_straight_to_the_campaigns(client, make_staff):
    make_staff("regular@nhs.net", profile_completed=True)

    response = sign_in(client, "regular@nhs.net")

    assert response["Location"] == reverse("home")


def test_first_sign_in_from_a_link_asks_the_profile_questions_then_goes_to_the_link(
    client, make_staff, open_campaign
):
    make_staff("first.time@nhs.net", profile_completed=False)
    target = open_campaign.get_absolute_url()

    response = sign_in(client, "first.time@nhs.net", next_url=target)

    assert response["Location"].startswith(reverse("accounts:profile") + "?next=")
    assert target.replace("/", "%2F") in response["Location"]


def test_wrong_password_does_not_sign_in(client, make_staff):
    make_staff("regular@nhs.net")

    client.post(
        reverse("account_login"), {"login": "regular@nhs.net", "password": "wrong"}
    )

    assert not is_signed_in(client)
