from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrioritisationConfig(AppConfig):
    """A campaign's second phase, where staff spread points across a shortlist.

    A sub-package of reports: its shortlist holds ideas or outcome themes, and its
    results go into the action report."""

    name = "reports.prioritisation"
    label = "prioritisation"
    verbose_name = _("Prioritisation rounds")
