"""Two requests of one person at the same moment (two tabs, a double click) on
PostgreSQL: one allocation results, equal to one of the two, never over the budget."""

import threading

import pytest
from django.db import connection, connections

from reports.prioritisation import services
from reports.prioritisation.models import Allocation
from tests.prioritisation.conftest import item_ids

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks need PostgreSQL"
    ),
]


def _at_once(*calls) -> list:
    """Run each call in its own thread (its own database connection), released
    together; the errors they raised."""
    barrier = threading.Barrier(len(calls))
    errors = []

    def run(call):
        try:
            barrier.wait(timeout=10)
            call()
        except Exception as error:  # noqa: BLE001 - reported to the test
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads)
    return errors


def test_two_allocations_of_one_person_at_once_leave_one_within_budget(
    make_round, make_staff
):
    round_ = make_round()
    a, b, c = item_ids(round_)
    first, second = {a: 10}, {b: 5, c: 5}
    for attempt in range(6):
        person = make_staff()
        if attempt % 2:  # changing an allocation, not only making the first one
            services.allocate(person, round_, {c: 1})
        errors = _at_once(
            lambda p=person: services.allocate(p, round_, first),
            lambda p=person: services.allocate(p, round_, second),
        )
        assert errors == []
        allocation = Allocation.objects.get(round=round_, staff_member=person)
        assert allocation.total == 10
        assert services.points_of(person, round_) in (first, second)


def test_many_people_at_once_are_all_counted(make_round, make_staff):
    round_ = make_round()
    a, b, _c = item_ids(round_)
    people = [make_staff() for _n in range(6)]
    errors = _at_once(
        *[lambda p=p: services.allocate(p, round_, {a: 6, b: 4}) for p in people]
    )
    assert errors == []
    from reports.prioritisation.results import results

    found = results(round_)
    assert found["people"] == 6
    assert [(i["id"], i["points"]) for i in found["items"][:2]] == [(a, 36), (b, 24)]
