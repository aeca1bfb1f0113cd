"""``{% reveal_link post %}``: for holders of the reveal permission, where the reveal
is switched on, a link to request that an anonymous post's author be revealed."""

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from conversations.models import Idea
from conversations.services import reveal

register = template.Library()


def _viewer_can_reveal(request) -> bool:
    user = getattr(request, "user", None)
    if user is None or not reveal.is_enabled():
        return False
    # One permission query per page, however many anonymous posts it shows.
    if not hasattr(request, "_is_reveal_holder"):
        request._is_reveal_holder = reveal.is_holder(user)
    return request._is_reveal_holder


@register.simple_tag(takes_context=True)
def can_reveal(context) -> bool:
    """``{% can_reveal as flag %}``: the reveal is on and the viewer holds it."""
    return _viewer_can_reveal(context.get("request"))


@register.simple_tag(takes_context=True)
def reveal_link(context, post) -> str:
    if not post.is_anonymous or not _viewer_can_reveal(context.get("request")):
        return ""
    kind = "idea" if isinstance(post, Idea) else "comment"
    return format_html(
        '<a class="nhsuk-body-s sv-reveal-link" href="{}">{}</a>',
        reverse("reveal:request", args=[kind, post.pk]),
        _("Request identity reveal (break-glass)"),
    )
