"""Casting votes and reading tallies. The only code that writes Vote or Tally rows."""

from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.db.models import Count, F, OuterRef, Q, Subquery

from voting.models import Tally, Vote

TAKE_BACK = 0


@dataclass(frozen=True)
class VoteResult:
    target_id: int
    value: int  # the voter's vote now: 1, -1 or 0 (none)
    support: int
    dont_support: int
    changed: bool


def _counts_delta(previous: int, new: int) -> tuple[int, int]:
    support = (new == 1) - (previous == 1)
    dont_support = (new == -1) - (previous == -1)
    return support, dont_support


def cast_vote(voter, target: models.Model, value: int) -> VoteResult:
    """Record ``voter``'s vote on ``target``: 1 support, -1 don't support, 0 take back.

    Idempotent: the same vote twice changes nothing. The tally moves by the difference
    between the old and the new vote in the same transaction, with an UPDATE ... SET
    n = n + delta, so concurrent voters never lose each other's votes.
    """
    if value not in (1, -1, TAKE_BACK):
        raise ValueError("A vote is 1, -1 or 0")
    target_type = ContentType.objects.get_for_model(target)
    for attempt in range(3):
        try:
            return _cast_vote_once(voter, target_type, target.pk, value)
        except IntegrityError:
            # Two requests from the same person raced to insert the first vote;
            # the loser retries and now sees the winner's row.
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


@transaction.atomic
def _cast_vote_once(
    voter, target_type: ContentType, target_id: int, value: int
) -> VoteResult:
    # One person's votes are applied one at a time (several tabs, double taps): lock
    # their row first, since SELECT ... FOR UPDATE cannot lock a vote row not yet there.
    people = voter._meta.model._default_manager
    list(people.select_for_update().filter(pk=voter.pk).values_list("pk"))
    existing = (
        Vote.objects.select_for_update()
        .filter(voter=voter, target_type=target_type, target_id=target_id)
        .first()
    )
    previous = existing.value if existing else TAKE_BACK
    if previous != value:
        if existing is None:
            Vote.objects.create(
                voter=voter, target_type=target_type, target_id=target_id, value=value
            )
        elif value == TAKE_BACK:
            existing.delete()
        else:
            Vote.objects.filter(pk=existing.pk).update(value=value)
        d_support, d_dont = _counts_delta(previous, value)
        # Move the row by the delta; the first vote on a target makes it (a racing
        # first vote makes the create fail, and the retry in cast_vote moves it). The
        # tally row lock is taken last so it is held for as short a time as possible.
        tally = Tally.objects.filter(target_type=target_type, target_id=target_id)
        moved = tally.update(
            support=F("support") + d_support, dont_support=F("dont_support") + d_dont
        )
        if not moved:
            with transaction.atomic():
                Tally.objects.create(
                    target_type=target_type,
                    target_id=target_id,
                    support=d_support,
                    dont_support=d_dont,
                )
    counts = (
        Tally.objects.filter(target_type=target_type, target_id=target_id)
        .values_list("support", "dont_support")
        .first()
    )
    support, dont_support = counts or (0, 0)
    return VoteResult(
        target_id=target_id,
        value=value,
        support=support,
        dont_support=dont_support,
        changed=previous != value,
    )


def votes_by_voter(voter, model: type[models.Model], target_ids) -> dict[int, int]:
    """The voter's votes on the given targets of one model, as {target_id: value}, in one query."""
    if not getattr(voter, "is_authenticated", False):
        return {}
    ids = list(target_ids)
    if not ids:
        return {}
    return dict(
        Vote.objects.filter(
            voter=voter,
            target_type=ContentType.objects.get_for_model(model),
            target_id__in=ids,
        ).values_list("target_id", "value")
    )


