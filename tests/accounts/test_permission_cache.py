"""A person's roles are cached between pages, and every change of a grant shows on
the next page: a role given or taken away, a role's permissions changed or removed."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts import roles

pytestmark = pytest.mark.django_db

NEW_CAMPAIGN = reverse("conversations:campaign_create")


def _menu(client) -> str:
    return client.get(reverse("conversations:ground_rules")).content.decode()


def test_a_page_asks_for_roles_once_then_reads_them_from_the_cache(client, manager):
    client.force_login(manager)
    assert NEW_CAMPAIGN in _menu(client)
    with CaptureQueriesContext(connection) as queries:
        assert NEW_CAMPAIGN in _menu(client)
    assert not [q for q in queries if "auth_permission" in q["sql"]]


def test_a_role_given_shows_on_the_next_page_and_goes_when_taken(client, staff):
    client.force_login(staff)
    assert NEW_CAMPAIGN not in _menu(client)
    managers = roles.ensure_roles()[roles.ENGAGEMENT_MANAGER]
    staff.groups.add(managers)
    assert NEW_CAMPAIGN in _menu(client)
    managers.user_set.remove(staff)  # the other side of the relation
    assert NEW_CAMPAIGN not in _menu(client)
    managers.user_set.add(staff)
    assert NEW_CAMPAIGN in _menu(client)
    staff.groups.clear()
    assert NEW_CAMPAIGN not in _menu(client)


def test_a_role_losing_a_permission_loses_it_for_every_holder(client, manager):
    client.force_login(manager)
    assert NEW_CAMPAIGN in _menu(client)
    managers = Group.objects.get(name=roles.ENGAGEMENT_MANAGER)
    manage = Permission.objects.get(codename="manage_campaigns")
    managers.permissions.remove(manage)
    assert NEW_CAMPAIGN not in _menu(client)
    manage.group_set.add(managers)  # given back through the permission's side
    assert NEW_CAMPAIGN in _menu(client)


def test_a_deleted_role_or_permission_is_gone_at_once(client, make_staff):
    person = make_staff(roles=["engagement_manager"])
    client.force_login(person)
    assert NEW_CAMPAIGN in _menu(client)
    Group.objects.get(name=roles.ENGAGEMENT_MANAGER).delete()
    assert NEW_CAMPAIGN not in _menu(client)

    manage = Permission.objects.get(codename="manage_campaigns")
    person.user_permissions.add(manage)
    assert NEW_CAMPAIGN in _menu(client)
    manage.delete()
    assert NEW_CAMPAIGN not in _menu(client)


def test_a_closed_account_holds_nothing(manager):
    assert manager.has_perm("accounts.manage_campaigns")
    manager.is_active = False
    assert not manager.has_perm("accounts.manage_campaigns")
