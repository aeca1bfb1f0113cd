"""``{% sharedcache name vary... %}…{% endsharedcache %}``: Django's ``{% cache %}``,
made safe for fragments with forms in them.

Rendering the site's layout (the header's links and about forty translated strings)
was most of a signed-in page's time. A fragment is rendered once for everyone who
shares its ``vary`` values and the interface language, with the CSRF token left as a
marker, and every request puts its own token back: a token is never shared. The key
holds every input named in ``vary``, so nothing needs dropping; entries expire after
``FRAGMENT_CACHE_SECONDS`` to bound the cache.
"""

from django import template
from django.conf import settings
from django.core.cache.utils import make_template_fragment_key
from django.middleware.csrf import get_token
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from conversations import content_cache
from conversations.idea_cards import CSRF_MARK

register = template.Library()


def _token(context) -> str:
    """This request's token: the context processor's, masked once per request (each
    masking draws random characters), or the request's own."""
    token = context.get("csrf_token")
    if token is None or token == CSRF_MARK:
        return get_token(context["request"])
    return str(token)


class SharedCacheNode(template.Node):
    def __init__(self, nodelist, name: str, vary_on: list) -> None:
        self.nodelist, self.name, self.vary_on = nodelist, name, vary_on

    def render(self, context) -> str:
        vary = [get_language(), *(value.resolve(context) for value in self.vary_on)]
        key = make_template_fragment_key(self.name, vary)
        html = content_cache.get(key)
        if html is None:
            with context.push(csrf_token=CSRF_MARK):
                html = self.nodelist.render(context)
            content_cache.set(key, html, settings.FRAGMENT_CACHE_SECONDS)
        if CSRF_MARK in html:
            html = html.replace(CSRF_MARK, _token(context))
        return mark_safe(html)  # noqa: S308 - rendered by the template itself


@register.tag
def sharedcache(parser, token):
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError(f"{bits[0]} needs a fragment name")
    nodelist = parser.parse(("endsharedcache",))
    parser.delete_first_token()
    return SharedCacheNode(
        nodelist, bits[1].strip("\"'"), [parser.compile_filter(b) for b in bits[2:]]
    )


@register.simple_tag(takes_context=True)
def header_key(context) -> str:
    """Everything the site header shows that differs between people: who is signed
    in, by what name, their unread count and the menu links their roles give."""
    from conversations.templatetags.reveal_tags import can_reveal

    user = context.get("user")
    if user is None or not user.is_authenticated:
        return "signed-out"
    links = (
        user.has_perm("accounts.manage_campaigns"),
        user.has_perm("accounts.moderate"),
        can_reveal(context),
    )
    unread = context.get("unread_notifications") or 0
    return (
        f"{user.pk}|{user.public_name}|{unread}|{''.join(str(int(b)) for b in links)}"
    )
