"""Audit entries and reveal requests are append-only: in PostgreSQL itself (triggers
refuse an UPDATE or DELETE sent as raw SQL), and through the ORM on every database.
Account erasure and a post's removal still work: they detach rows, never rewrite them."""

import pytest
from django.db import DatabaseError, connection, transaction

from conversations.models import AuditEntry, RevealRequest
from conversations.services import moderation, own_posts, reveal
from tests.security.test_reveal import DECISION, REASON

pytestmark = pytest.mark.django_db

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the triggers are PostgreSQL's"
)


@pytest.fixture
def entries(reveal_on, make_holder, anonymous_idea, make_staff):
    moderator = make_staff(roles=["moderator"])
    moderation.set_idea_status(moderator, anonymous_idea, "adopted", "Adopted, thanks.")
    asker, approver = make_holder(), make_holder()
    pending = reveal.request_reveal(asker, anonymous_idea, REASON)
    return {"moderator": moderator, "pending": pending, "approver": approver}


def _refused(sql: str, params=()) -> bool:
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
    except DatabaseError:
        return True
    return False


@on_postgresql
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE conversations_auditentry SET note = 'rewritten'",
        "UPDATE conversations_auditentry SET action = 'restore'",
        "UPDATE conversations_auditentry SET actor_id = actor_id + 1000",
        "UPDATE conversations_auditentry SET created_at = now() - interval '1 year'",
        "DELETE FROM conversations_auditentry",
        "UPDATE conversations_revealrequest SET reason = 'something else entirely'",
        "UPDATE conversations_revealrequest SET requested_by_id = decided_by_id",
        "UPDATE conversations_revealrequest SET idea_id = idea_id + 1000",
        "DELETE FROM conversations_revealrequest",
    ],
)
def test_postgresql_refuses_changes_sent_as_raw_sql(entries, sql):
    before = list(AuditEntry.objects.values_list("id", "note", "action"))

    assert _refused(sql), sql

    assert list(AuditEntry.objects.values_list("id", "note", "action")) == before
    assert RevealRequest.objects.get().reason == REASON


@on_postgresql
def test_postgresql_refuses_undoing_or_redoing_a_decision(entries):
    reveal.decide_reveal(
        entries["approver"], entries["pending"], approve=True, reason=DECISION
    )

    assert _refused("UPDATE conversations_revealrequest SET state = 'pending'")
    assert _refused("UPDATE conversations_revealrequest SET state = 'refused'")
    assert RevealRequest.objects.get().state == RevealRequest.State.APPROVED


def test_the_orm_refuses_them_on_every_database(entries):
    entry = AuditEntry.objects.first()
    entry.note = "rewritten"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.update(note="rewritten")
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().delete()
    pending = entries["pending"]
    pending.reason = "Something else entirely, long enough."
    with pytest.raises(PermissionError):
        pending.save()
    with pytest.raises(PermissionError):
        RevealRequest.objects.all().delete()


def test_a_decision_is_written_once(entries):
    decided = reveal.decide_reveal(
        entries["approver"], entries["pending"], approve=False, reason=DECISION
    )
    decided.state = RevealRequest.State.APPROVED
    with pytest.raises(PermissionError):
        decided.save()
    assert RevealRequest.objects.get().state == RevealRequest.State.REFUSED


def test_erasure_and_removed_posts_detach_rows_and_keep_them(
    entries, author, anonymous_idea
):
    audit_rows = AuditEntry.objects.count()
    moderator = entries["moderator"]

    own_posts.delete_account(author, remove_posts=True)
    own_posts.delete_account(moderator)

    assert AuditEntry.objects.count() == audit_rows
    assert not AuditEntry.objects.filter(idea_id=anonymous_idea.pk).exists()
    kept = RevealRequest.objects.get()
    assert kept.idea_id is None and kept.reason == REASON
    status = AuditEntry.objects.get(action=AuditEntry.Action.STATUS)
    assert status.actor_id == moderator.pk  # an erased account: no name, no email
    moderator.refresh_from_db()
    assert not moderator.is_active and "deleted" in moderator.email
