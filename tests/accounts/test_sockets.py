"""A websocket finds its person as a page would: ``accounts.sockets.person`` gives
what Django's ``auth.get_user`` gives for the same session, in every case (signed in,
signed out, a password changed since, an account closed, an old secret key), with
the same effect on the session."""

from importlib import import_module
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.contrib import auth
from django.test import Client, override_settings

from accounts import sockets
from accounts.models import StaffMember, TeamMembership
from accounts.prepared import Prepared

pytestmark = pytest.mark.django_db

# The configured engine (cached_db with Redis): a change must reach the cached copy too.
SessionStore = import_module(settings.SESSION_ENGINE).SessionStore


def signed_in(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def twin_sessions(user, change=None) -> tuple[str, str]:
    """Two sessions of ``user``, alike, each changed by ``change(session)``."""
    keys = []
    for _ in range(2):
        session = SessionStore(signed_in(user))
        if change is not None:
            change(session)
        session.save()
        keys.append(session.session_key)
    return keys[0], keys[1]


def django_says(session_key: str):
    session = SessionStore(session_key)
    user = auth.get_user(SimpleNamespace(session=session))
    return (user.pk if user.is_authenticated else None), session


def sockets_say(session_key: str):
    user = sockets.person(session_key)
    return None if user is None else user.pk


def assert_alike(user, change=None):
    by_django, by_sockets = twin_sessions(user, change)
    expected_user, _ = django_says(by_django)
    got_user = sockets_say(by_sockets)
    assert got_user == expected_user
    # Flushed (deleted) sessions are gone in both; kept ones kept.
    assert SessionStore().exists(by_sockets) == SessionStore().exists(by_django)
    return got_user


def test_a_signed_in_person_is_found(make_staff):
    user = make_staff()

    assert assert_alike(user) == user.pk


def test_no_or_unknown_session_finds_nobody():
    assert sockets.person(None) is None
    assert sockets.person("") is None
    assert sockets.person("no-such-session-key-000000000000") is None


def test_a_session_without_a_person_finds_nobody(make_staff):
    user = make_staff()

    assert assert_alike(user, lambda s: s.pop(auth.SESSION_KEY)) is None
    assert assert_alike(user, lambda s: s.pop(auth.BACKEND_SESSION_KEY)) is None


def test_a_backend_no_longer_configured_finds_nobody(make_staff):
    user = make_staff()

    def elsewhere(session):
        session[auth.BACKEND_SESSION_KEY] = "somewhere.else.Backend"

    assert assert_alike(user, elsewhere) is None


def test_a_password_changed_since_signing_in_ends_the_session(make_staff):
    user = make_staff()
    by_django, by_sockets = twin_sessions(user)
    user.set_password("Another-Horse-Battery-7")
    user.save()

    assert sockets.person(by_sockets) is None
    assert django_says(by_django)[0] is None
    assert not SessionStore().exists(by_sockets)  # flushed, as Django flushes it


def test_a_missing_session_hash_ends_the_session(make_staff):
    user = make_staff()

    assert assert_alike(user, lambda s: s.pop(auth.HASH_SESSION_KEY)) is None


def test_a_closed_account_finds_nobody(make_staff):
    user = make_staff()
    by_django, by_sockets = twin_sessions(user)
    StaffMember.objects.filter(pk=user.pk).update(is_active=False)

    assert sockets.person(by_sockets) is None
    assert django_says(by_django)[0] is None


def test_a_session_signed_with_an_old_secret_is_kept_and_moved_to_the_new_one(
    make_staff,
):
    user = make_staff()
    with override_settings(SECRET_KEY="the-old-secret-key-for-this-test-only"):
        by_django, by_sockets = twin_sessions(user)
    with override_settings(
        SECRET_KEY_FALLBACKS=["the-old-secret-key-for-this-test-only"]
    ):
        assert sockets.person(by_sockets) == user
        assert django_says(by_django)[0] == user.pk
    assert not SessionStore().exists(by_sockets)  # cycled to a new key, as Django


def test_the_person_read_by_a_prepared_query_is_the_one_the_orm_reads(make_staff):
    user = make_staff()
    found = sockets.person(signed_in(user))
    fresh = StaffMember.objects.get(pk=user.pk)

    for field in StaffMember._meta.concrete_fields:
        assert getattr(found, field.attname) == getattr(fresh, field.attname), field
    assert found.date_joined.tzinfo is not None  # converted as the ORM converts


def test_prepared_rows_equal_the_querysets_rows(make_staff, make_team):
    user = make_staff()
    lead_of, member_of = make_team(), make_team()
    TeamMembership.objects.create(team=lead_of, staff_member=user, role="lead")
    TeamMembership.objects.create(team=member_of, staff_member=user)
    query = Prepared(
        lambda pk: (
            TeamMembership.objects.filter(staff_member=pk)
            .values_list("team_id", "role")
            .order_by("team_id")
        )
    )

    expected = list(
        TeamMembership.objects.filter(staff_member=user.pk)
        .values_list("team_id", "role")
        .order_by("team_id")
    )
    assert query.rows(user.pk) == expected
    assert query.rows(user.pk + 1000) == []


def test_permissions_are_loaded_for_has_perm_in_one_query(
    make_staff, django_assert_num_queries
):
    moderator = make_staff(roles=["moderator"])
    person = StaffMember.objects.get(pk=moderator.pk)

    with django_assert_num_queries(1):
        sockets.load_permissions(person)
        assert person.has_perm("accounts.moderate")
        assert not person.has_perm("accounts.manage_campaigns")
