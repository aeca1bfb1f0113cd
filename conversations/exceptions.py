"""Refusals a person can be shown, each with a message that says what happened."""

from django.utils.translation import gettext_lazy as _


class Refused(Exception):
    """An action the person may not take now; ``message`` is shown to them."""

    status_code = 403
    message = _("You cannot do that here.")

    def __init__(self, message: str | None = None):
        if message is not None:
            self.message = message
        super().__init__(str(self.message))


class CampaignNotOpen(Refused):
    status_code = 403
    message = _(
        "This campaign is closed, so it is no longer taking new ideas, comments or votes."
    )


class NotInAudience(Refused):
    status_code = 403
    message = _(
        "This campaign is for particular teams, and you are not in one of them."
    )


class RateLimited(Refused):
    status_code = 429
    message = _(
        "You have posted a lot in a short time. Please wait a few minutes and try again."
    )
