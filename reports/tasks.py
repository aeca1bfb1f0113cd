"""Background tasks of the reports app (django-tasks; `manage.py db_worker` runs them),
and the work they do: ``reports.services`` queues them and never the other way round."""

import logging
import time

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from reports import synthesis
from reports.models import SuggestedGroup, SynthesisRun

logger = logging.getLogger(__name__)


@task()
def run_synthesis(run_id: int) -> int:
    """Compute suggested groups for a synthesis run; returns how many groups."""
    run = SynthesisRun.objects.select_related("campaign").get(pk=run_id)
    run = compute_synthesis(run)
    return run.suggestions.count()


def compute_synthesis(run: SynthesisRun) -> SynthesisRun:
    """Do the work of a run, saving progress as it goes (called by the task)."""
    started = time.perf_counter()

    def progress(pct: int, stage: str) -> None:
        SynthesisRun.objects.filter(pk=run.pk).update(
            state=SynthesisRun.State.RUNNING, progress=min(pct, 99), stage=stage
        )

    try:
        count, groups = synthesis.run(run.campaign, progress)
    except Exception:
        logger.exception("Synthesis %s failed", run.pk)
        SynthesisRun.objects.filter(pk=run.pk).update(
            state=SynthesisRun.State.FAILED, finished_at=timezone.now()
        )
        raise
    with transaction.atomic():
        SuggestedGroup.objects.bulk_create(
            SuggestedGroup(
                run=run,
                position=n,
                label=group.label[:160] or _("Other ideas"),
                key_phrases=group.key_phrases,
                idea_ids=group.idea_ids,
                quote_idea_ids=group.quote_idea_ids,
            )
            for n, group in enumerate(groups)
        )
        SynthesisRun.objects.filter(pk=run.pk).update(
            state=SynthesisRun.State.DONE,
            progress=100,
            stage="",
            idea_count=count,
            seconds=time.perf_counter() - started,
            finished_at=timezone.now(),
        )
    run.refresh_from_db()
    return run
