"""Staff members, their optional profile, teams and roles."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.utils.translation import gettext_lazy as _


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


class TeamMembership(models.Model):
    class Role(models.TextChoices):
        LEAD = "lead", _("Team lead")
        MEMBER = "member", _("Member")

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    staff_member = models.ForeignKey(
        "accounts.StaffMember", on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)

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
        return self.display_name or self.get_full_name() or self.email.split("@")[0]

    @property
    def is_engagement_manager(self) -> bool:
        return self.has_perm("accounts.manage_campaigns")

    @property
    def is_moderator(self) -> bool:
        return self.has_perm("accounts.moderate")
