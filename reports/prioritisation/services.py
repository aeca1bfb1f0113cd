"""Writes of a prioritisation round: set it up, and spread one person's points.

An allocation is one row per person and round (a unique constraint), replaced as a
whole in one transaction that holds that row's lock, so two requests of the same
person (two tabs, a double click) end with one of them, never a mixture, and the
total never passes the budget (checked here, and by the database).
"""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from conversations import rules as conversation_rules
from conversations.exceptions import Refused
from conversations.live import events
from conversations.models import Campaign, Idea, Participation, Visibility
from notifications.services import notify_many
from reports.models import OutcomeTheme
from reports.prioritisation import results, rules
from reports.prioritisation.models import (
    MAX_POINTS,
    Allocation,
    AllocationLine,
    Round,
    ShortlistItem,
)

MIN_SHORTLIST = 2
MAX_SHORTLIST = 20


def shortlist_choices(campaign: Campaign) -> tuple[list[Idea], list[OutcomeTheme]]:
    """What a round may shortlist: the campaign's visible ideas that were not merged
    (most supported first) and its outcome themes."""
    ideas = list(
        Idea.objects.filter(
            campaign=campaign,
            visibility=Visibility.VISIBLE,
            merged_into__isnull=True,
        ).order_by("-tallies__support", "title", "pk")[:200]
    )
    return ideas, list(OutcomeTheme.objects.filter(campaign=campaign))


@transaction.atomic
def save_round(
    user,
    campaign: Campaign,
    *,
    question: str,
    opens_at: datetime,
    closes_at: datetime,
    points: int,
    idea_ids: list[int],
    theme_ids: list[int],
) -> Round:
    """Add the campaign's round, or change it. Once anyone has spread points, the
    points per person and the shortlist stay as they are (their allocations were
    made against them); the question and the dates may still change."""
    if not rules.can_run(user, campaign):
        raise Refused(_("Only engagement managers can run a prioritisation round."))
    if closes_at <= opens_at:
        raise ValidationError(_("The round must close after it opens."))
    if not 1 <= points <= MAX_POINTS:
        raise ValidationError(
            _("Give each person between 1 and %(max)d points.") % {"max": MAX_POINTS}
        )
    ideas, themes = shortlist_choices(campaign)
    idea_by_id = {i.pk: i for i in ideas}
    theme_by_id = {t.pk: t for t in themes}
    chosen = [("idea", idea_by_id[i]) for i in idea_ids if i in idea_by_id] + [
        ("theme", theme_by_id[t]) for t in theme_ids if t in theme_by_id
    ]
    if not MIN_SHORTLIST <= len(chosen) <= MAX_SHORTLIST:
        raise ValidationError(
            _("Choose between %(min)d and %(max)d ideas or outcome themes.")
            % {"min": MIN_SHORTLIST, "max": MAX_SHORTLIST}
        )
    round_ = Round.objects.select_for_update().filter(
        campaign=campaign
    ).first() or Round(campaign=campaign, created_by=user)
    locked = round_.pk is not None and round_.allocations.exists()
    wanted = {(kind, thing.pk) for kind, thing in chosen}
    if locked:
        # What the form could offer: an idea hidden since is not on it.
        current = {
            ("idea", i) if i else ("theme", t)
            for i, t in round_.items.shown().values_list("idea_id", "outcome_theme_id")
        }
        if points != round_.points or wanted != current:
            raise ValidationError(
                _(
                    "People have already spread their points, so the points per "
                    "person and the shortlist can no longer change."
                )
            )
    created = round_.pk is None
    round_.question = question.strip()
    round_.opens_at = opens_at
    round_.closes_at = closes_at
    round_.points = points
    round_.save()
    if not locked:
        round_.items.all().delete()
        ShortlistItem.objects.bulk_create(
            ShortlistItem(
                round=round_,
                position=n,
                idea=thing if kind == "idea" else None,
                outcome_theme=thing if kind == "theme" else None,
            )
            for n, (kind, thing) in enumerate(chosen)
        )
    if created and round_.is_open(timezone.now()):
        _tell_participants(round_)
    return round_


