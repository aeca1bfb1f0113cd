"""Spreading points: the budget, changing them, closing, who may take part."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from conversations.exceptions import Refused
from reports.prioritisation import services
from reports.prioritisation.models import Allocation, AllocationLine
from tests.prioritisation.conftest import item_ids


def test_a_person_spreads_their_points(make_round, make_staff):
    round_ = make_round()
    person = make_staff()
    a, b, c = item_ids(round_)
    services.allocate(person, round_, {a: 6, b: 4, c: 0})
    assert services.points_of(person, round_) == {a: 6, b: 4}
    assert Allocation.objects.get(round=round_, staff_member=person).total == 10


def test_points_above_the_budget_are_refused_and_nothing_is_kept(
    make_round, make_staff
):
    round_ = make_round()
    person = make_staff()
    a, b, _c = item_ids(round_)
    with pytest.raises(ValidationError, match="10 points to spread.*add up to 11"):
        services.allocate(person, round_, {a: 6, b: 5})
    assert not Allocation.objects.filter(round=round_).exists()


def test_fewer_points_than_the_budget_are_allowed(make_round, make_staff):
    round_ = make_round()
    person = make_staff()
    a, *_ = item_ids(round_)
    services.allocate(person, round_, {a: 3})
    assert services.points_of(person, round_) == {a: 3}


def test_changing_points_replaces_the_allocation(make_round, make_staff):
    round_ = make_round()
    person = make_staff()
    a, b, c = item_ids(round_)
    services.allocate(person, round_, {a: 10})
    services.allocate(person, round_, {b: 2, c: 8})
    assert services.points_of(person, round_) == {b: 2, c: 8}
    assert Allocation.objects.filter(round=round_, staff_member=person).count() == 1
    assert AllocationLine.objects.filter(allocation__round=round_).count() == 2


def test_all_noughts_take_the_points_back(make_round, make_staff):
    round_ = make_round()
    person = make_staff()
    a, *_ = item_ids(round_)
    services.allocate(person, round_, {a: 10})
    services.allocate(person, round_, {a: 0})
    assert not Allocation.objects.filter(round=round_).exists()


def test_negative_points_and_other_items_are_refused(make_round, make_staff):
    round_ = make_round()
    other = make_round()
    person = make_staff()
    a, *_ = item_ids(round_)
    with pytest.raises(ValidationError, match="below nought"):
        services.allocate(person, round_, {a: -1})
    with pytest.raises(ValidationError, match="shortlist only"):
        services.allocate(person, round_, {item_ids(other)[0]: 1})


def test_a_closed_round_refuses_changes(make_round, make_staff):
    round_ = make_round(status="closed")
    with pytest.raises(Refused, match="has closed"):
        services.allocate(make_staff(), round_, {item_ids(round_)[0]: 1})


def test_a_round_not_yet_open_refuses_points(make_round, make_staff):
    round_ = make_round(status="scheduled")
    with pytest.raises(Refused, match="not opened yet"):
        services.allocate(make_staff(), round_, {item_ids(round_)[0]: 1})


def test_people_outside_a_team_campaign_cannot_take_part(
    make_round, make_campaign, make_team, make_staff
):
    team = make_team()
    campaign = make_campaign("closed", audience_teams=[team])
    round_ = make_round(campaign=campaign)
    with pytest.raises(Refused, match="particular teams"):
        services.allocate(make_staff(), round_, {item_ids(round_)[0]: 1})
    member = make_staff(teams=[team])
    services.allocate(member, round_, {item_ids(round_)[0]: 1})


def test_the_database_refuses_a_total_above_the_budget(make_round, make_staff):
    round_ = make_round()
    person = make_staff()
    with pytest.raises(IntegrityError), transaction.atomic():
        Allocation.objects.create(
            round=round_, staff_member=person, budget=10, total=11
        )


def test_the_database_keeps_one_allocation_per_person(make_round, make_staff):
    round_ = make_round()
    person = make_staff()
    Allocation.objects.create(round=round_, staff_member=person, budget=10, total=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Allocation.objects.create(round=round_, staff_member=person, budget=10, total=1)


def test_an_allocation_publishes_the_running_results_on_commit(
    make_round, make_staff, monkeypatch, django_capture_on_commit_callbacks
):
    from conversations.live import events

    sent = []
    monkeypatch.setattr(
        events,
        "broadcast",
        lambda campaign_id, payload, group=None: sent.append((campaign_id, payload)),
    )
    round_ = make_round()
    a, b, c = item_ids(round_)
    with django_capture_on_commit_callbacks(execute=True):
        services.allocate(make_staff(), round_, {b: 7, c: 3})
    assert sent == [
        (
            round_.campaign_id,
            {
                "type": "priorities.results",
                "round": round_.pk,
                "people": None,  # fewer than the threshold
                "points": 10,
                "items": [
                    {"id": b, "points": 7, "share": 70},
                    {"id": c, "points": 3, "share": 30},
                    {"id": a, "points": 0, "share": 0},
                ],
            },
        )
    ]
