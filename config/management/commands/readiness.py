"""The readiness checks of /readyz for processes that serve no HTTP (the task worker,
the scheduler): their Compose health check, or a cron job's guard."""

import json

from django.core.management.base import BaseCommand, CommandError

from config.health import readiness_checks


class Command(BaseCommand):
    help = "Check PostgreSQL, Redis (when configured) and the task queue's age; exit 1 if not ready."

    def handle(self, *args, **options):
        checks = readiness_checks()
        ok = all(checks.values())
        self.stdout.write(
            json.dumps({"status": "ok" if ok else "unavailable", "checks": checks})
        )
        if not ok:
            raise CommandError("not ready")
