"""Sending email, in the background, with retries.

django-tasks has no retry of its own: a failed send records the attempt and enqueues
the task again to run later (``run_after``, backing off), until it gives up after
``NOTIFICATION_EMAIL_ATTEMPTS`` attempts and logs it. A backend that cannot defer (the
immediate backend of the tests) runs the retry at once.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from notifications import retries
from notifications.emails import build_message
from notifications.models import Email

logger = logging.getLogger(__name__)


def max_attempts() -> int:
    return getattr(settings, "NOTIFICATION_EMAIL_ATTEMPTS", 5)


def retry_delay(attempts: int) -> timedelta:
    """1, 5, 25, 125 minutes...: a mail server that is down for maintenance is
    given hours, not seconds."""
    return timedelta(minutes=5 ** (attempts - 1))


@task()
def send_email(email_id: int) -> str:
    with transaction.atomic():
        # Locked while sending, so a duplicate task waits and then finds it sent.
        email = (
            Email.objects.select_for_update()
            .select_related("recipient")
            .filter(pk=email_id)
            .first()
        )
        if email is None or email.sent_at or email.gave_up_at:
            return "nothing to do"
        message = build_message(email)
        if message is None:  # nothing left to say (e.g. the person deleted it all)
            email.gave_up_at = timezone.now()
            email.save(update_fields=["gave_up_at"])
            return "nothing to send"
        email.attempts += 1
        try:
            message.send()
        except Exception as error:  # noqa: BLE001 - any mail failure is retried
            return retries.failed(
                email,
                error,
                what="sending email",
                limit=max_attempts(),
                again=_retry,
                logger=logger,
            )
        email.sent_at = timezone.now()
        email.save(update_fields=["attempts", "sent_at", "last_error"])
        return "sent"


def _retry(email_id: int, attempts: int) -> None:
    retries.enqueue_again(send_email, email_id, retry_delay(attempts))
