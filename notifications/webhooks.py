"""Announcements posted where staff already are: a Microsoft Teams channel (an
Adaptive Card through its incoming webhook) or any address that checks a signature.

Callers hand over what to say (callables, rendered here in each interface language,
so the card carries English and Welsh) and a dedupe key; each active webhook that
wants the event gets one ``WebhookDelivery`` row (unique per key, so announcing twice
posts once), sent after commit by the task worker. A failed post is tried again with
backing off, as emails are (``notifications.tasks``), then given up and logged.

A signed post carries ``X-StaffVoice-Timestamp`` (Unix seconds) and
``X-StaffVoice-Signature: sha256=<hex>``, the HMAC-SHA256 with the webhook's secret
of ``<timestamp>.<body>``: the receiver recomputes it, and refuses old timestamps so a
captured post cannot be replayed later.
"""

import hashlib
import hmac
import json
import logging
import time
import urllib.request
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django_tasks import task

from notifications import retries
from notifications.emails import absolute
from notifications.models import Webhook, WebhookDelivery

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 10
SIGNATURE_HEADER = "X-StaffVoice-Signature"
TIMESTAMP_HEADER = "X-StaffVoice-Timestamp"


def max_attempts() -> int:
    return getattr(settings, "WEBHOOK_ATTEMPTS", 5)


def retry_delay(attempts: int) -> timedelta:
    """1, 4, 16, 64 minutes...: a channel that is down is given hours."""
    return timedelta(minutes=4 ** (attempts - 1))


def announce(
    event: str,
    *,
    title: Callable[[], str],
    text: Callable[[], str],
    url: str,
    dedupe_key: str,
) -> list[WebhookDelivery]:
    """Post ``event`` to every webhook that wants it, once per ``dedupe_key``. Only
    announce what every member of the organisation may see: the channel's members
    are not checked against anything."""
    webhooks = [w for w in Webhook.objects.filter(is_active=True) if w.wants(event)]
    if not webhooks:
        return []
    payload = {"event": event, "url": absolute(url), "texts": {}}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            payload["texts"][code] = {"title": str(title()), "text": str(text())}
    made = []
    for webhook in webhooks:
        try:
            with transaction.atomic():
                delivery = WebhookDelivery.objects.create(
                    webhook=webhook, event=event, dedupe_key=dedupe_key, payload=payload
                )
        except IntegrityError:
            continue  # announced before
        made.append(delivery)
        transaction.on_commit(lambda pk=delivery.pk: deliver.enqueue(pk), robust=True)
    return made


def _languages(payload: dict) -> list[dict]:
    """The texts in the default language first, then the others that differ."""
    texts = payload["texts"]
    default = texts.get(settings.LANGUAGE_CODE) or next(iter(texts.values()))
    others = [t for code, t in texts.items() if t != default]
    return [default, *others]


def teams_card(payload: dict) -> dict:
    """The message a Teams incoming webhook takes: one Adaptive Card, each language's
    title and text, and a button to the page."""
    body = []
    for n, texts in enumerate(_languages(payload)):
        body.append(
            {
                "type": "TextBlock",
                "text": texts["title"],
                "weight": "Bolder",
                "size": "Medium",
                "wrap": True,
                "separator": n > 0,
            }
        )
        body.append({"type": "TextBlock", "text": texts["text"], "wrap": True})
    first = _languages(payload)[0]
    return {
        "type": "message",
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": None,
                "content": {
                    "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                    "type": "AdaptiveCard",
                    "version": "1.4",
                    "body": body,
                    "actions": [
                        {
                            "type": "Action.OpenUrl",
                            "title": first["title"],
                            "url": payload["url"],
                        }
                    ],
                },
            }
        ],
    }


def signature(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(
        secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256
    ).hexdigest()
    return f"sha256={digest}"


def request_for(webhook: Webhook, payload: dict) -> urllib.request.Request:
    if webhook.kind == Webhook.Kind.TEAMS:
        data = teams_card(payload)
    else:
        data = {
            "event": payload["event"],
            "url": payload["url"],
            "texts": payload["texts"],
        }
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    headers = {"Content-Type": "application/json; charset=utf-8"}
    if webhook.kind == Webhook.Kind.SIGNED:
        timestamp = str(int(time.time()))
        headers[TIMESTAMP_HEADER] = timestamp
        headers[SIGNATURE_HEADER] = signature(webhook.secret, timestamp, body)
    return urllib.request.Request(
        webhook.url, data=body, headers=headers, method="POST"
    )


@task()
def deliver(delivery_id: int) -> str:
    with transaction.atomic():
        # Locked while posting, so a duplicate task waits and then finds it sent.
        delivery = (
            WebhookDelivery.objects.select_for_update()
            .select_related("webhook")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None or delivery.sent_at or delivery.gave_up_at:
            return "nothing to do"
        if not delivery.webhook.is_active:
            delivery.gave_up_at = timezone.now()
            delivery.save(update_fields=["gave_up_at"])
            return "switched off"
        delivery.attempts += 1
        try:
            with urllib.request.urlopen(  # noqa: S310 - an administrator's address
                request_for(delivery.webhook, delivery.payload),
                timeout=TIMEOUT_SECONDS,
            ) as response:
                response.read(1024)
        except Exception as error:  # noqa: BLE001 - any failure is retried
            return retries.failed(
                delivery,
                error,
                what="posting webhook delivery",
                limit=max_attempts(),
                again=_retry,
                logger=logger,
            )
        delivery.sent_at = timezone.now()
        delivery.save(update_fields=["attempts", "sent_at", "last_error"])
        return "sent"


def _retry(delivery_id: int, attempts: int) -> None:
    retries.enqueue_again(deliver, delivery_id, retry_delay(attempts))
