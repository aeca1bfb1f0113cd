"""The retention schedule's rules, each idempotent and done in batches.

Each rule takes ``now`` (so tests pass fixed times) and a batch size, finds what has
passed its time, and deletes or detaches it a batch at a time, one transaction per
batch, so a large organisation's first run never holds a long lock and a run stopped
half-way is finished by the next. A row already dealt with no longer matches its
rule's query, so running twice changes nothing the second time.

- live events (CampaignEvent) older than RETENTION_LIVE_EVENTS_DAYS: deleted;
- emails that were sent or given up on, and notifications, older than
  RETENTION_MESSAGES_DAYS: deleted (an email still waiting to go is kept);
- people the staff directory deactivated, gone RETENTION_LEAVERS_DAYS: erased by the
  account-erasure service (conversations.services.own_posts.delete_account), their
  posts kept as "a former colleague";
- campaigns closed more than RETENTION_CLOSED_CAMPAIGN_YEARS ago: their ideas and
  comments kept, with no author (an anonymous post can then never be revealed).
  Votes stay with their (by then usually erased) accounts: how anyone voted is
  never shown, and tallies and figures count them.
"""

from collections.abc import Iterator
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet

from accounts.models import StaffMember
from conversations import versions
from conversations.models import Campaign, CampaignEvent, Comment, Idea
from conversations.services.own_posts import delete_account
from notifications.models import Email, Notification
from retention.models import Leaver

ERASED_DOMAIN = "@deleted.invalid"  # accounts.services.erase_personal_data's mark


def _batches(queryset: QuerySet, size: int) -> Iterator[list[int]]:
    """Primary keys of ``queryset`` a batch at a time, in key order, each batch asked
    for after the last key of the one before: the database walks the primary key's
    index once, instead of scanning from the start for every batch (the tables'
    dates have no index of their own)."""
    last = 0
    while True:
        pks = list(
            queryset.filter(pk__gt=last)
            .order_by("pk")
            .values_list("pk", flat=True)[:size]
        )
        if not pks:
            return
        yield pks
        if len(pks) < size:
            return
        last = pks[-1]


def _delete(queryset: QuerySet, size: int) -> int:
    deleted = 0
    model = queryset.model
    for pks in _batches(queryset, size):
        with transaction.atomic():
            deleted += model.objects.filter(pk__in=pks).delete()[0]
    return deleted


def drop_live_events(now: datetime, size: int) -> int:
    cutoff = now - timedelta(days=settings.RETENTION_LIVE_EVENTS_DAYS)
    return _delete(CampaignEvent.objects.filter(created_at__lt=cutoff), size)


def drop_messages(now: datetime, size: int) -> int:
    cutoff = now - timedelta(days=settings.RETENTION_MESSAGES_DAYS)
    notes = _delete(Notification.objects.filter(created_at__lt=cutoff), size)
    done = Q(sent_at__lt=cutoff) | Q(gave_up_at__lt=cutoff)
    # An email a notification still points to is kept with it (SET_NULL would
    # rewrite that notification); the notification's own turn comes first above.
    emails = _delete(
        Email.objects.filter(done, created_at__lt=cutoff).exclude(
            pk__in=Notification.objects.filter(email__isnull=False).values("email_id")
        ),
        size,
    )
    return notes + emails


def note_leavers(now: datetime, size: int) -> int:
    """Start the clock for directory people now deactivated; stop it for any the
    directory brought back."""
    gone = StaffMember.objects.filter(
        directory_seen_at__isnull=False, is_active=False
    ).exclude(email__endswith=ERASED_DOMAIN)
    new = gone.exclude(pk__in=Leaver.objects.values("person_id"))
    noted = 0
    for pks in _batches(new, size):
        Leaver.objects.bulk_create(
            [Leaver(person_id=pk, seen_leaving_at=now) for pk in pks],
            ignore_conflicts=True,
        )
        noted += len(pks)
    Leaver.objects.filter(erased_at__isnull=True, person__is_active=True).delete()
    return noted


def erase_leavers(now: datetime, size: int) -> int:
    cutoff = now - timedelta(days=settings.RETENTION_LEAVERS_DAYS)
    due = Leaver.objects.filter(
        erased_at__isnull=True, seen_leaving_at__lt=cutoff, person__is_active=False
    )
    erased = 0
    for pks in _batches(due, size):
        for leaver in Leaver.objects.filter(pk__in=pks).select_related("person"):
            # One transaction per person: the erasure service's own unit.
            with transaction.atomic():
                delete_account(leaver.person, remove_posts=False)
                Leaver.objects.filter(pk=leaver.pk).update(erased_at=now)
            erased += 1
    return erased


def detach_closed_campaigns(now: datetime, size: int) -> int:
    years = settings.RETENTION_CLOSED_CAMPAIGN_YEARS
    try:
        cutoff = now.replace(year=now.year - years)
    except ValueError:  # 29 February
        cutoff = now.replace(year=now.year - years, day=28)
    old = Campaign.objects.filter(closes_at__isnull=False, closes_at__lt=cutoff)
    detached = 0
    for model, campaign_field in ((Idea, "campaign"), (Comment, "idea__campaign")):
        posts = model.objects.filter(
            **{f"{campaign_field}__in": old}, author__isnull=False
        )
        for pks in _batches(posts, size):
            with transaction.atomic():
                batch = model.objects.filter(pk__in=pks)
                campaign_ids = set(batch.values_list(f"{campaign_field}_id", flat=True))
                detached += batch.update(author=None)
                # Pages that named these authors are shown anew ("a former colleague").
                versions.bump(*campaign_ids)
    return detached


RULES = {
    "live_events_deleted": drop_live_events,
    "messages_deleted": drop_messages,
    "leavers_noted": note_leavers,
    "leavers_erased": erase_leavers,
    "closed_campaign_posts_detached": detach_closed_campaigns,
}


def apply(now: datetime, size: int | None = None) -> dict[str, int]:
    """Every rule, in order; how many rows each touched."""
    size = size or settings.RETENTION_BATCH_SIZE
    return {name: rule(now, size) for name, rule in RULES.items()}
