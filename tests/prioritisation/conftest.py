"""A campaign that has closed, with a prioritisation round open on a shortlist."""

from datetime import timedelta

import pytest
from django.utils import timezone

from reports.prioritisation.models import Round, ShortlistItem


@pytest.fixture
def make_round(make_campaign, make_idea):
    def make_round(
        *, items: int = 3, points: int = 10, status: str = "open", campaign=None
    ) -> Round:
        campaign = campaign or make_campaign("closed", title="Living our values")
        now = timezone.now()
        opens_at, closes_at = {
            "open": (now - timedelta(days=1), now + timedelta(days=6)),
            "scheduled": (now + timedelta(days=1), now + timedelta(days=8)),
            "closed": (now - timedelta(days=8), now - timedelta(days=1)),
        }[status]
        round_ = Round.objects.create(
            campaign=campaign,
            question="Which of these should we do first?",
            opens_at=opens_at,
            closes_at=closes_at,
            points=points,
        )
        for n in range(items):
            idea = make_idea(campaign, title=f"Shortlisted idea {n + 1}")
            ShortlistItem.objects.create(round=round_, idea=idea, position=n)
        return round_

    return make_round


def item_ids(round_: Round) -> list[int]:
    return list(round_.items.values_list("pk", flat=True))
