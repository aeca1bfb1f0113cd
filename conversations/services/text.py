"""What a post's text may be: the length limits and the one cleaning every write of a
title, body or comment goes through (posting, a person's own edits, a moderator's)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from conversations.sanitise import sanitise

TITLE_MAX = 150
BODY_MAX = 5000
COMMENT_MAX = 3000


def clean_text(value: str, *, label: str, max_length: int, allow_markup: bool) -> str:
    cleaned = sanitise(value, allow_markup=allow_markup)
    if not cleaned:
        raise ValidationError(_("Enter %(label)s.") % {"label": label})
    if len(cleaned) > max_length:
        raise ValidationError(
            _("%(label)s must be %(max)d characters or fewer.")
            % {"label": label.capitalize(), "max": max_length}
        )
    return cleaned
