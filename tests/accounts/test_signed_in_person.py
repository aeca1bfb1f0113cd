"""Whoever is signed in is shown as they are now: every change to a person or to
their roles shows on their next page, whether the person is read from the database
or from the cache shared by every process (Redis in production; the test cache here,
standing in for it), and a cache that fails only sends the reading to the database.
"""

from unittest import mock

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.urls import reverse

from accounts import backends, directory, roles
from accounts.models import StaffMember

pytestmark = pytest.mark.django_db

PAGE = reverse("conversations:ground_rules")
NEW_CAMPAIGN = reverse("conversations:campaign_create")


@pytest.fixture(params=["database", "shared cache"])
def mode(request, settings):
    """Both ways of reading the person: from the database alone, and through a cache
    every process shares (which ``accounts.backends`` uses only when it is shared)."""
    if request.param == "shared cache":
        settings.REDIS_URL = settings.REDIS_URL or "redis://cache-shared-by-processes"
    else:
        settings.REDIS_URL = ""
    return request.param


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """A write as another process makes it: committed, its on-commit work done."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def _page(client) -> str:
    return client.get(PAGE).content.decode()


def _signed_in(page: str) -> bool:
    return reverse("account_logout") in page


def test_a_person_renamed_elsewhere_shows_renamed_on_their_next_page(
    client, make_staff, mode, committed
):
    person = make_staff(display_name="Sam Before")
    client.force_login(person)
    assert "Sam Before" in _page(client)

    with committed():
        person.display_name = "Sam After"
        person.save()

    page = _page(client)
    assert "Sam After" in page and "Sam Before" not in page


def test_an_account_switched_off_is_signed_out_on_its_next_page(
    client, staff, mode, committed
):
    client.force_login(staff)
    assert _signed_in(_page(client))

    with committed():
        staff.is_active = False
        staff.save()

    assert not _signed_in(_page(client))


def test_a_deleted_account_is_signed_out_on_its_next_page(
    client, make_staff, mode, committed
):
    person = make_staff()
    client.force_login(person)
    assert _signed_in(_page(client))

    with committed():
        StaffMember.objects.filter(pk=person.pk).delete()

    assert not _signed_in(_page(client))


def test_a_leaver_in_the_directory_import_is_signed_out_at_once(
    client, manager, mode, committed
):
    headings = "Work Email,Full Name\n"
    mapping = {"email": "Work Email", "name": "Full Name"}
    both = headings + "ana.jones@nhs.net,Ana Jones\ncara.li@nhs.net,Cara Li\n"
    with committed():
        directory.apply_import(manager, both, mapping)
    cara = StaffMember.objects.get(email="cara.li@nhs.net")
    client.force_login(cara)
    assert _signed_in(_page(client))

    with committed():
        directory.apply_import(
            manager, headings + "ana.jones@nhs.net,Ana Jones\n", mapping
        )

    assert not _signed_in(_page(client))


def test_a_name_changed_by_the_directory_import_shows_at_once(
    client, manager, mode, committed
):
    headings = "Work Email,Full Name\n"
    mapping = {"email": "Work Email", "name": "Full Name"}
    with committed():
        directory.apply_import(manager, headings + "cara.li@nhs.net,Cara Li\n", mapping)
    cara = StaffMember.objects.get(email="cara.li@nhs.net")
    client.force_login(cara)
    assert "Cara Li" in _page(client)

    with committed():
        directory.apply_import(
            manager, headings + "cara.li@nhs.net,Cara Lee\n", mapping
        )

    assert "Cara Lee" in _page(client)


def test_a_page_that_read_the_old_row_while_a_rename_committed_cannot_bring_it_back(
    client, make_staff, committed, settings
):
    settings.REDIS_URL = settings.REDIS_URL or "redis://cache-shared-by-processes"
    person = make_staff(display_name="Sam Before")
    client.force_login(person)
    cache.clear()  # the next page must read the row from the database
    read_row = backends._row_from_database

    def rename_commits_right_after_the_read(user_id):
        row = read_row(user_id)  # the old row, as a page read it
        with committed():
            StaffMember.objects.filter(pk=person.pk).update(display_name="Sam After")
            backends.forget([person.pk])
        return row

    with mock.patch.object(
        backends, "_row_from_database", rename_commits_right_after_the_read
    ):
        assert "Sam Before" in _page(client)  # this page began before the rename

    for _ in range(2):
        page = _page(client)
        assert "Sam After" in page and "Sam Before" not in page


def test_a_cache_that_fails_sends_the_reading_to_the_database(
    client, make_staff, settings, caplog
):
    settings.REDIS_URL = settings.REDIS_URL or "redis://cache-shared-by-processes"
    person = make_staff(display_name="Sam Steady", roles=["engagement_manager"])
    client.force_login(person)

    with (
        mock.patch.object(cache, "get_many", side_effect=ConnectionError("down")),
        mock.patch.object(cache, "add", side_effect=ConnectionError("down")),
    ):
        page = _page(client)

    assert _signed_in(page) and "Sam Steady" in page
    assert NEW_CAMPAIGN in page  # roles too


# -- roles ----------------------------------------------------------------------------


def test_a_role_given_shows_on_the_next_page_and_goes_when_taken(
    client, make_staff, mode, committed
):
    # An authenticator app set up: a manager must have one (accounts.safety.mfa).
    staff = make_staff(mfa=True)
    client.force_login(staff)
    assert NEW_CAMPAIGN not in _page(client)
    managers = roles.ensure_roles()[roles.ENGAGEMENT_MANAGER]
    with committed():
        staff.groups.add(managers)
    assert NEW_CAMPAIGN in _page(client)
    with committed():
        managers.user_set.remove(staff)  # the other side of the relation
    assert NEW_CAMPAIGN not in _page(client)
    with committed():
        managers.user_set.add(staff)
    assert NEW_CAMPAIGN in _page(client)
    with committed():
        staff.groups.clear()
    assert NEW_CAMPAIGN not in _page(client)


def test_a_role_losing_a_permission_loses_it_for_every_holder(
    client, manager, mode, committed
):
    client.force_login(manager)
    assert NEW_CAMPAIGN in _page(client)
    managers = Group.objects.get(name=roles.ENGAGEMENT_MANAGER)
    manage = Permission.objects.get(codename="manage_campaigns")
    with committed():
        managers.permissions.remove(manage)
    assert NEW_CAMPAIGN not in _page(client)
    with committed():
        manage.group_set.add(managers)  # given back through the permission's side
    assert NEW_CAMPAIGN in _page(client)


def test_a_deleted_role_or_permission_is_gone_at_once(
    client, make_staff, mode, committed
):
    person = make_staff(roles=["engagement_manager"])
    client.force_login(person)
    assert NEW_CAMPAIGN in _page(client)
    with committed():
        Group.objects.get(name=roles.ENGAGEMENT_MANAGER).delete()
    assert NEW_CAMPAIGN not in _page(client)

    manage = Permission.objects.get(codename="manage_campaigns")
    with committed():
        person.user_permissions.add(manage)
    assert NEW_CAMPAIGN in _page(client)
    with committed():
        manage.delete()
    assert NEW_CAMPAIGN not in _page(client)


def test_a_closed_account_holds_nothing(manager):
    assert manager.has_perm("accounts.manage_campaigns")
    manager.is_active = False
    assert not manager.has_perm("accounts.manage_campaigns")


def test_sessions_signed_in_through_django_or_allauth_stay_signed_in(
    client, make_staff, mode
):
    """Sessions made before StaffBackend name Django's ModelBackend (a password sign
    in) or allauth's backend (signed in after confirming an email)."""
    person = make_staff(display_name="Sam Earlier")
    for backend in (
        "django.contrib.auth.backends.ModelBackend",
        "allauth.account.auth_backends.AuthenticationBackend",
    ):
        client.force_login(person, backend=backend)
        page = _page(client)
        assert _signed_in(page) and "Sam Earlier" in page
        client.logout()
