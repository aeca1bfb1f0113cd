"""Staff members, their optional profile, teams and roles."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.safety.append_only import AppendOnlyQuerySet, protect


class StaffMemberManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("An email address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self._create_user(email, password, **extra)


class ProfileChoice(models.Model):
    """A directorate, staff group or band: the groups participation is counted by."""

    name = models.CharField(max_length=120, unique=True)
    headcount = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text=_("Staff in this group, for participation rates."),
    )

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Directorate(ProfileChoice):
    pass


class StaffGroup(ProfileChoice):
    pass


class Band(ProfileChoice):
    position = models.PositiveSmallIntegerField(default=0)

    class Meta(ProfileChoice.Meta):
        ordering = ["position", "name"]


class Team(models.Model):
    """A ward, locality or service."""

    name = models.CharField(max_length=160, unique=True)
    slug = models.SlugField(max_length=160, unique=True)
    members = models.ManyToManyField(
        "accounts.StaffMember", through="TeamMembership", related_name="teams"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def cache_version(self) -> str:
        """What a shared fragment shows of a team (its name)."""
        return f"{self.pk}.{self.name}"


class TeamMembership(models.Model):
    class Role(models.TextChoices):
        LEAD = "lead", _("Team lead")
        MEMBER = "member", _("Member")

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    staff_member = models.ForeignKey(
        "accounts.StaffMember", on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    # Set when the staff directory import made this membership, so the next import
    # may move or end it; memberships a lead added by hand are left alone.
    from_directory = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["team", "staff_member"], name="one_membership_per_team"
            )
        ]

    def __str__(self) -> str:
        return f"{self.staff_member} in {self.team} ({self.role})"


class StaffMember(AbstractUser):
    """A signed-in person. Email is the login; there is no username.

    The profile fields are optional and only ever used for aggregate figures. A blank
    answer means "prefer not to say"; ``profile_completed_at`` records that the
    questions were asked, so they are asked only once.
    """

    username = None
    email = models.EmailField(_("work email"), unique=True)
    display_name = models.CharField(
        _("name shown to colleagues"), max_length=150, blank=True
    )
    directorate = models.ForeignKey(
        Directorate, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    staff_group = models.ForeignKey(
        StaffGroup, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    band = models.ForeignKey(
        Band, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    profile_completed_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text=_("When the profile questions were answered or skipped."),
    )
    language = models.CharField(
        _("interface language"),
        max_length=10,
        blank=True,
        choices=settings.LANGUAGES,
        help_text=_(
            "The last language chosen with the switcher while signed in; applied "
            "when they sign in on any browser. Blank: not chosen yet."
        ),
    )

    # When this person first came in an imported staff directory: a later import
    # deactivates directory people who are no longer in the file, and nobody else.
    directory_seen_at = models.DateTimeField(null=True, blank=True)

    objects = StaffMemberManager()

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff members")
        permissions = [
            ("manage_campaigns", "Can create and run campaigns (engagement manager)"),
            ("moderate", "Can moderate posts in every campaign (moderator)"),
            ("reveal_identity", "Can request or approve a break-glass identity reveal"),
        ]

    def __str__(self) -> str:
        return self.public_name

    @property
    def public_name(self) -> str:
        """The name colleagues see on non-anonymous posts."""
        return self.name_from(
            self.display_name, self.first_name, self.last_name, self.email
        )

    @staticmethod
    def name_from(display_name: str, first: str, last: str, email: str) -> str:
        """:attr:`public_name` from a row's fields (exports read rows, not people)."""
        return (
            display_name
            or " ".join(part for part in (first, last) if part)
            or (email or "").split("@")[0]
        )

    def has_perm(self, perm: str, obj=None) -> bool:
        """Django's answer, remembered: a page asks about the same two roles a dozen
        times, and Django loads and asks every authentication backend each time."""
        if obj is not None:
            return super().has_perm(perm, obj)
        answers = self._role_answers()
        if perm not in answers:
            answers[perm] = super().has_perm(perm)
        return answers[perm]

    def _role_answers(self) -> dict[str, bool]:
        """Answers kept for as long as what they were read from: the same active and
        superuser flags, and the same permission set (``_perm_cache``, which Django
        keeps on the instance; a fresh instance, or dropping it, starts again)."""
        source = (self.is_active, self.is_superuser, self.__dict__.get("_perm_cache"))
        kept = self.__dict__.get("_role_answers_kept")
        if kept is None or kept[0][:2] != source[:2] or kept[0][2] is not source[2]:
            kept = self._role_answers_kept = (source, {})
        return kept[1]

    @property
    def is_engagement_manager(self) -> bool:
        return self.has_perm("accounts.manage_campaigns")

    @property
    def is_moderator(self) -> bool:
        return self.has_perm("accounts.moderate")


class JoinRequest(models.Model):
    """A colleague asking to join a team; one of the team's leads approves or declines."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for a team lead")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")

    team = models.ForeignKey(
        Team, on_delete=models.CASCADE, related_name="join_requests"
    )
    staff_member = models.ForeignKey(
        StaffMember, on_delete=models.CASCADE, related_name="join_requests"
    )
    state = models.CharField(
        max_length=10, choices=State.choices, default=State.PENDING
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        StaffMember, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "staff_member"],
                condition=models.Q(state="pending"),
                name="one_pending_join_request_per_team",
            )
        ]

    def __str__(self) -> str:
        return f"{self.staff_member_id} asks to join {self.team_id} ({self.state})"


class DirectoryMapping(models.Model):
    """Which column of the HR export holds which field: mapped once, remembered.

    There is one row (the organisation's); ``columns`` maps a field name
    (``email``, ``name``, ``directorate``, ``staff_group``, ``band``, ``team``) to the
    heading it has in the file.
    """

    columns = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        StaffMember, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return "Staff directory column mapping"


class DirectoryUpload(models.Model):
    """An uploaded staff directory file, kept between its preview and its import."""

    uploaded_by = models.ForeignKey(
        StaffMember, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    filename = models.CharField(max_length=255, blank=True)
    content = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    imported_at = models.DateTimeField(null=True, blank=True)
    summary = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Directory upload {self.pk} ({self.filename})"


class PrivilegeChange(models.Model):
    """Someone was given, or lost, a privilege that can reach an anonymous author: the
    break-glass reveal permission ("reveal"), or the power to give it ("grant":
    superuser, or staff who may change people or roles). Append-only: the record of
    who held what since when, which the reveal's holding period reads
    (``accounts.safety.privileges``)."""

    class Privilege(models.TextChoices):
        REVEAL = "reveal", _("The break-glass reveal permission")
        GRANT = "grant", _("The power to give people permissions")

    class Change(models.TextChoices):
        GRANTED = "granted", _("Given")
        REMOVED = "removed", _("Taken away")

    person = models.ForeignKey(
        StaffMember, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    privilege = models.CharField(max_length=10, choices=Privilege.choices)
    change = models.CharField(max_length=10, choices=Change.choices)
    at = models.DateTimeField(default=timezone.now)
    # Who made the change, when it was made in the admin; None from code or a command.
    by = models.ForeignKey(
        StaffMember, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["person", "privilege", "at"])]
        triggers = protect("privilege", "person_id", "by_id")

    def __str__(self) -> str:
        return (
            f"{self.privilege} {self.change} for {self.person_id} at {self.at:%Y-%m-%d}"
        )

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("Privilege changes are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Privilege changes are append-only")
