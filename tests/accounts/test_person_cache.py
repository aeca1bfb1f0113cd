"""A signed-in person's row comes from the cache after the first page, and every
change to it shows on the next page: a new name, an account switched off (by hand
or by the staff directory's import), a deleted account."""

from unittest import mock

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts import directory
from accounts.models import StaffMember
from accounts.session_user import PERSON_HINT_COOKIE

pytestmark = pytest.mark.django_db

PAGE = reverse("conversations:ground_rules")


def _page(client):
    return client.get(PAGE)


def _signed_in(response) -> bool:
    return reverse("account_logout") in response.content.decode()


def test_the_second_page_reads_no_person_row(client, staff):
    client.force_login(staff)
    assert _signed_in(_page(client))
    with CaptureQueriesContext(connection) as queries:
        assert _signed_in(_page(client))
    assert not [q for q in queries if "accounts_staffmember" in q["sql"]]


def test_a_new_name_shows_on_the_next_page(client, make_staff):
    person = make_staff(display_name="Sam Before")
    client.force_login(person)
    assert "Sam Before" in _page(client).content.decode()

    person.display_name = "Sam After"
    person.save()

    page = _page(client).content.decode()
    assert "Sam After" in page and "Sam Before" not in page


def test_an_account_switched_off_is_signed_out_on_its_next_page(client, staff):
    client.force_login(staff)
    assert _signed_in(_page(client))

    staff.is_active = False
    staff.save()

    assert not _signed_in(_page(client))


def test_a_deleted_account_is_signed_out_on_its_next_page(client, make_staff):
    person = make_staff()
    client.force_login(person)
    assert _signed_in(_page(client))

    StaffMember.objects.filter(pk=person.pk).delete()

    assert not _signed_in(_page(client))


def test_a_leaver_in_the_directory_import_is_signed_out_at_once(client, manager):
    headings = "Work Email,Full Name\n"
    mapping = {"email": "Work Email", "name": "Full Name"}
    both = headings + "ana.jones@nhs.net,Ana Jones\ncara.li@nhs.net,Cara Li\n"
    directory.apply_import(manager, both, mapping)
    cara = StaffMember.objects.get(email="cara.li@nhs.net")
    client.force_login(cara)
    assert _signed_in(_page(client))

    directory.apply_import(manager, headings + "ana.jones@nhs.net,Ana Jones\n", mapping)

    assert not _signed_in(_page(client))


def test_a_name_changed_by_the_directory_import_shows_at_once(client, manager):
    headings = "Work Email,Full Name\n"
    mapping = {"email": "Work Email", "name": "Full Name"}
    directory.apply_import(manager, headings + "cara.li@nhs.net,Cara Li\n", mapping)
    cara = StaffMember.objects.get(email="cara.li@nhs.net")
    client.force_login(cara)
    assert "Cara Li" in _page(client).content.decode()

    directory.apply_import(manager, headings + "cara.li@nhs.net,Cara Lee\n", mapping)

    assert "Cara Lee" in _page(client).content.decode()


@pytest.fixture
def cached_sessions(settings):
    """The production session engine (Redis there; here the same over the test cache)."""
    settings.SESSION_ENGINE = "accounts.session_store.cached_db"


def test_the_browser_is_told_whom_it_is_signed_in_as_and_told_to_forget(
    client, staff, cached_sessions
):
    client.force_login(staff)
    response = _page(client)
    assert response.cookies[PERSON_HINT_COOKIE].value == str(staff.pk)
    assert response.cookies[PERSON_HINT_COOKIE]["httponly"]
    assert PERSON_HINT_COOKIE not in _page(client).cookies  # set once, not each page

    client.post(reverse("account_logout"))
    assert client.cookies[PERSON_HINT_COOKIE].value == ""  # deleted


def test_the_session_and_the_person_are_read_in_one_round_trip(
    client, staff, cached_sessions
):
    client.force_login(staff)
    _page(client)  # sets the hint
    reads = []
    get_many = cache.get_many

    def recorded(keys, *args, **kwargs):
        reads.append(list(keys))
        return get_many(keys, *args, **kwargs)

    with mock.patch.object(cache, "get_many", side_effect=recorded):
        assert _signed_in(_page(client))
    session_key = client.cookies["sessionid"].value
    (first, *_rest) = reads
    assert any(session_key in key for key in first)
    assert any(key.startswith("person:") for key in first)


def test_a_hint_naming_someone_else_is_only_a_hint(client, make_staff, cached_sessions):
    me, someone = (
        make_staff(display_name="Me Myself"),
        make_staff(display_name="Not Me"),
    )
    client.force_login(me)
    client.cookies[PERSON_HINT_COOKIE] = str(someone.pk)

    response = _page(client)

    page = response.content.decode()
    assert "Me Myself" in page and "Not Me" not in page
    assert response.cookies[PERSON_HINT_COOKIE].value == str(me.pk)  # corrected
