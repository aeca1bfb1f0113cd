"""Follows, in-platform notifications, preferences and the emails that carry them.

Callers hand over what to say; this app knows no ideas. A follow points at its target
by content type and id, so conversations decides who may follow what.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from notifications.topics import Delivery


class Follow(models.Model):
    """Someone following a target (an idea, a campaign, a board).

    An unfollow keeps the row with ``is_following`` off, so that commenting again on an
    idea does not quietly follow it again: only an explicit follow turns it back on.
    """

    follower = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows"
    )
    target_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    target_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("target_type", "target_id")
    is_following = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["follower", "target_type", "target_id"],
                name="one_follow_per_person_and_target",
            )
        ]
        indexes = [models.Index(fields=["target_type", "target_id", "is_following"])]

    def __str__(self) -> str:
        return f"{self.follower_id} follows {self.target_type_id}/{self.target_id}"


class Email(models.Model):
    """One email to one person: a notification sent at once, or a daily digest.

    Rows are written in the transaction that decides to send, and a background task
    sends them after commit, retrying a failing mail server a few times. A digest has
    its day, unique per person: nobody gets two digests on one day, however often or
    concurrently the digest command runs.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    topic = models.CharField(
        max_length=40, help_text=_("What the unsubscribe link stops.")
    )
    digest_day = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    gave_up_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "digest_day"],
                condition=models.Q(digest_day__isnull=False),
                name="one_digest_per_person_per_day",
            )
        ]

    def __str__(self) -> str:
        return f"Email {self.pk} ({self.topic}) to {self.recipient_id}"


class Notification(models.Model):
    class EmailDelivery(models.TextChoices):
        NONE = "", _("No email")
        IMMEDIATE = Delivery.IMMEDIATE.value, _("Straight away")
        DIGEST = Delivery.DIGEST.value, _("In the daily digest")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=40)
    message = models.TextField(help_text="Plain text, written by the caller.")
    url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    # A caller that may say the same thing twice (a scheduled command run twice, or by
    # two processes at once) names it; the unique constraint keeps one.
    dedupe_key = models.CharField(max_length=200, null=True, blank=True)
    email_delivery = models.CharField(
        max_length=10, choices=EmailDelivery.choices, blank=True, default=""
    )
    email = models.ForeignKey(
        Email,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notifications",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "read_at"]),
            models.Index(
                fields=["email_delivery", "recipient"],
                condition=models.Q(email__isnull=True) & ~models.Q(email_delivery=""),
                name="notification_email_pending",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"],
                condition=models.Q(dedupe_key__isnull=False),
                name="one_notification_per_dedupe_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id}"


class Preference(models.Model):
    """How one person wants to hear about one topic (only choices that differ from the
    default are stored)."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preferences",
    )
    topic = models.CharField(max_length=40)
    delivery = models.CharField(max_length=10, choices=Delivery.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person", "topic"], name="one_preference_per_person_and_topic"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person_id}: {self.topic} {self.delivery}"


class Recipient(models.Model):
    """What notifications know about a person beyond their account: the language
    their emails and notifications are written in (the last one they used here)."""

    person = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_recipient",
    )
    language = models.CharField(max_length=10, blank=True)

    def __str__(self) -> str:
        return f"{self.person_id} ({self.language or 'default'})"


class Webhook(models.Model):
    """Where announcements are posted outside the platform, set up by administrators:
    a Microsoft Teams channel's incoming webhook (an Adaptive Card), or any address
    that checks an HMAC-SHA256 signature (notifications.webhooks)."""

    class Kind(models.TextChoices):
        TEAMS = "teams", _("Microsoft Teams (Adaptive Card)")
        SIGNED = "signed", _("Any address, signed with HMAC-SHA256")

    class Event(models.TextChoices):
        OPENED = "campaign.opened", _("A campaign opens")
        CLOSING = "campaign.closing", _("A campaign closes soon")
        REPORT = "report.published", _("A report is published")

    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    url = models.URLField(_("address"), max_length=1000)
    secret = models.CharField(
        _("signing secret"),
        max_length=200,
        blank=True,
        help_text=_("For signed webhooks: the receiver checks the signature with it."),
    )
    events = models.JSONField(
        _("events"),
        default=list,
        blank=True,
        help_text=_("Which announcements to post; empty: all of them."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    def wants(self, event: str) -> bool:
        return self.is_active and (not self.events or event in self.events)


class WebhookDelivery(models.Model):
    """One announcement to one webhook: made once (a dedupe key per webhook), sent
    by the task worker with retries."""

    webhook = models.ForeignKey(
        Webhook, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.CharField(max_length=40)
    dedupe_key = models.CharField(max_length=200)
    payload = models.JSONField(help_text="What to say, in each interface language.")
    created_at = models.DateTimeField(auto_now_add=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    gave_up_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = _("webhook deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["webhook", "dedupe_key"], name="webhook_delivery_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.event} to {self.webhook_id}"
