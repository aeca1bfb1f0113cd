"""Telling people things. Callers (conversations, reports) say what; this app delivers.

``notify(recipient, kind, message, url)`` leaves a notification in the platform and,
as the recipient chose for that kind, emails it at once, keeps it for the daily
digest, or drops it. Email is never sent inside the caller's request: a background
task sends it after commit (:mod:`notifications.tasks`). The bell in the header is
told the new unread count on commit (:mod:`notifications.live`).

Callers that want each person addressed in their own language pass ``message`` as a
callable; it is called with the recipient's language active.
"""

import logging
from collections.abc import Callable, Iterable
from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from notifications import live
from notifications.models import Email, Follow, Notification, Preference, Recipient
from notifications.recipients import (  # noqa: F401 - callers ask services for these
    language_of,
    languages_of,
    read_unsubscribe_token,
    remember_language,
    unsubscribe_token,
)
from notifications.tasks import send_email
from notifications.topics import (
    DIGEST,
    EMAIL_DELIVERIES,
    TOPICS,
    TOPICS_BY_KEY,
    Delivery,
    topic_for,
)

logger = logging.getLogger(__name__)

Message = str | Callable[[], object]
MESSAGE_MAX = 1000


# -- language ----------------------------------------------------------------------


# -- preferences -------------------------------------------------------------------


def preferences_for(person) -> dict[str, str]:
    """topic key -> delivery, defaults filled in."""
    chosen = dict(
        Preference.objects.filter(person=person).values_list("topic", "delivery")
    )
    return {topic.key: chosen.get(topic.key, topic.default) for topic in TOPICS}


@transaction.atomic
def set_preferences(person, choices: dict[str, str]) -> None:
    for key, delivery in choices.items():
        topic = TOPICS_BY_KEY[key]
        if delivery not in Delivery.values:
            raise ValueError(f"Unknown delivery {delivery!r}")
        if delivery == topic.default:
            Preference.objects.filter(person=person, topic=key).delete()
        else:
            Preference.objects.update_or_create(
                person=person, topic=key, defaults={"delivery": delivery}
            )


def _deliveries(person_ids: list[int], kind: str) -> dict[int, str]:
    topic = topic_for(kind)
    if topic is None:
        return dict.fromkeys(person_ids, Delivery.PLATFORM)
    chosen = dict(
        Preference.objects.filter(
            person_id__in=person_ids, topic=topic.key
        ).values_list("person_id", "delivery")
    )
    return {pk: chosen.get(pk, topic.default) for pk in person_ids}


# -- notifying ---------------------------------------------------------------------


def notify(
    recipient,
    kind: str,
    message: Message,
    url: str = "",
    *,
    dedupe_key: str | None = None,
) -> Notification | None:
    """Tell ``recipient`` something, as they chose to hear about ``kind``.

    Returns the notification, or None: for nobody (a deleted or inactive account),
    for someone who switched this kind off, or when ``dedupe_key`` was used before.
    """
    created = notify_many([recipient], kind, message, url, dedupe_key=dedupe_key)
    return created[0] if created else None


def notify_many(
    recipients: Iterable,
    kind: str,
    message: Message,
    url: str = "",
    *,
    dedupe_key: str | None = None,
) -> list[Notification]:
    """``notify`` for many people at once: preferences and languages are read in two
    queries, and a callable message is rendered once per language."""
    people = {p.pk: p for p in recipients if p is not None and p.is_active}
    if not people:
        return []
    ids = sorted(people)  # a fixed order, so concurrent runs insert in the same order
    deliveries = _deliveries(ids, kind)
    languages = languages_of(ids) if callable(message) else {}
    texts: dict[str, str] = {}
    created = []
    with transaction.atomic():
        for pk in ids:
            delivery = deliveries[pk]
            if delivery == Delivery.OFF:
                continue
            text = message
            if callable(message):
                language = languages[pk]
                if language not in texts:
                    with translation.override(language):
                        texts[language] = str(message())
                text = texts[language]
            note = _create(
                people[pk], kind, str(text)[:MESSAGE_MAX], url, dedupe_key, delivery
            )
            if note is not None:
                created.append(note)
    return created


def _create(recipient, kind, message, url, dedupe_key, delivery) -> Notification | None:
    email_delivery = delivery if delivery in EMAIL_DELIVERIES else ""
    note = Notification(
        recipient=recipient,
        kind=kind,
        message=message,
        url=url,
        dedupe_key=dedupe_key,
        email_delivery=email_delivery,
    )
    if dedupe_key is None:
        note.save()
    else:
        # A savepoint, so a duplicate leaves the caller's transaction usable. Against
        # PostgreSQL a concurrent insert of the same key waits here for the other
        # transaction, then fails: exactly one of them notifies.
        try:
            with transaction.atomic():
                note.save()
        except IntegrityError:
            return None
    if delivery == Delivery.IMMEDIATE:
        topic = topic_for(kind)
        email = Email.objects.create(recipient=recipient, topic=topic.key)
        Notification.objects.filter(pk=note.pk).update(email=email)
        note.email = email
        _send_on_commit(email)
    unread_changed(recipient.pk)
    return note


