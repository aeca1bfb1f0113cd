from django.conf import settings
from django.db import models


class Leaver(models.Model):
    """A person the staff directory deactivated, from when a retention run first saw
    it; erased (anonymised) once they have been gone RETENTION_LEAVERS_DAYS. The
    directory records no date of leaving, so the clock starts here (runs are daily)."""

    person = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    seen_leaving_at = models.DateTimeField(db_index=True)
    erased_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.person_id} left by {self.seen_leaving_at:%Y-%m-%d}"


class Run(models.Model):
    """One run of the schedule: when, and how many rows each rule touched (figures
    only: no one's id). Kept as the record a data protection officer asks for."""

    started_at = models.DateTimeField(db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    counts = models.JSONField(default=dict)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"retention run {self.started_at:%Y-%m-%d %H:%M}"
