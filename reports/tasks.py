"""Background tasks of the reports app (django-tasks; `manage.py db_worker` runs them)."""

from django_tasks import task

from reports import services
from reports.models import SynthesisRun


@task()
def run_synthesis(run_id: int) -> int:
    """Compute suggested groups for a synthesis run; returns how many groups."""
    run = SynthesisRun.objects.select_related("campaign").get(pk=run_id)
    run = services.compute_synthesis(run)
    return run.suggestions.count()
