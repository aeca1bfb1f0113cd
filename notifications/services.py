"""Telling people things. Callers (conversations, reports) say what; this app delivers."""

from django.utils import timezone

from notifications.models import Notification


def notify(recipient, kind: str, message: str, url: str = "") -> Notification | None:
    """Leave ``recipient`` an in-platform notification (nobody, for a deleted account)."""
    if recipient is None or not recipient.is_active:
        return None
    return Notification.objects.create(
        recipient=recipient, kind=kind, message=message, url=url
    )


def unread_count(recipient) -> int:
    return Notification.objects.filter(
        recipient=recipient, read_at__isnull=True
    ).count()


def mark_all_read(recipient) -> int:
    return Notification.objects.filter(
        recipient=recipient, read_at__isnull=True
    ).update(read_at=timezone.now())
