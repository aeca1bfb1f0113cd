"""Votes cast at the same moment from many connections: no lost votes, no duplicate rows."""

import random
import threading

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import Count

from voting.models import Tally, Vote
from voting.services import TAKE_BACK, cast_vote

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs real concurrent connections with row locks (PostgreSQL); SQLite "
        "serialises every writer on one database lock, and its in-memory test database "
        "is not shared between threads",
    ),
    pytest.mark.timeout(90),
]

DISTINCT_VOTERS = 40
SAME_VOTER_THREADS = 10
SAME_VOTER_ROUNDS = 15


def run_in_threads(jobs) -> list[BaseException]:
    """Start every job at once (behind a barrier); return the exceptions they raised."""
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(jobs))

    def runner(job):
        try:
            barrier.wait()
            job()
        except BaseException as error:  # noqa: BLE001 - reported by the test
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=runner, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a voting thread hung"
    return errors


def vote_all_at_once(idea, voters, hammering) -> list[BaseException]:
    """40 people vote once each while one person, in 10 tabs, flips their vote."""

    def distinct_voter(voter, value):
        return lambda: cast_vote(voter, idea, value)

    def same_voter(seed):
        def job():
            rng = random.Random(seed)
            for _ in range(SAME_VOTER_ROUNDS):
                cast_vote(hammering, idea, rng.choice([1, -1, TAKE_BACK]))

        return job

    jobs = [distinct_voter(v, 1 if i % 4 != 0 else -1) for i, v in enumerate(voters)]
    jobs += [same_voter(seed) for seed in range(SAME_VOTER_THREADS)]
    random.Random(7).shuffle(jobs)
    return run_in_threads(jobs)


@pytest.fixture
def crowd(make_campaign, make_idea, make_staff):
    idea = make_idea(make_campaign("open"))
    voters = [make_staff() for _ in range(DISTINCT_VOTERS)]
    hammering = make_staff()
    ContentType.objects.get_for_model(
        idea
    )  # warm the content-type cache, as in a server
    return idea, voters, hammering


@pytest.mark.django_db(transaction=True)
def test_concurrent_votes_keep_the_tally_equal_to_the_rows(crowd):
    idea, voters, hammering = crowd

    errors = vote_all_at_once(idea, voters, hammering)

    assert errors == []
    target_type = ContentType.objects.get_for_model(idea)
    votes = Vote.objects.filter(target_type=target_type, target_id=idea.pk)
    duplicates = votes.values("voter").annotate(n=Count("pk")).filter(n__gt=1)
    assert list(duplicates.values_list("voter", "n")) == []
    tally = Tally.objects.get(target_type=target_type, target_id=idea.pk)
    assert tally.support == votes.filter(value=1).count()
    assert tally.dont_support == votes.filter(value=-1).count()
    # Every one of the 40 distinct voters was counted, whatever the other person did.
    others = votes.exclude(voter=hammering)
    assert others.count() == DISTINCT_VOTERS
    assert others.filter(value=1).count() == sum(
        1 for i in range(DISTINCT_VOTERS) if i % 4
    )
    assert votes.filter(voter=hammering).count() <= 1


@pytest.mark.django_db(transaction=True)
def test_one_person_voting_from_many_tabs_at_once_never_gets_an_error(crowd):
    idea, voters, hammering = crowd

    errors = vote_all_at_once(idea, voters, hammering)

    assert errors == []
