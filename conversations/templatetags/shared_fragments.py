"""Template tags for HTML shared between people (``conversations.fragments``).

``{% sharedcache "name" key=value ... %}…{% endsharedcache %}`` renders its body once
for everyone who shares the named values and the interface language, from a context
holding those values only: the page's ``user``, ``request``, ``perms`` and
``csrf_token`` are simply not there. ``{% slot "name" %}`` inside it is filled on
every request with the page's own variable of that name (escaped), outside the
shared entry: ``{% slot "csrf_token" %}``.

``{% site_header %}`` is the layout's header, shared by everyone with the same menu,
with the viewer's name, unread count and token put in per request.
"""

from django import template
from django.conf import settings
from django.middleware.csrf import get_token
from django.template.base import token_kwargs

from conversations import fragments
from conversations.services import reveal

register = template.Library()


@register.simple_tag
def slot(name: str):
    return fragments.slot_mark(name)


class SharedCacheNode(template.Node):
    def __init__(self, nodelist, name: str, values: dict) -> None:
        self.nodelist, self.name, self.values = nodelist, name, values

    def render(self, context) -> str:
        values = {name: value.resolve(context) for name, value in self.values.items()}

        def make(values: dict) -> fragments.Fragment:
            alone = template.Context(
                values,
                autoescape=context.autoescape,
                use_l10n=context.use_l10n,
                use_tz=context.use_tz,
            )
            with alone.bind_template(context.template):
                return fragments.Fragment(self.nodelist.render(alone))

        fragment = fragments.shared(f"block:{self.name}", values, make)
        return fragment.fill(**{name: context[name] for name in fragment.slots})


@register.tag
def sharedcache(parser, token):
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError(f"{bits[0]} needs a fragment name")
    name = bits[1].strip("\"'")
    remaining = bits[2:]
    values = token_kwargs(remaining, parser, support_legacy=False)
    if remaining:
        raise template.TemplateSyntaxError(
            f"{bits[0]} takes name=value pairs only: what the fragment shows"
        )
    nodelist = parser.parse(("endsharedcache",))
    parser.delete_first_token()
    return SharedCacheNode(nodelist, name, values)


def _menu(user) -> dict:
    """What the header shows that differs between people, but no person."""
    if not user.is_authenticated:
        return {"signed_in": False}
    return {
        "signed_in": True,
        "can_create": user.has_perm("accounts.manage_campaigns"),
        "can_moderate": user.has_perm("accounts.moderate"),
        "can_reveal": reveal.is_enabled() and reveal.is_holder(user),
    }


@register.simple_tag(takes_context=True)
def site_header(context) -> str:
    request = context["request"]
    user = request.user
    values = {
        **_menu(user),
        "ORGANISATION_NAME": settings.ORGANISATION_NAME,
        "ORGANISATION_LOGO_URL": settings.ORGANISATION_LOGO_URL,
    }
    fragment = fragments.shared_template("includes/header.html", values)
    if not user.is_authenticated:
        return fragment.fill()
    unread = context.get("unread_notifications") or 0
    return fragment.fill(
        name=user.public_name,
        unread=unread,
        unread_hidden="" if unread else " hidden",
        csrf_token=get_token(request),
    )
