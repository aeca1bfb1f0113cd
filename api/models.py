"""Service-account tokens for the read API, and the record of every request made."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ApiToken(models.Model):
    """A service account's bearer token (a reporting tool, say). Only its SHA-256 is
    kept: the token itself is shown once, when an administrator creates it."""

    name = models.CharField(
        _("name"), max_length=120, help_text=_("What uses it, e.g. “Power BI”.")
    )
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    # The first characters, so an administrator can tell tokens apart.
    prefix = models.CharField(_("starts with"), max_length=12, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(
        _("last used"), null=True, blank=True, editable=False
    )
    revoked = models.BooleanField(
        _("revoked"), default=False, help_text=_("A revoked token is refused at once.")
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class ApiRequest(models.Model):
    """One request to the API: which token (none if refused before one was known),
    the path, the answer and when. Never a body or a query's values."""

    token = models.ForeignKey(
        ApiToken,
        null=True,
        on_delete=models.SET_NULL,
        related_name="requests",
        verbose_name=_("token"),
    )
    method = models.CharField(_("method"), max_length=8)
    path = models.CharField(_("path"), max_length=300)
    status = models.PositiveSmallIntegerField(_("status"))
    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("API request")
        verbose_name_plural = _("API requests")

    def __str__(self) -> str:
        return f"{self.method} {self.path} {self.status}"
