"""Campaigns and boards, their themes, ideas and comments."""

from datetime import datetime

import pgtrigger
from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.safety.append_only import AppendOnlyQuerySet, DetachOnly
from voting.models import Tally


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SCHEDULED = "scheduled", _("Scheduled")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class CampaignQuerySet(models.QuerySet):
    """Status is derived from the times, so these filters are the single source of truth
    for lists; ``Campaign.status`` says the same thing about one campaign."""

    def open(self, now: datetime):
        return self.filter(is_published=True, opens_at__lte=now).filter(
            models.Q(closes_at__isnull=True) | models.Q(closes_at__gt=now)
        )

    def scheduled(self, now: datetime):
        return self.filter(is_published=True, opens_at__gt=now)

    def closed(self, now: datetime):
        return self.filter(is_published=True, closes_at__lte=now)

    def drafts(self):
        return self.filter(is_published=False)

    def listed(self):
        """What lists show: archived boards are kept but no longer listed."""
        return self.exclude(board_state=Campaign.BoardState.ARCHIVED)


class Campaign(models.Model):
    class Kind(models.TextChoices):
        CAMPAIGN = "campaign", _("Campaign")
        BOARD = "board", _("Your Shout board")

    class BoardState(models.TextChoices):
        ACTIVE = "active", _("Active")
        PAUSED = "paused", _("Paused: read-only")
        ARCHIVED = "archived", _("Archived: read-only and no longer listed")

    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.CAMPAIGN)
    title = models.CharField(max_length=160)
    slug = models.SlugField(max_length=180, unique=True)
    introduction = models.TextField(blank=True, help_text=_("Sanitised HTML."))
    is_published = models.BooleanField(
        default=False,
        help_text=_("Unpublished campaigns are drafts only managers can see."),
    )
    opens_at = models.DateTimeField()
    closes_at = models.DateTimeField(
        null=True, blank=True, help_text=_("Empty for a board, which never closes.")
    )
    allow_anonymous = models.BooleanField(default=False)
    pre_moderation = models.BooleanField(
        default=False,
        help_text=_("Hold every post for a moderator before anyone sees it."),
    )
    audience_teams = models.ManyToManyField(
        "accounts.Team",
        blank=True,
        related_name="campaigns",
        help_text=_("Empty means everyone in the organisation."),
    )
    team = models.ForeignKey(
        "accounts.Team",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="boards",
        help_text=_("The team whose Your Shout board this is (boards only)."),
    )
    board_state = models.CharField(
        max_length=10, choices=BoardState.choices, default=BoardState.ACTIVE
    )
    pinned_note = models.TextField(
        blank=True, help_text=_('Sanitised HTML: "what we changed this month".')
    )
    pinned_note_at = models.DateTimeField(null=True, blank=True)
    moderators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="moderated_campaigns",
        help_text=_("People who moderate this campaign only."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The number of the latest CampaignEvent; bumped in the transaction that records one,
    # so numbers follow commit order.
    last_event_seq = models.PositiveBigIntegerField(default=0)
    # What cached fragments of the campaign's pages are keyed by (conversations.versions):
    # ``version`` moves with every write its pages show but votes, ``vote_version``
    # with every vote; both in the write's own transaction.
    version = models.PositiveBigIntegerField(default=0)
    vote_version = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CampaignQuerySet.as_manager()

    class Meta:
        ordering = ["-opens_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_at__isnull=True)
                | models.Q(closes_at__gt=models.F("opens_at")),
                name="campaign_closes_after_it_opens",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("conversations:campaign", kwargs={"slug": self.slug})

    def status(self, now: datetime) -> str:
        if not self.is_published:
            return CampaignStatus.DRAFT
        if now < self.opens_at:
            return CampaignStatus.SCHEDULED
        if self.closes_at is None or now < self.closes_at:
            return CampaignStatus.OPEN
        return CampaignStatus.CLOSED

    def is_open(self, now: datetime) -> bool:
        """Taking ideas, comments and votes: open, and (a board) neither paused nor
        archived."""
        return (
            self.status(now) == CampaignStatus.OPEN
            and self.board_state == self.BoardState.ACTIVE
        )

    @property
    def is_board(self) -> bool:
        return self.kind == self.Kind.BOARD

    @property
    def cache_version(self) -> str:
        """Everything its pages show moves this, but votes: a save of the row itself
        (``updated_at``), a numbered event, or a version bump."""
        return (
            f"{self.pk}.{self.version}.{self.last_event_seq}."
            f"{self.updated_at.timestamp() if self.updated_at else 0}"
        )

    @property
    def tally_version(self) -> str:
        """:attr:`cache_version` and the votes: for figures and orders votes change."""
        return f"{self.cache_version}.{self.vote_version}"


class Theme(models.Model):
    """A topic inside a campaign ("Health and wellbeing")."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="themes"
    )
    name = models.CharField(max_length=120)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "name"], name="theme_name_unique_in_campaign"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def cache_version(self) -> str:
        """What a shared fragment shows of a theme."""
        return f"{self.pk}.{self.position}.{self.name}"


class Visibility(models.TextChoices):
    VISIBLE = "visible", _("Visible")
    HELD = "held", _("Held for a moderator")
    HIDDEN = "hidden", _("Hidden by a moderator")


class Post(models.Model):
    """What ideas and comments share: an author who may be anonymous, sanitised text,
    and a moderation visibility."""

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_anonymous = models.BooleanField(default=False)
    body = models.TextField(help_text=_("Sanitised HTML."))
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.VISIBLE
    )
    hold_reason = models.CharField(
        max_length=200,
        blank=True,
        help_text=_("Why it waits for a moderator; shown to the author."),
    )
    edited_by_moderator_at = models.DateTimeField(null=True, blank=True)
    # When the author last changed the text; shown as "Edited" next to the post.
    edited_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    tallies = GenericRelation(
        Tally, content_type_field="target_type", object_id_field="target_id"
    )

    class Meta:
        abstract = True

    def author_label_for(self, viewer) -> str:
        """The author as ``viewer`` may see it: anonymous posts are "a colleague" to all but
        their own author."""
        is_own = (
            viewer is not None
            and viewer.is_authenticated
            and viewer.pk == self.author_id
        )
        if self.is_anonymous:
            return (
                str(_("You (posted anonymously)")) if is_own else str(_("A colleague"))
            )
        if self.author_id is None:
            return str(_("A former colleague"))
        return str(_("You")) if is_own else self.author.public_name


class Idea(Post):
    class Status(models.TextChoices):
        NEW = "new", _("New")
        UNDER_CONSIDERATION = "under_consideration", _("Under consideration")
        ADOPTED = "adopted", _("Adopted")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        NOT_TAKEN_FORWARD = "not_taken_forward", _("Not taken forward")

    class Source(models.TextChoices):
        """Where an idea entered on behalf of staff was collected."""

        PAPER = "paper", _("Paper form")
        EVENT = "event", _("Event")
        FOCUS_GROUP = "focus_group", _("Focus group")

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="ideas"
    )
    theme = models.ForeignKey(Theme, on_delete=models.PROTECT, related_name="ideas")
    title = models.CharField(max_length=150)
    status = models.CharField(max_length=24, choices=Status.choices, default=Status.NEW)
    status_note = models.TextField(blank=True)
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="merged_ideas",
    )
    # Visible comments, kept by conversations.services in the comment's transaction so
    # "most discussed" can sort 10,000 ideas without counting comments each time.
    comment_count = models.PositiveIntegerField(default=0)
    comments_locked = models.BooleanField(default=False)
    # A board idea its lead put forward to the engagement managers, and the idea it
    # became in an organisation-wide campaign (``carried_into``).
    put_forward_at = models.DateTimeField(null=True, blank=True)
    put_forward_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    carried_from = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="carried_into",
    )
    # "What happened": written by the action report (reports app) through
    # services.record_outcome, so the idea page shows it without asking reports.
    outcome_note = models.CharField(max_length=300, blank=True)
    outcome_url = models.CharField(max_length=500, blank=True)
    # Entered by a moderator from a paper form, an event or a focus group
    # (services.on_behalf): always anonymous; the shared card says where it came from.
    source = models.CharField(max_length=12, choices=Source.choices, blank=True)
    collected_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # merged_into lets "most supported" (reports.figures) filter out merged
            # ideas from the index alone (SQLite, 10,000 ideas: 6 ms instead of 12).
            models.Index(
                fields=["campaign", "visibility", "-created_at", "merged_into"]
            ),
            models.Index(fields=["campaign", "visibility", "-comment_count"]),
        ]
        constraints = [
            # An idea entered on behalf of staff has no author to show, ever.
            models.CheckConstraint(
                condition=models.Q(source="")
                | models.Q(author__isnull=True, is_anonymous=True),
                name="idea_on_behalf_is_anonymous",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse(
            "conversations:idea", kwargs={"slug": self.campaign.slug, "pk": self.pk}
        )

    @property
    def carried_into_or_none(self) -> "Idea | None":
        """The campaign idea this board idea became, if it was carried forward."""
        try:
            return self.carried_into
        except Idea.DoesNotExist:
            return None


class Comment(Post):
    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="replies",
        help_text=_(
            "Replies are one level deep: a reply's parent is a top-level comment."
        ),
    )

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["idea", "visibility", "created_at"])]

    def __str__(self) -> str:
        return f"Comment {self.pk} on idea {self.idea_id}"

    def get_absolute_url(self) -> str:
        return self.idea.get_absolute_url() + f"#comment-{self.pk}"


class Participation(models.Model):
    """One row per person taking part in a campaign (posted, commented or voted), so
    "people taking part" is a count of rows rather than a union over three tables."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="participations"
    )
    staff_member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="participations",
    )
    first_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "staff_member"], name="one_participation_per_person"
            )
        ]

    def __str__(self) -> str:
        return f"{self.staff_member_id} in {self.campaign_id}"


