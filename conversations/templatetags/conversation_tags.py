from datetime import datetime

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from conversations.fragments import slot_mark

register = template.Library()


@register.simple_tag(takes_context=True)
def author_label(context, post) -> str:
    """The author as the viewer may see it (anonymous posts stay "a colleague"); as
    everyone else sees it where there is no viewer (a shared fragment)."""
    request = context.get("request")
    return post.author_label_for(getattr(request, "user", None))


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


# A vote form's parts that are each viewer's own: in a shared fragment, slots. The
# tallies and pressed state are named after their post (one fragment may hold several
# vote forms: a comment and its replies); the token and address are the page's.
VOTE_VALUES = (
    "support",
    "against",
    "up_value",
    "up_pressed",
    "down_value",
    "down_pressed",
)


def vote_values(support: int, against: int, my_vote: int) -> dict:
    """What a vote form shows that is the viewer's, but the token and address."""
    return {
        "support": support,
        "against": against,
        "up_value": "clear" if my_vote == 1 else "support",
        "up_pressed": "true" if my_vote == 1 else "false",
        "down_value": "clear" if my_vote == -1 else "dont_support",
        "down_pressed": "true" if my_vote == -1 else "false",
    }


def _slot_name(name: str, kind: str, pk: int) -> str:
    return f"{name}_{kind}_{pk}"


def vote_slot_values(kind: str, pk: int, support: int, against: int, my_vote: int):
    """What fills the vote slots of ``kind`` ``pk`` in a shared fragment."""
    return {
        _slot_name(name, kind, pk): value
        for name, value in vote_values(support, against, my_vote).items()
    }


@register.inclusion_tag("conversations/includes/vote_buttons.html", takes_context=True)
def vote_buttons(context, campaign, kind: str, post) -> dict:
    """The vote form of ``post``; with ``vote_slots`` in the context (a shared card),
    its tallies, pressed state, token and address are left as slots."""
    shown = {
        "campaign": campaign,
        "kind": kind,
        "post": post,
        "can_take_part": context.get("can_take_part", False),
    }
    if context.get("vote_slots"):
        return {
            **shown,
            **{
                name: slot_mark(_slot_name(name, kind, post.pk)) for name in VOTE_VALUES
            },
            "csrf_token": slot_mark("csrf_token"),
            "next": slot_mark("next"),
        }
    request = context.get("request")
    return {
        **shown,
        **vote_values(
            getattr(post, "support", 0),
            getattr(post, "dont_support", 0),
            getattr(post, "my_vote", 0),
        ),
        "next": request.get_full_path() if request is not None else "",
        "csrf_token": context.get("csrf_token"),
    }