def _tell_participants(round_: Round) -> None:
    """Everyone who took part in the campaign (and may still see it) hears that the
    round is open, as they hear that a campaign opens."""
    campaign = round_.campaign
    now = timezone.now()
    people = [
        p.staff_member
        for p in Participation.objects.filter(campaign=campaign).select_related(
            "staff_member"
        )
        if conversation_rules.can_view(p.staff_member, campaign, now)
    ]
    closes = timezone.localtime(round_.closes_at)
    notify_many(
        people,
        "campaign.opened",
        lambda: (
            _(
                "Spread your points: what should “%(campaign)s” lead to first? Open until %(date)s."
            )
            % {"campaign": campaign.title, "date": date_format(closes, "j F Y")}
        ),
        reverse("prioritisation:round", args=[campaign.slug]),
        dedupe_key=f"prioritisation.opened.{round_.pk}",
    )


def _refusal(user, round_: Round, now: datetime) -> Refused | None:
    if rules.can_take_part(user, round_, now):
        return None
    if now < round_.opens_at:
        return Refused(_("This prioritisation round has not opened yet."))
    if round_.has_closed(now):
        return Refused(
            _("This prioritisation round has closed, so points can no longer change.")
        )
    return Refused(
        _("This campaign is for particular teams, and you are not in one of them.")
    )


def check_points(round_: Round, points: dict[int, int]) -> dict[int, int]:
    """The points to keep (items with none left out), or a ValidationError that
    says what to fix."""
    item_ids = set(round_.items.shown().values_list("pk", flat=True))
    kept = {}
    for item_id, n in points.items():
        if item_id not in item_ids:
            raise ValidationError(_("Spread your points across the shortlist only."))
        if n < 0:
            raise ValidationError(_("Points cannot be below nought."))
        if n:
            kept[item_id] = n
    total = sum(kept.values())
    if total > round_.points:
        raise ValidationError(
            ngettext(
                "You have %(budget)d point to spread, and these add up to %(total)d.",
                "You have %(budget)d points to spread, and these add up to %(total)d.",
                round_.points,
            )
            % {"budget": round_.points, "total": total}
        )
    return kept


def allocate(
    user, round_: Round, points: dict[int, int], *, now: datetime | None = None
) -> Allocation | None:
    """Replace ``user``'s allocation in the round with ``points`` (item id ->
    points). All noughts take the person's points back out (returns None)."""
    now = now or timezone.now()
    refusal = _refusal(user, round_, now)
    if refusal is not None:
        raise refusal
    kept = check_points(round_, points)
    with transaction.atomic():
        # The row lock makes one person's writes take turns; creating the row is
        # raced safely by the unique constraint (get_or_create retries the read).
        allocation, _created = Allocation.objects.select_for_update().get_or_create(
            round=round_, staff_member=user, defaults={"budget": round_.points}
        )
        allocation.lines.all().delete()
        if not kept:
            allocation.delete()
            allocation = None
        else:
            AllocationLine.objects.bulk_create(
                AllocationLine(allocation=allocation, item_id=item_id, points=n)
                for item_id, n in sorted(kept.items())
            )
            allocation.total = sum(kept.values())
            allocation.budget = round_.points
            allocation.save(update_fields=["total", "budget", "updated_at"])
        transaction.on_commit(lambda: _publish(round_))
    return allocation


def _publish(round_: Round) -> None:
    """The running results, read after the write committed, to everyone watching the
    campaign (numbers only: every viewer of the campaign may see them)."""
    events.broadcast(round_.campaign_id, results.live_payload(round_))


def points_of(user, round_: Round) -> dict[int, int]:
    """The person's current points per item (empty if they have none)."""
    if not user.is_authenticated:
        return {}
    return dict(
        AllocationLine.objects.filter(
            allocation__round=round_, allocation__staff_member=user
        ).values_list("item_id", "points")
    )