class CampaignVisit(models.Model):
    """When a person was last on a campaign's page, so it can say what is new since
    their last visit (``conversations.visits``): one row per person and campaign,
    written at most once every few minutes, never on every page."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    staff_member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    # The latest page view, to within ``visits.SEEN_EVERY``.
    seen_at = models.DateTimeField()
    # Where the visit before this one ended: "new" counts from here. Empty on a
    # person's first visit.
    since = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["staff_member", "campaign"], name="one_visit_row_per_person"
            )
        ]

    def __str__(self) -> str:
        return f"{self.staff_member_id} saw {self.campaign_id} at {self.seen_at}"


class CampaignEvent(models.Model):
    """A numbered live event, kept so a viewer who reconnects can catch up on what it
    missed, from any worker process, after any restart."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="events"
    )
    seq = models.PositiveBigIntegerField()
    type = models.CharField(max_length=40)
    payload = models.JSONField(
        help_text=_("Exactly what every viewer of the campaign receives.")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["campaign", "seq"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "seq"], name="one_event_per_campaign_seq"
            )
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}#{self.seq} {self.type}"


class AuditEntry(models.Model):
    """An append-only record of a moderation action: who, when, why, and what it was.

    Append-only in the database itself on PostgreSQL: a trigger refuses every DELETE,
    and every UPDATE except detaching a removed post or person (its key set to NULL),
    which account erasure and a post's deletion need. The rows hold no personal data
    of their own: an actor is a key to an account, which erasure blanks.
    """

    class Action(models.TextChoices):
        HIDE = "hide", _("Hidden")
        KEEP_HIDDEN = "keep_hidden", _("Kept hidden after review")
        RESTORE = "restore", _("Restored")
        APPROVE = "approve", _("Approved")
        EDIT = "edit", _("Edited by a moderator")
        MERGE = "merge", _("Merged into another idea")
        LOCK = "lock", _("Comments locked")
        UNLOCK = "unlock", _("Comments unlocked")
        STATUS = "status", _("Status changed")
        FLAG_DISMISSED = "flag_dismissed", _("Report dismissed")
        REVEAL_REQUESTED = "reveal_requested", _("Identity reveal requested")
        REVEAL_APPROVED = "reveal_approved", _("Identity revealed")
        REVEAL_REFUSED = "reveal_refused", _("Identity reveal refused")
        BOARD_STATE = "board_state", _("Board paused, resumed or archived")
        PINNED_NOTE = "pinned_note", _("Pinned note changed")
        PUT_FORWARD = "put_forward", _("Put forward to engagement managers")
        CARRIED = "carried", _("Carried into a campaign")
        ON_BEHALF = "on_behalf", _("Entered on behalf of staff")

    class Reason(models.TextChoices):
        OFFENSIVE = "offensive", _("Offensive or abusive")
        PERSONAL_ATTACK = "personal_attack", _("A personal attack")
        IDENTIFIES = "identifies", _("Identifies a patient or colleague")
        SPAM = "spam", _("Spam or off topic")
        OTHER = "other", _("Other")

    campaign = models.ForeignKey(
        Campaign, on_delete=models.PROTECT, related_name="audit"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=20, choices=Action.choices)
    idea = models.ForeignKey(
        Idea, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    comment = models.ForeignKey(
        Comment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(max_length=20, choices=Reason.choices, blank=True)
    note = models.TextField(blank=True)
    prior_state = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = _("audit entries")
        triggers = [
            pgtrigger.Protect(name="audit_no_delete", operation=pgtrigger.Delete),
            pgtrigger.Protect(
                name="audit_only_detach",
                operation=pgtrigger.Update,
                condition=DetachOnly("actor_id", "idea_id", "comment_id"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} by {self.actor_id} at {self.created_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("Audit entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Audit entries are append-only")


class Flag(models.Model):
    """A staff member's report of an idea or a comment: one per person per post."""

    class Outcome(models.TextChoices):
        OPEN = "open", _("Waiting for a moderator")
        HIDDEN = "hidden", _("The post was hidden")
        EDITED = "edited", _("The post was edited")
        KEPT = "kept", _("The post was kept: it does not break the ground rules")

    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="flags"
    )
    idea = models.ForeignKey(
        Idea, null=True, blank=True, on_delete=models.CASCADE, related_name="flags"
    )
    comment = models.ForeignKey(
        Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="flags"
    )
    reason = models.CharField(max_length=20, choices=AuditEntry.Reason.choices)
    note = models.TextField(blank=True)
    outcome = models.CharField(
        max_length=10, choices=Outcome.choices, default=Outcome.OPEN
    )
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(idea__isnull=False, comment__isnull=True)
                | models.Q(idea__isnull=True, comment__isnull=False),
                name="flag_is_on_an_idea_or_a_comment",
            ),
            models.UniqueConstraint(
                fields=["reporter", "idea"],
                condition=models.Q(idea__isnull=False),
                name="one_flag_per_person_per_idea",
            ),
            models.UniqueConstraint(
                fields=["reporter", "comment"],
                condition=models.Q(comment__isnull=False),
                name="one_flag_per_person_per_comment",
            ),
        ]

    def __str__(self) -> str:
        return f"Flag {self.pk} ({self.reason})"


class ReviewRequest(models.Model):
    """An author asking moderators to look again at their hidden post."""

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    idea = models.ForeignKey(
        Idea,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="review_requests",
    )
    comment = models.ForeignKey(
        Comment,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="review_requests",
    )
    message = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Review request {self.pk}"


class RevealRequest(models.Model):
    """Break-glass: a request to reveal who wrote an anonymous post. Needs a second,
    different holder of the reveal permission to approve it; both are audited and the
    author is told."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for a second approver")
        APPROVED = "approved", _("Approved: identity revealed")
        REFUSED = "refused", _("Refused")

    # A removed post detaches its requests (the key is set to NULL); they are kept.
    idea = models.ForeignKey(
        Idea, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    comment = models.ForeignKey(
        Comment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField()
    state = models.CharField(
        max_length=10, choices=State.choices, default=State.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at", "-id"]
        # Written once and decided once: PostgreSQL refuses every DELETE, and every
        # UPDATE but the decision of a pending request (state, decider, time) and the
        # detaching of a removed post.
        triggers = [
            pgtrigger.Protect(name="reveal_no_delete", operation=pgtrigger.Delete),
            pgtrigger.Protect(
                name="reveal_decided_once",
                operation=pgtrigger.Update,
                condition=DetachOnly(
                    "idea_id",
                    "comment_id",
                    allowed=(
                        'OLD."state" = \'pending\' AND NEW."state" IN '
                        "('approved', 'refused') AND OLD.\"decided_by_id\" IS NULL "
                        'AND NEW."reason" = OLD."reason" '
                        'AND NEW."requested_by_id" = OLD."requested_by_id" '
                        'AND NEW."requested_at" = OLD."requested_at" '
                        'AND NEW."idea_id" IS NOT DISTINCT FROM OLD."idea_id" '
                        'AND NEW."comment_id" IS NOT DISTINCT FROM OLD."comment_id"'
                    ),
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"Reveal request {self.pk} ({self.state})"

    def save(self, *args, **kwargs):
        """The same rule as the trigger, where there is none (SQLite): once saved,
        only a pending request's decision may be written."""
        if self.pk is not None:
            before = (
                type(self)
                .objects.filter(pk=self.pk)
                .values("state", "reason", "requested_by_id", "decided_by_id")
                .first()
            )
            deciding = (
                before is not None
                and before["state"] == self.State.PENDING
                and before["decided_by_id"] is None
                and self.state != self.State.PENDING
                and before["reason"] == self.reason
                and before["requested_by_id"] == self.requested_by_id
            )
            if before is not None and not deciding:
                raise PermissionError("Reveal requests are decided once, never changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Reveal requests are never deleted")


class OnBehalfGroups(models.Model):
    """The profile groups a paper form or an event asked of the person whose idea was
    entered on their behalf: counted in the participation figures, never shown with
    the idea."""

    idea = models.OneToOneField(
        Idea, on_delete=models.CASCADE, related_name="on_behalf_groups"
    )
    directorate = models.ForeignKey(
        "accounts.Directorate",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    staff_group = models.ForeignKey(
        "accounts.StaffGroup",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    band = models.ForeignKey(
        "accounts.Band",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name_plural = _("groups of ideas entered on behalf of staff")

    def __str__(self) -> str:
        return f"Groups of idea {self.idea_id}"
