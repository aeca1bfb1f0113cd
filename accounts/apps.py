from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Staff and teams")

    def ready(self) -> None:
        from django.contrib.auth import signals

        from accounts import backends, checks, security_log  # noqa: F401
        from accounts.safety import privileges, sessions

        backends.connect()
        privileges.connect()  # every grant of the reveal permission is recorded

        # dispatch_uid: connected once even if ready() runs twice (tests, reloads).
        signals.user_logged_in.connect(
            security_log.on_logged_in, dispatch_uid="security-log-in"
        )
        signals.user_logged_in.connect(
            sessions.on_signed_in, dispatch_uid="idle-timeout-sign-in"
        )
        signals.user_login_failed.connect(
            security_log.on_login_failed, dispatch_uid="security-log-failed"
        )
        signals.user_logged_out.connect(
            security_log.on_logged_out, dispatch_uid="security-log-out"
        )


class StaffAdminConfig(admin_apps.AdminConfig):
    """The admin, on a site that closes every admin path to an anonymous author
    (``accounts.safety.admin_site``). Listed in INSTALLED_APPS instead of
    ``django.contrib.admin``."""

    default = False
    default_site = "accounts.safety.admin_site.StaffAdminSite"
