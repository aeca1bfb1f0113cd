"""Synthesis (suggested groups, outcome themes) and action reports with their actions."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from conversations.models import Campaign, Idea


class SynthesisRun(models.Model):
    """One background computation of suggested groups for a campaign's ideas."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Waiting to start")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="synthesis_runs"
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0, help_text=_("Per cent."))
    stage = models.CharField(max_length=120, blank=True)
    idea_count = models.PositiveIntegerField(default=0)
    seconds = models.FloatField(null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Synthesis {self.pk} of {self.campaign_id} ({self.state})"

    @property
    def is_active(self) -> bool:
        return self.state in (self.State.QUEUED, self.State.RUNNING)


class SuggestedGroup(models.Model):
    """A group of similar ideas the computer suggests: only a suggestion until a person
    accepts it as an outcome theme."""

    run = models.ForeignKey(
        SynthesisRun, on_delete=models.CASCADE, related_name="suggestions"
    )
    position = models.PositiveSmallIntegerField(default=0)
    label = models.CharField(max_length=160)
    key_phrases = models.JSONField(default=list)
    idea_ids = models.JSONField(default=list)
    quote_idea_ids = models.JSONField(
        default=list, help_text=_("Ideas nearest the group's centre, best first.")
    )
    accepted_as = models.ForeignKey(
        "OutcomeTheme",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["run", "position"]

    def __str__(self) -> str:
        return self.label


class OutcomeTheme(models.Model):
    """A named group of ideas made during synthesis ("Recognition")."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="outcome_themes"
    )
    name = models.CharField(max_length=120)
    summary = models.TextField(blank=True, help_text=_("What staff said, in brief."))
    key_phrases = models.JSONField(default=list)
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name


class OutcomeThemeIdea(models.Model):
    """An idea's place in an outcome theme: one theme per idea."""

    theme = models.ForeignKey(
        OutcomeTheme, on_delete=models.CASCADE, related_name="links"
    )
    idea = models.OneToOneField(
        Idea, on_delete=models.CASCADE, related_name="outcome_link"
    )

    class Meta:
        ordering = ["theme", "idea"]

    def __str__(self) -> str:
        return f"{self.idea_id} in {self.theme_id}"


class ActionReport(models.Model):
    """The published outcome of a campaign: "you said, we did"."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    campaign = models.OneToOneField(
        Campaign, on_delete=models.CASCADE, related_name="action_report"
    )
    title = models.CharField(max_length=160)
    summary = models.TextField(blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.DRAFT)
    # The participation figures as they were at publication, so the report keeps
    # saying what it said even if posts are hidden or people leave later.
    figures = models.JSONField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-published_at", "-id"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("reports:report", kwargs={"slug": self.campaign.slug})

    @property
    def is_published(self) -> bool:
        return self.state == self.State.PUBLISHED


class Action(models.Model):
    """A commitment in a report: who, by when, how far along, and which ideas it answers."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")

    report = models.ForeignKey(
        ActionReport, on_delete=models.CASCADE, related_name="actions"
    )
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    owner = models.CharField(max_length=160, help_text=_("A person or a team."))
    due_date = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=12, choices=Status.choices, default=Status.PLANNED
    )
    theme = models.ForeignKey(
        OutcomeTheme,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="actions",
    )
    ideas = models.ManyToManyField(Idea, blank=True, related_name="actions")
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return self.report.get_absolute_url() + f"#action-{self.pk}"


class ActionUpdate(models.Model):
    """A status change of an action after its report was published, kept with its date
    so the report stays a living "you said, we did" page."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="updates")
    status = models.CharField(max_length=12, choices=Action.Status.choices)
    note = models.TextField(blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["changed_at", "id"]

    def __str__(self) -> str:
        return f"{self.action_id} -> {self.status}"