def _send_on_commit(email: Email) -> None:
    # Robust: the change has committed; a queue that is down must not turn it into
    # an error page (the failure is logged by Django).
    transaction.on_commit(lambda: send_email.enqueue(email.pk), robust=True)


def forget(person) -> None:
    """Delete everything this app holds about ``person`` (their account is closing)."""
    Notification.objects.filter(recipient=person).delete()
    unread_changed(person.pk)
    Email.objects.filter(recipient=person).delete()
    Follow.objects.filter(follower=person).delete()
    Preference.objects.filter(person=person).delete()
    Recipient.objects.filter(person=person).delete()


def data_of(person) -> dict:
    """What this app holds about ``person``, for their own copy of their data."""
    return {
        "following": [
            {"type": f.target_type.model, "id": f.target_id, "since": f.created_at}
            for f in follows_of(person)
        ],
        "notification_preferences": preferences_for(person),
    }


def unread_count(recipient) -> int:
    """The bell's count (``recipient``: a person or their id), shown on every page:
    one count on the (recipient, read_at) index, so it is never out of date."""
    user_id = getattr(recipient, "pk", recipient)
    return Notification.objects.filter(
        recipient_id=user_id, read_at__isnull=True
    ).count()


def unread_changed(user_id: int) -> None:
    """Push the new count to the person's open pages once the change commits."""
    live.push_count_on_commit(user_id)


def mark_all_read(recipient) -> int:
    changed = Notification.objects.filter(
        recipient=recipient, read_at__isnull=True
    ).update(read_at=timezone.now())
    if changed:
        unread_changed(recipient.pk)
    return changed


# -- digests -----------------------------------------------------------------------


def digest_day(now: datetime):
    return timezone.localdate(now)


def build_digests(now: datetime | None = None) -> int:
    """Gather each person's waiting digest notifications into today's digest email.

    Safe to run twice, and from two processes at once: a person's waiting rows are
    locked (others skip them), and the digest row is unique per person and day.
    Notifications the person has already read in the platform are not emailed.
    """
    now = now or timezone.now()
    day = digest_day(now)
    waiting = Notification.objects.filter(
        email_delivery=Delivery.DIGEST, email__isnull=True, read_at__isnull=True
    )
    people = list(
        waiting.order_by("recipient_id")
        .values_list("recipient_id", flat=True)
        .distinct()
    )
    sent = 0
    for person_id in people:
        with transaction.atomic():
            notes = list(
                waiting.filter(recipient_id=person_id)
                .select_for_update(skip_locked=True)
                .values_list("pk", flat=True)
            )
            if not notes:
                continue
            try:
                with transaction.atomic():
                    email = Email.objects.create(
                        recipient_id=person_id, topic=DIGEST, digest_day=day
                    )
            except IntegrityError:
                continue  # today's digest has gone; these wait for tomorrow's
            Notification.objects.filter(pk__in=notes).update(email=email)
            _send_on_commit(email)
            sent += 1
    return sent


# -- unsubscribing -----------------------------------------------------------------


def unsubscribe(person, topic: str) -> list[str]:
    """Stop emails about ``topic`` (the digest: every topic it carries); they still
    appear in the platform. Returns the topics changed."""
    current = preferences_for(person)
    if topic == DIGEST:
        keys = [key for key, value in current.items() if value == Delivery.DIGEST]
    else:
        keys = [topic] if current[topic] in EMAIL_DELIVERIES else []
    set_preferences(person, dict.fromkeys(keys, Delivery.PLATFORM))
    return keys


# -- following ---------------------------------------------------------------------


def _target_key(target) -> dict:
    return {
        "target_type": ContentType.objects.get_for_model(target),
        "target_id": target.pk,
    }


def follow(person, target, *, explicit: bool = True) -> Follow:
    """Follow ``target``. An automatic follow (``explicit=False``, on posting or
    commenting) leaves an earlier unfollow in place.

    The caller decides whether ``person`` may follow ``target``: this app knows no
    campaigns (conversations.services.follow_* check the rules first).
    """
    row, created = Follow.objects.get_or_create(
        follower=person, **_target_key(target), defaults={"is_following": True}
    )
    if explicit and not row.is_following:
        row.is_following = True
        row.save(update_fields=["is_following"])
    return row


def unfollow(person, target) -> None:
    Follow.objects.update_or_create(
        follower=person, **_target_key(target), defaults={"is_following": False}
    )


def unfollow_by_id(person, follow_id: int) -> bool:
    changed = Follow.objects.filter(pk=follow_id, follower=person).update(
        is_following=False
    )
    return bool(changed)


def is_following(person, target) -> bool:
    """Asked by every campaign and idea page: one lookup on the follow's unique
    (follower, target) index."""
    if not person.is_authenticated:
        return False
    return Follow.objects.filter(
        follower=person, is_following=True, **_target_key(target)
    ).exists()


def followers(target):
    """Active people following ``target`` (callers still check who may see it)."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(
        is_active=True,
        follows__is_following=True,
        follows__target_type=ContentType.objects.get_for_model(target),
        follows__target_id=target.pk,
    )


def follows_of(person):
    return (
        Follow.objects.filter(follower=person, is_following=True)
        .select_related("target_type")
        .order_by("-created_at", "-id")
    )
