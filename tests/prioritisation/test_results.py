"""Results: overall, by group with small groups hidden, and in the action report."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Band
from reports.models import ActionReport, OutcomeTheme
from reports.prioritisation import results, services
from reports.prioritisation.models import ShortlistItem
from tests.prioritisation.conftest import item_ids

pytestmark = pytest.mark.django_db


def _people(make_staff, band, n):
    people = [make_staff() for _n in range(n)]
    for person in people:
        person.band = band
        person.save(update_fields=["band"])
    return people


def test_results_rank_items_by_points(make_round, make_staff):
    round_ = make_round()
    a, b, c = item_ids(round_)
    services.allocate(make_staff(), round_, {a: 2, c: 8})
    services.allocate(make_staff(), round_, {c: 5, b: 5})
    found = results.results(round_)
    assert found["people"] == 2
    assert found["points"] == 20
    assert [
        (i["id"], i["points"], i["people"], i["share"]) for i in found["items"]
    ] == [
        (c, 13, 2, 65),
        (b, 5, 1, 25),
        (a, 2, 1, 10),
    ]


def test_groups_below_the_threshold_show_no_points(make_round, make_staff, settings):
    settings.SMALL_GROUP_THRESHOLD = 5
    round_ = make_round()
    a, b, _c = item_ids(round_)
    band5 = Band.objects.create(name="Band 5", position=5)
    band6 = Band.objects.create(name="Band 6", position=6)
    for person in _people(make_staff, band5, 5):
        services.allocate(person, round_, {a: 10})
    for person in _people(make_staff, band6, 2):
        services.allocate(person, round_, {b: 10})
    bands = next(d for d in results.by_group(round_) if d["dimension"] == "band")
    shown = {g["name"]: g for g in bands["groups"]}
    assert shown["Band 5"]["people"] == 5
    assert shown["Band 5"]["items"][0] == {
        "id": a,
        "label": "Shortlisted idea 1",
        "points": 50,
        "share": 100,
    }
    assert shown["Band 6"]["suppressed"] and shown["Band 6"]["people"] is None
    assert shown["Band 6"]["items"] == []


def test_one_small_group_alone_hides_the_next_smallest_too(
    make_round, make_staff, settings
):
    """With every profile filled in, "Not given" is empty (and hidden), so the small
    group is not alone: here one band group is the only small one of three."""
    settings.SMALL_GROUP_THRESHOLD = 2
    round_ = make_round()
    a, *_ = item_ids(round_)
    bands = [Band.objects.create(name=f"Band {n}", position=n) for n in (5, 6, 7)]
    for band, n in zip(bands, (3, 4, 1), strict=True):
        for person in _people(make_staff, band, n):
            services.allocate(person, round_, {a: 1})
    for person in [make_staff() for _n in range(2)]:
        services.allocate(person, round_, {a: 1})  # band not given: 2, shown
    groups = {
        g["name"]: g
        for g in next(d for d in results.by_group(round_) if d["dimension"] == "band")[
            "groups"
        ]
    }
    assert groups["Band 7"]["suppressed"]
    assert sum(g["suppressed"] for g in groups.values()) == 2


def test_outcome_themes_can_be_shortlisted(make_round, make_staff, make_campaign):
    campaign = make_campaign("closed")
    round_ = make_round(campaign=campaign, items=1)
    theme = OutcomeTheme.objects.create(campaign=campaign, name="Recognition")
    item = ShortlistItem.objects.create(round=round_, outcome_theme=theme, position=9)
    services.allocate(make_staff(), round_, {item.pk: 4})
    assert results.results(round_)["items"][0]["label"] == "Recognition"


def test_the_published_report_shows_what_staff_prioritised(
    client, make_round, make_staff
):
    round_ = make_round(status="closed")
    campaign = round_.campaign
    ActionReport.objects.create(
        campaign=campaign,
        title="You said, we did",
        state=ActionReport.State.PUBLISHED,
        published_at=timezone.now(),
    )
    a, b, _c = item_ids(round_)
    round_.closes_at, closes_at = (
        timezone.now() + timedelta(days=1),
        round_.closes_at,
    )
    round_.save()
    services.allocate(make_staff(), round_, {b: 9, a: 1})
    round_.closes_at = closes_at
    round_.save()
    client.force_login(make_staff())
    page = client.get(reverse("reports:report", args=[campaign.slug])).content.decode()
    assert "What you prioritised" in page
    assert "Which of these should we do first?" in page
    assert page.index("Shortlisted idea 2") < page.index("Shortlisted idea 1")
    assert "the round is still open" not in page


def test_open_rounds_are_listed_on_outcomes(client, make_round, make_staff):
    round_ = make_round()
    client.force_login(make_staff())
    page = client.get(reverse("reports:outcomes")).content.decode()
    assert reverse("prioritisation:round", args=[round_.campaign.slug]) in page
    assert "Spread your points" in page
