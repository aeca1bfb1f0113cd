"""Apply the retention schedule (retention.schedule). The scheduler runs it with
--if-due every few minutes (platform/Procfile); it then works at most once a day."""

from datetime import timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone

from accounts.security_log import log_event
from retention import schedule
from retention.models import Run


class Command(BaseCommand):
    help = "Delete or detach personal data that has passed its time (settings RETENTION_*)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-due",
            action="store_true",
            help="Only if no run has finished in the last --every hours.",
        )
        parser.add_argument(
            "--every", type=int, default=24, help="Hours (with --if-due)."
        )
        parser.add_argument("--batch-size", type=int, default=None)

    def handle(self, *args, if_due=False, every=24, batch_size=None, **options):
        now = timezone.now()
        if (
            if_due
            and Run.objects.filter(
                finished_at__gt=now - timedelta(hours=every)
            ).exists()
        ):
            self.stdout.write("Retention: not due.")
            return
        run = Run.objects.create(started_at=now)
        counts = schedule.apply(now, batch_size)
        run.finished_at = timezone.now()
        run.counts = counts
        run.save(update_fields=["finished_at", "counts"])
        log_event("retention.applied", **counts)
        for name, count in counts.items():
            self.stdout.write(f"{name}: {count}")
