"""Fixtures for the safety tests: an anonymous author whose name and email must never
show, and holders of the break-glass reveal permission."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from accounts.models import PrivilegeChange
from conversations import services

AUTHOR_NAME = "Priya Quietvoice"
AUTHOR_EMAIL = "priya.quietvoice@nhs.net"
# Anything that would identify the author, as it might be written anywhere.
SECRET_MARKERS = ("Priya", "Quietvoice", "quietvoice", AUTHOR_EMAIL)


def assert_no_author(text: str, where: str = "") -> None:
    for marker in SECRET_MARKERS:
        assert marker not in text, f"{marker!r} found in {where or 'output'}"


@pytest.fixture
def author(make_staff):
    return make_staff(email=AUTHOR_EMAIL, display_name=AUTHOR_NAME)


@pytest.fixture
def anonymous_campaign(make_campaign):
    return make_campaign("open", allow_anonymous=True)


@pytest.fixture
def anonymous_idea(anonymous_campaign, author):
    return services.post_idea(
        author,
        anonymous_campaign,
        theme=anonymous_campaign.themes.first(),
        title="Bullying on nights",
        body="It needs to be said.",
        anonymous=True,
    )


@pytest.fixture
def anonymous_comment(anonymous_idea, author):
    return services.post_comment(
        author, anonymous_idea, body="Adding more detail, quietly.", anonymous=True
    )


def held_since(person, days: int = 8) -> None:
    """Record that ``person`` was given the reveal permission ``days`` ago (longer
    than the holding period), before it is given: the grant that follows then
    changes nothing in the record (``accounts.safety.privileges``)."""
    PrivilegeChange.objects.create(
        person=person,
        privilege=PrivilegeChange.Privilege.REVEAL,
        change=PrivilegeChange.Change.GRANTED,
        at=timezone.now() - timedelta(days=days),
    )


def grant_reveal(person, days: int = 8) -> None:
    """Give ``person`` the reveal permission, as held for ``days`` already."""
    held_since(person, days)
    person.user_permissions.add(
        Permission.objects.get(
            content_type__app_label="accounts", codename="reveal_identity"
        )
    )


@pytest.fixture
def make_holder(make_staff):
    """A staff member explicitly given the break-glass reveal permission, held for
    longer than the holding period."""

    def make_holder(**kwargs):
        holder = make_staff(**{"mfa": True, **kwargs})
        grant_reveal(holder)
        return holder

    return make_holder


@pytest.fixture
def reveal_on(settings):
    settings.REVEAL_ENABLED = True
    return settings
