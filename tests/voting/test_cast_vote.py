"""voting.services: one vote per person and target, tallies always equal to the rows."""

import random

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction

from conversations.models import Comment, Idea
from voting.models import Tally, Vote
from voting.services import TAKE_BACK, cast_vote, recount_tally, votes_by_voter

SUPPORT, DONT_SUPPORT = 1, -1


def rows(target) -> dict[str, int]:
    votes = Vote.objects.filter(
        target_type=ContentType.objects.get_for_model(target), target_id=target.pk
    )
    return {
        "support": votes.filter(value=SUPPORT).count(),
        "dont_support": votes.filter(value=DONT_SUPPORT).count(),
    }


def stored_tally(target) -> dict[str, int]:
    tally = Tally.objects.filter(
        target_type=ContentType.objects.get_for_model(target), target_id=target.pk
    ).first()
    if tally is None:
        return {"support": 0, "dont_support": 0}
    return {"support": tally.support, "dont_support": tally.dont_support}


@pytest.fixture
def idea(make_idea, open_campaign):
    return make_idea(open_campaign)


def test_support_counts_one_in_favour(idea, staff):
    result = cast_vote(staff, idea, SUPPORT)

    assert (result.value, result.support, result.dont_support) == (1, 1, 0)
    assert result.changed is True
    assert stored_tally(idea) == rows(idea) == {"support": 1, "dont_support": 0}


def test_dont_support_counts_one_against(idea, staff):
    result = cast_vote(staff, idea, DONT_SUPPORT)

    assert (result.value, result.support, result.dont_support) == (-1, 0, 1)
    assert stored_tally(idea) == rows(idea) == {"support": 0, "dont_support": 1}


def test_changing_a_vote_moves_it_from_one_count_to_the_other(idea, staff):
    cast_vote(staff, idea, SUPPORT)
    result = cast_vote(staff, idea, DONT_SUPPORT)

    assert (result.value, result.support, result.dont_support, result.changed) == (
        -1,
        0,
        1,
        True,
    )
    assert Vote.objects.filter(voter=staff).count() == 1
    assert stored_tally(idea) == rows(idea)


def test_taking_a_vote_back_removes_the_row_and_the_count(idea, staff):
    cast_vote(staff, idea, SUPPORT)
    result = cast_vote(staff, idea, TAKE_BACK)

    assert (result.value, result.support, result.dont_support, result.changed) == (
        0,
        0,
        0,
        True,
    )
    assert not Vote.objects.filter(voter=staff).exists()
    assert stored_tally(idea) == rows(idea) == {"support": 0, "dont_support": 0}


def test_taking_back_a_vote_never_cast_changes_nothing(idea, staff):
    result = cast_vote(staff, idea, TAKE_BACK)

    assert result.changed is False
    assert (result.support, result.dont_support) == (0, 0)
    assert not Vote.objects.exists()


def test_same_vote_twice_changes_nothing(idea, staff, make_staff):
    cast_vote(make_staff(), idea, SUPPORT)
    first = cast_vote(staff, idea, SUPPORT)
    second = cast_vote(staff, idea, SUPPORT)

    assert first.changed is True
    assert second.changed is False
    assert (second.support, second.dont_support) == (2, 0)
    assert Vote.objects.filter(voter=staff).count() == 1
    assert stored_tally(idea) == rows(idea)


def test_votes_of_different_people_add_up(idea, make_staff):
    for value in (SUPPORT, SUPPORT, SUPPORT, DONT_SUPPORT):
        result = cast_vote(make_staff(), idea, value)

    assert (result.support, result.dont_support) == (3, 1)
    assert stored_tally(idea) == rows(idea) == {"support": 3, "dont_support": 1}


def test_tally_equals_the_vote_rows_after_many_changes(idea, make_staff):
    voters = [make_staff() for _ in range(6)]
    rng = random.Random(20240601)
    for _ in range(80):
        cast_vote(
            rng.choice(voters), idea, rng.choice([SUPPORT, DONT_SUPPORT, TAKE_BACK])
        )

    before = stored_tally(idea)
    assert before == rows(idea)
    rebuilt = recount_tally(idea)
    assert {"support": rebuilt.support, "dont_support": rebuilt.dont_support} == before


