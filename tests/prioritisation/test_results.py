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


def test_results_rank_items_by_points(make_round, make_staff, settings):
    settings.SMALL_GROUP_THRESHOLD = 2
    round_ = make_round()
    a, b, c = item_ids(round_)
    services.allocate(make_staff(), round_, {a: 2, c: 8})
    services.allocate(make_staff(), round_, {c: 5, b: 5})
    found = results.results(round_)
    assert found["people"] == 2
    assert found["points"] == 20
    assert [(i["id"], i["points"], i["share"]) for i in found["items"]] == [
        (c, 13, 65),
        (b, 5, 25),
        (a, 2, 10),
    ]


def test_fewer_people_than_the_threshold_are_not_counted_exactly(
    make_round, make_staff, settings
):
    settings.SMALL_GROUP_THRESHOLD = 5
    round_ = make_round()
    for _n in range(4):
        services.allocate(make_staff(), round_, {item_ids(round_)[0]: 1})
    assert results.results(round_)["people"] is None
    services.allocate(make_staff(), round_, {item_ids(round_)[0]: 1})
    assert results.results(round_)["people"] == 5


def _bands(round_):
    return next(d for d in results.by_group(round_) if d["dimension"] == "band")


def test_small_groups_are_only_part_of_other_groups(make_round, make_staff, settings):
    settings.SMALL_GROUP_THRESHOLD = 5
    round_ = make_round()
    a, b, _c = item_ids(round_)
    band5 = Band.objects.create(name="Band 5", position=5)
    band6 = Band.objects.create(name="Band 6", position=6)
    band7 = Band.objects.create(name="Band 7", position=7)
    for person in _people(make_staff, band5, 6):
        services.allocate(person, round_, {a: 10})
    for person in _people(make_staff, band6, 5):
        services.allocate(person, round_, {b: 10})
    for person in _people(make_staff, band7, 2):
        services.allocate(person, round_, {b: 10})
    bands = _bands(round_)
    # Band 7 (2) alone would be a small "other groups": Band 6 (5) joins it.
    assert [g["name"] for g in bands["groups"]] == ["Band 5"]
    assert bands["groups"][0]["people"] == 6
    assert bands["groups"][0]["items"][0] == {
        "id": a,
        "label": "Shortlisted idea 1",
        "points": 60,
        "share": 100,
    }
    assert bands["others"] == 7 and bands["hidden"]


def test_figures_by_group_wait_for_the_round_to_close(client, make_round, make_staff):
    round_ = make_round()
    client.force_login(make_staff())
    url = reverse("prioritisation:round", args=[round_.campaign.slug])
    page = client.get(url).content.decode()
    assert "appear when the round closes" in page
    assert "data-by-group" not in page
    round_.opens_at -= timedelta(days=30)
    round_.closes_at = timezone.now() - timedelta(minutes=1)
    round_.save()
    page = client.get(url).content.decode()
    assert 'data-by-group="band"' in page


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


def test_an_idea_hidden_after_shortlisting_leaves_the_form_and_results(
    client, make_round, make_staff
):
    round_ = make_round()
    a, b, c = item_ids(round_)
    services.allocate(make_staff(), round_, {a: 4, b: 6})
    hidden = ShortlistItem.objects.get(pk=b).idea
    hidden.visibility = "hidden"
    hidden.save()
    found = results.results(round_)
    assert [i["id"] for i in found["items"]] == [a, c]
    assert found["items"][0]["share"] == 100
    client.force_login(make_staff())
    page = client.get(
        reverse("prioritisation:round", args=[round_.campaign.slug])
    ).content.decode()
    assert "Shortlisted idea 2" not in page


def test_the_printable_report_and_its_pdf_carry_the_results(
    client, make_round, make_staff
):
    round_ = make_round()
    services.allocate(make_staff(), round_, {item_ids(round_)[1]: 10})
    editor = make_staff(roles=["engagement_manager"])
    client.force_login(editor)
    slug = round_.campaign.slug
    page = client.get(reverse("reports:report_print", args=[slug])).content.decode()
    assert "What you prioritised" in page and "Shortlisted idea 2" in page
    pdf = client.get(reverse("reports:report_pdf", args=[slug]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
