"""A prioritisation round: a campaign's second phase, where each member of staff
spreads a fixed number of points across a shortlist of ideas or outcome themes."""

from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from conversations.models import Campaign, Idea, Visibility
from reports.models import OutcomeTheme

DEFAULT_POINTS = 10
MAX_POINTS = 100


class Round(models.Model):
    """One round per campaign, with its own opening and closing times."""

    campaign = models.OneToOneField(
        Campaign, on_delete=models.CASCADE, related_name="prioritisation_round"
    )
    question = models.CharField(
        _("question"),
        max_length=200,
        help_text=_("What staff are asked, e.g. “Which of these should we do first?”"),
    )
    opens_at = models.DateTimeField(_("opens"))
    closes_at = models.DateTimeField(_("closes"))
    points = models.PositiveSmallIntegerField(
        _("points per person"), default=DEFAULT_POINTS
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=F("opens_at")),
                name="round_closes_after_opening",
            ),
            models.CheckConstraint(
                condition=Q(points__gte=1) & Q(points__lte=MAX_POINTS),
                name="round_points_in_range",
            ),
        ]

    def __str__(self) -> str:
        return self.question

    def is_open(self, now: datetime) -> bool:
        return self.opens_at <= now < self.closes_at

    def has_closed(self, now: datetime) -> bool:
        return now >= self.closes_at


class ShortlistQuerySet(models.QuerySet):
    def shown(self):
        """Items anyone may see: an idea hidden or held by a moderator after it was
        shortlisted leaves the form and the results (its points stay in the rows)."""
        return self.filter(
            Q(idea__isnull=True) | Q(idea__visibility=Visibility.VISIBLE)
        ).select_related("idea", "outcome_theme")


class ShortlistItem(models.Model):
    """One choice on the shortlist: an idea or an outcome theme, never both."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="items")
    idea = models.ForeignKey(
        Idea, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    outcome_theme = models.ForeignKey(
        OutcomeTheme, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    position = models.PositiveSmallIntegerField(default=0)

    objects = ShortlistQuerySet.as_manager()

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(idea__isnull=True, outcome_theme__isnull=False)
                | Q(idea__isnull=False, outcome_theme__isnull=True),
                name="shortlist_item_is_one_thing",
            ),
            models.UniqueConstraint(
                fields=["round", "idea"], name="shortlist_idea_once"
            ),
            models.UniqueConstraint(
                fields=["round", "outcome_theme"], name="shortlist_theme_once"
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return self.idea.title if self.idea_id else self.outcome_theme.name


class Allocation(models.Model):
    """One person's points in one round: one row per person, replaced as a whole.

    ``budget`` is the round's points when the allocation was made, so the database
    itself refuses a total above it."""

    round = models.ForeignKey(
        Round, on_delete=models.CASCADE, related_name="allocations"
    )
    staff_member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    budget = models.PositiveSmallIntegerField()
    total = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["round", "staff_member"], name="one_allocation_per_person"
            ),
            models.CheckConstraint(
                condition=Q(total__lte=F("budget")),
                name="allocation_within_budget",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.staff_member_id} in round {self.round_id}: {self.total}"


class AllocationLine(models.Model):
    """The points one allocation puts on one shortlist item (never nought)."""

    allocation = models.ForeignKey(
        Allocation, on_delete=models.CASCADE, related_name="lines"
    )
    item = models.ForeignKey(
        ShortlistItem, on_delete=models.CASCADE, related_name="lines"
    )
    points = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["allocation", "item"], name="one_line_per_item"
            ),
            models.CheckConstraint(condition=Q(points__gte=1), name="line_has_points"),
        ]

    def __str__(self) -> str:
        return f"{self.points} on {self.item_id}"
