from datetime import datetime

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

register = template.Library()


@register.simple_tag(takes_context=True)
def author_label(context, post) -> str:
    """The author as the viewer may see it (anonymous posts stay "a colleague")."""
    return post.author_label_for(context["request"].user)


@register.simple_tag
def time_left(closes_at: datetime | None, now: datetime) -> str:
    if closes_at is None:
        return _("No closing date")
    remaining = closes_at - now
    if remaining.total_seconds() <= 0:
        return _("Closed")
    days, hours = remaining.days, remaining.seconds // 3600
    if days >= 2:
        return ngettext("%(n)d day left", "%(n)d days left", days) % {"n": days}
    hours += days * 24
    if hours >= 1:
        return ngettext("%(n)d hour left", "%(n)d hours left", hours) % {"n": hours}
    minutes = max(1, remaining.seconds // 60)
    return ngettext("%(n)d minute left", "%(n)d minutes left", minutes) % {"n": minutes}


@register.inclusion_tag("conversations/includes/vote_buttons.html", takes_context=True)
def vote_buttons(context, campaign, kind: str, post) -> dict:
    return {
        "campaign": campaign,
        "kind": kind,
        "post": post,
        "can_take_part": context.get("can_take_part", False),
        "next": context["request"].get_full_path(),
        "csrf_token": context.get("csrf_token"),
    }
