"""Scheduled notifications: run every few minutes from cron or a systemd timer
(platform/RUNBOOK.md). Safe to run twice, and from two machines at once."""

from datetime import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from conversations.services import announcements
from notifications import services as notifications


class Command(BaseCommand):
    help = (
        "Announce campaigns that opened or close within 48 hours to their audience, "
        "and, from the digest hour on, send each person's daily digest."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--now", help="Act as if it were this ISO time (for testing and catch-up)."
        )
        parser.add_argument(
            "--digests",
            action="store_true",
            help="Send the daily digests now, whatever the hour.",
        )

    def handle(self, *args, now: str | None = None, digests: bool = False, **options):
        when = self._parse(now) if now else timezone.now()
        told = announcements.send_scheduled(when)
        hour = getattr(settings, "NOTIFICATION_DIGEST_HOUR", 7)
        sent = 0
        if digests or timezone.localtime(when).hour >= hour:
            sent = notifications.build_digests(when)
        self.stdout.write(
            f"opened: {told['opened']} told, closing: {told['closing']} told, "
            f"digests: {sent}"
        )

    def _parse(self, value: str) -> datetime:
        parsed = parse_datetime(value)
        if parsed is None:
            raise CommandError(f"Not an ISO date and time: {value}")
        if timezone.is_naive(parsed):
            parsed = timezone.make_aware(parsed)
        return parsed
