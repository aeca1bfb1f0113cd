"""Votes on any target, and a tally per target kept equal to its votes.

Generic on purpose (like a ratings app): voting knows nothing of ideas or comments,
so conversations can depend on it without a loop.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class Vote(models.Model):
    class Value(models.IntegerChoices):
        SUPPORT = 1, _("Support")
        DONT_SUPPORT = -1, _("Don't support")

    voter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="votes"
    )
    target_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, related_name="+"
    )
    target_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("target_type", "target_id")
    value = models.SmallIntegerField(choices=Value.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["voter", "target_type", "target_id"],
                name="one_vote_per_person_and_target",
            ),
            models.CheckConstraint(
                condition=models.Q(value__in=[1, -1]), name="vote_is_plus_or_minus_one"
            ),
        ]
        # created_at makes the index cover the day-by-day counts of a campaign's
        # votes (reports.figures), which then never read the table.
        indexes = [models.Index(fields=["target_type", "target_id", "created_at"])]

    def __str__(self) -> str:
        return (
            f"{self.voter_id} {self.value:+d} on {self.target_type_id}:{self.target_id}"
        )


class Tally(models.Model):
    """Counts for one target. Only ``voting.services`` writes it, in the vote's transaction."""

    target_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, related_name="+"
    )
    target_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("target_type", "target_id")
    support = models.PositiveIntegerField(default=0)
    dont_support = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name_plural = "tallies"
        constraints = [
            models.UniqueConstraint(
                fields=["target_type", "target_id"], name="one_tally_per_target"
            )
        ]

    def __str__(self) -> str:
        return f"{self.target_type_id}:{self.target_id} +{self.support} -{self.dont_support}"

    @property
    def total(self) -> int:
        return self.support + self.dont_support
