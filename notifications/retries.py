"""Trying a send again, once for every kind of send (emails, webhook deliveries).

A row counts its ``attempts`` and keeps ``last_error``, ``gave_up_at`` and ``sent_at``.
On a failure the task records it and either gives up at its limit or queues itself
again after its back-off, once the row's transaction commits."""

import logging
from collections.abc import Callable
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django_tasks import default_task_backend


def failed(
    row,
    error: Exception,
    *,
    what: str,
    limit: int,
    again: Callable[[int, int], None],
    logger: logging.Logger,
) -> str:
    """Record ``error`` on ``row`` (locked, its attempt counted): give up at
    ``limit``, or call ``again(row id, attempts)`` after the commit."""
    row.last_error = repr(error)[:500]
    if row.attempts >= limit:
        row.gave_up_at = timezone.now()
        row.save(update_fields=["attempts", "last_error", "gave_up_at"])
        logger.error(
            "Gave up %s %s after %s attempts: %r", what, row.pk, row.attempts, error
        )
        return "gave up"
    row.save(update_fields=["attempts", "last_error"])
    logger.warning(
        "%s %s failed (attempt %s), will retry: %r",
        what[:1].upper() + what[1:],
        row.pk,
        row.attempts,
        error,
    )
    row_id, attempts = row.pk, row.attempts
    transaction.on_commit(lambda: again(row_id, attempts))
    return "retrying"


def enqueue_again(task, row_id: int, delay: timedelta) -> None:
    """``task`` for ``row_id`` again, after ``delay`` where the queue can wait."""
    if default_task_backend.supports_defer:
        task.using(run_after=timezone.now() + delay).enqueue(row_id)
    else:
        task.enqueue(row_id)
