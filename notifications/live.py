"""The bell's live count: each signed-in page has a socket (``/ws/me/``) in the
person's own group, and every change to their unread count is sent there on commit.

If the channel layer is down, notifying still succeeds: the failure is logged once
(and again only after a quiet spell), and the count is right on the next page load.
"""

import logging
import time

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)

MESSAGE_TYPE = "bell.count"  # read by notifications.bell.BellHub


def user_group(user_id: int) -> str:
    return f"notifications.user.{user_id}"


class _FailureLog:
    def __init__(self, quiet_seconds: float = 60.0):
        self.quiet_seconds = quiet_seconds
        self.failing = False
        self.last_logged = 0.0

    def failed(self, error: Exception) -> None:
        now = time.monotonic()
        if not self.failing or now - self.last_logged > self.quiet_seconds:
            logger.error("The bell's live count is not being delivered: %r", error)
            self.last_logged = now
        self.failing = True

    def succeeded(self) -> None:
        if self.failing:
            logger.warning("The bell's live count is being delivered again")
            self.failing = False


failures = _FailureLog()


def push_count(user_id: int) -> bool:
    """Send ``user_id``'s unread count to their open pages. Never raises."""
    from notifications.models import Notification

    try:
        layer = get_channel_layer()
        if layer is None:
            return False
        count = Notification.objects.filter(
            recipient_id=user_id, read_at__isnull=True
        ).count()
        group = user_group(user_id)
        async_to_sync(layer.group_send)(
            group, {"type": MESSAGE_TYPE, "group": group, "count": count}
        )
    except Exception as error:  # noqa: BLE001 - the bell must never fail a write
        failures.failed(error)
        return False
    failures.succeeded()
    return True


def push_count_on_commit(user_id: int) -> None:
    transaction.on_commit(lambda: push_count(user_id), robust=True)