def test_recount_repairs_a_tally_that_drifted(idea, make_staff):
    cast_vote(make_staff(), idea, SUPPORT)
    Tally.objects.update(support=99, dont_support=7)

    tally = recount_tally(idea)

    assert (tally.support, tally.dont_support) == (1, 0)


def test_votes_on_one_target_leave_other_targets_alone(open_campaign, make_idea, staff):
    first, second = make_idea(open_campaign), make_idea(open_campaign)

    cast_vote(staff, first, SUPPORT)

    assert stored_tally(second) == {"support": 0, "dont_support": 0}


def test_a_vote_on_a_comment_is_separate_from_a_vote_on_an_idea_with_the_same_id(
    idea, make_comment, staff
):
    comment = make_comment(idea)
    cast_vote(staff, idea, SUPPORT)
    cast_vote(staff, comment, DONT_SUPPORT)

    assert Vote.objects.filter(voter=staff).count() == 2
    assert votes_by_voter(staff, Idea, [idea.pk]) == {idea.pk: 1}
    assert votes_by_voter(staff, Comment, [comment.pk]) == {comment.pk: -1}


@pytest.mark.parametrize("value", [2, -2, 5, None, "support"])
def test_a_vote_other_than_support_dont_support_or_take_back_is_refused(
    idea, staff, value
):
    with pytest.raises(ValueError):
        cast_vote(staff, idea, value)
    assert not Vote.objects.exists()
    assert not Tally.objects.exists()


def test_votes_by_voter_gives_only_that_persons_votes_on_the_asked_targets(
    open_campaign, make_idea, make_staff
):
    me, colleague = make_staff(), make_staff()
    a, b, c = (make_idea(open_campaign) for _ in range(3))
    cast_vote(me, a, SUPPORT)
    cast_vote(me, b, DONT_SUPPORT)
    cast_vote(me, c, SUPPORT)
    cast_vote(colleague, a, DONT_SUPPORT)

    assert votes_by_voter(me, Idea, [a.pk, b.pk]) == {a.pk: 1, b.pk: -1}
    assert votes_by_voter(colleague, Idea, [a.pk, b.pk, c.pk]) == {a.pk: -1}
    assert votes_by_voter(me, Idea, []) == {}


def test_votes_by_voter_is_empty_for_someone_not_signed_in(idea, staff):
    cast_vote(staff, idea, SUPPORT)

    assert votes_by_voter(AnonymousUser(), Idea, [idea.pk]) == {}


def test_votes_by_voter_runs_one_query(idea, staff, django_assert_num_queries):
    cast_vote(staff, idea, SUPPORT)
    ContentType.objects.get_for_model(
        Idea
    )  # the content type cache is warm in a server

    with django_assert_num_queries(1):
        votes_by_voter(staff, Idea, [idea.pk, idea.pk + 1, idea.pk + 2])


def test_a_second_vote_row_for_the_same_person_and_target_is_refused_by_the_database(
    idea, staff
):
    target_type = ContentType.objects.get_for_model(idea)
    Vote.objects.create(
        voter=staff, target_type=target_type, target_id=idea.pk, value=1
    )

    with pytest.raises(IntegrityError), transaction.atomic():
        Vote.objects.create(
            voter=staff, target_type=target_type, target_id=idea.pk, value=-1
        )

    assert Vote.objects.filter(voter=staff).count() == 1


def test_a_vote_row_with_a_value_other_than_plus_or_minus_one_is_refused_by_the_database(
    idea, staff
):
    target_type = ContentType.objects.get_for_model(idea)

    with pytest.raises(IntegrityError), transaction.atomic():
        Vote.objects.create(
            voter=staff, target_type=target_type, target_id=idea.pk, value=3
        )


def test_a_second_tally_row_for_the_same_target_is_refused_by_the_database(idea):
    target_type = ContentType.objects.get_for_model(idea)
    Tally.objects.create(target_type=target_type, target_id=idea.pk)

    with pytest.raises(IntegrityError), transaction.atomic():
        Tally.objects.create(target_type=target_type, target_id=idea.pk)
