"""Two people means two people: every grant or removal of the reveal permission, or of
the power to give it, is recorded and announced to every holder; asking and deciding
need the permission held for the holding period; the data protection contact is told
of every reveal."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from accounts.models import PrivilegeChange
from conversations.services import own_posts, reveal
from notifications.models import Notification
from tests.security.conftest import assert_no_author
from tests.security.test_reveal import DECISION, REASON

pytestmark = pytest.mark.django_db


def _reveal_permission():
    return Permission.objects.get(codename="reveal_identity")


def _changes(person, privilege="reveal"):
    return list(
        PrivilegeChange.objects.filter(person=person, privilege=privilege).values_list(
            "change", flat=True
        )
    )


def test_a_grant_in_the_admin_is_recorded_and_announced_to_every_holder(
    client, make_staff, make_holder, django_capture_on_commit_callbacks
):
    holders = [make_holder(display_name="Hana Holder"), make_holder()]
    root = make_staff(display_name="Rita Root", mfa=True)
    root.is_staff = root.is_superuser = True
    root.save()
    safeguarding = Group.objects.create(name="Safeguarding leads")
    newcomer = make_staff(display_name="Nick Newcomer")
    newcomer.groups.add(safeguarding)
    client.force_login(root)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:auth_group_change", args=[safeguarding.pk]),
            {"name": "Safeguarding leads", "permissions": [_reveal_permission().pk]},
        )

    assert response.status_code == 302, response.content.decode()[:2000]
    grant = PrivilegeChange.objects.get(person=newcomer, privilege="reveal")
    assert grant.change == "granted" and grant.by == root
    for person in [*holders, newcomer]:
        note = Notification.objects.get(
            recipient=person, kind="reveal.holders", message__contains="Nick Newcomer"
        )
        assert "has been given" in note.message and "Rita Root" in note.message
    emailed = {address for message in mail.outbox for address in message.to}
    assert {h.email for h in holders} | {newcomer.email} <= emailed


def test_removal_and_superuser_status_are_recorded_and_announced(
    make_staff, make_holder
):
    watcher = make_holder()
    leaver = make_holder(display_name="Lee Leaver")
    leaver.user_permissions.remove(_reveal_permission())
    root = make_staff(display_name="Sam Super")
    root.is_superuser = True
    root.save()

    assert _changes(leaver) == ["granted", "removed"]
    assert _changes(root, "grant") == ["granted"]
    messages = list(
        Notification.objects.filter(recipient=watcher, kind="reveal.holders")
        .order_by("id")
        .values_list("message", flat=True)
    )
    assert any("Lee Leaver" in m and "no longer" in m for m in messages)
    assert any("Sam Super" in m and "give people permissions" in m for m in messages)


def test_a_role_gaining_the_permission_grants_it_to_each_member(make_staff):
    members = [make_staff(roles=["moderator"]) for _ in range(3)]

    Group.objects.get(name="Moderators").permissions.add(_reveal_permission())

    assert all(_changes(m) == ["granted"] for m in members)


def test_a_fresh_holder_can_neither_ask_nor_decide(
    reveal_on, make_staff, make_holder, anonymous_idea
):
    fresh = make_staff()
    fresh.user_permissions.add(_reveal_permission())  # granted just now
    seasoned = make_holder()

    with pytest.raises(PermissionDenied):
        reveal.request_reveal(fresh, anonymous_idea, REASON)
    pending = reveal.request_reveal(seasoned, anonymous_idea, REASON)
    with pytest.raises(PermissionDenied):
        reveal.decide_reveal(fresh, pending, approve=True, reason=DECISION)
    # Held for the period (the check reads the record, so look a week ahead).
    later = timezone.now() + timedelta(days=7, minutes=1)
    assert reveal.has_held_long_enough(fresh, later)
    assert reveal.decide_reveal(
        fresh, pending, approve=True, reason=DECISION, now=later
    ).state == ("approved")


def test_the_holding_period_is_a_setting(reveal_on, make_staff, anonymous_idea):
    reveal_on.REVEAL_HOLDING_DAYS = 0
    fresh = make_staff()
    fresh.user_permissions.add(_reveal_permission())

    assert reveal.request_reveal(fresh, anonymous_idea, REASON).pk


def test_a_regrant_starts_the_holding_period_again(reveal_on, make_holder):
    holder = make_holder()
    assert reveal.has_held_long_enough(holder)

    holder.user_permissions.remove(_reveal_permission())
    holder.user_permissions.add(_reveal_permission())

    assert not reveal.has_held_long_enough(holder)


def test_the_data_protection_contact_is_told_of_every_reveal_but_not_who(
    reveal_on, make_holder, anonymous_idea, django_capture_on_commit_callbacks
):
    reveal_on.REVEAL_DATA_PROTECTION_CONTACT = "dpo@nhs.net"
    asker, approver = make_holder(), make_holder()
    pending = reveal.request_reveal(asker, anonymous_idea, REASON)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        reveal.decide_reveal(approver, pending, approve=True, reason=DECISION)

    told = [m for m in mail.outbox if m.to == ["dpo@nhs.net"]]
    assert len(told) == 1
    assert asker.email in told[0].body and approver.email in told[0].body
    assert REASON in told[0].body
    assert_no_author(told[0].subject + told[0].body, "the contact's email")


def test_a_refusal_does_not_tell_the_contact(
    reveal_on, make_holder, anonymous_idea, django_capture_on_commit_callbacks
):
    reveal_on.REVEAL_DATA_PROTECTION_CONTACT = "dpo@nhs.net"
    asker, approver = make_holder(), make_holder()
    pending = reveal.request_reveal(asker, anonymous_idea, REASON)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        reveal.decide_reveal(approver, pending, approve=False, reason=DECISION)

    assert not [m for m in mail.outbox if m.to == ["dpo@nhs.net"]]


def test_erasure_ends_every_privilege_on_record(make_staff, make_holder):
    holder = make_holder()
    holder.is_staff = holder.is_superuser = True
    holder.save()

    own_posts.delete_account(holder)

    assert _changes(holder) == ["granted", "removed"]
    assert _changes(holder, "grant") == ["granted", "removed"]