def tallies_of(model: type[models.Model], target_ids) -> dict[int, tuple[int, int]]:
    """The tallies of the given targets of one model, as {target_id: (support,
    dont_support)}, in one query (a target nobody voted on has no row: (0, 0))."""
    ids = list(target_ids)
    if not ids:
        return {}
    rows = Tally.objects.filter(
        target_type=ContentType.objects.get_for_model(model), target_id__in=ids
    ).values_list("target_id", "support", "dont_support")
    return {target: (support, against) for target, support, against in rows}


def tallies_and_votes(
    voter, model: type[models.Model], target_ids
) -> tuple[dict[int, tuple[int, int]], dict[int, int]]:
    """:func:`tallies_of` and :func:`votes_by_voter` in one query: a vote always has
    its target's tally row (both are written in the vote's transaction), so the
    voter's vote is read beside each tally."""
    if not getattr(voter, "is_authenticated", False):
        return tallies_of(model, target_ids), {}
    ids = list(target_ids)
    if not ids:
        return {}, {}
    mine = Vote.objects.filter(
        voter=voter,
        target_type=OuterRef("target_type"),
        target_id=OuterRef("target_id"),
    ).values("value")[:1]
    rows = (
        Tally.objects.filter(
            target_type=ContentType.objects.get_for_model(model), target_id__in=ids
        )
        .annotate(mine=Subquery(mine))
        .values_list("target_id", "support", "dont_support", "mine")
    )
    tallies, votes = {}, {}
    for target, support, against, value in rows:
        tallies[target] = (support, against)
        if value:
            votes[target] = value
    return tallies, votes


def recount_tally(target: models.Model) -> Tally:
    """Rebuild a tally from its vote rows (repair tool; normal voting never needs it)."""
    target_type = ContentType.objects.get_for_model(target)
    counts = Vote.objects.filter(
        target_type=target_type, target_id=target.pk
    ).aggregate(
        support=Count("pk", filter=Q(value=1)),
        dont_support=Count("pk", filter=Q(value=-1)),
    )
    tally, _ = Tally.objects.update_or_create(
        target_type=target_type, target_id=target.pk, defaults=counts
    )
    return tally


@dataclass(frozen=True)
class MoveResult:
    moved: int  # votes now on the target
    dropped: int  # votes removed because their voter had already voted on the target
    source_before: tuple[int, int]  # (support, don't support) before the move
    target_before: tuple[int, int]


def _tally_pair(target_type: ContentType, target_id: int) -> tuple[int, int]:
    tally = Tally.objects.filter(target_type=target_type, target_id=target_id).first()
    return (tally.support, tally.dont_support) if tally else (0, 0)


@transaction.atomic
def move_votes(source: models.Model, target: models.Model) -> MoveResult:
    """Move every vote on ``source`` to ``target`` (merging duplicates), so that no
    person counts twice: where a voter already voted on the target, their target vote
    stands and their source vote goes. Both tallies are then rebuilt from the rows.
    """
    source_type = ContentType.objects.get_for_model(source)
    target_type = ContentType.objects.get_for_model(target)
    source_votes = Vote.objects.filter(target_type=source_type, target_id=source.pk)
    # Lock the voters first, as cast_vote does, so none of them can add a target vote
    # between the check below and the move (which would break the unique constraint).
    voter_ids = list(source_votes.values_list("voter_id", flat=True))
    user_model = Vote._meta.get_field("voter").related_model
    list(
        user_model._default_manager.select_for_update()
        .filter(pk__in=voter_ids)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    before = (
        _tally_pair(source_type, source.pk),
        _tally_pair(target_type, target.pk),
    )
    already = Vote.objects.filter(target_type=target_type, target_id=target.pk).values(
        "voter_id"
    )
    dropped, _ = source_votes.filter(voter_id__in=already).delete()
    moved = source_votes.update(target_type=target_type, target_id=target.pk)
    recount_tally(source)
    recount_tally(target)
    return MoveResult(
        moved=moved, dropped=dropped, source_before=before[0], target_before=before[1]
    )
