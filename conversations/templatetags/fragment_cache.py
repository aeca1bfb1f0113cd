"""``{% sharedcache name vary... %}…{% endsharedcache %}``: Django's ``{% cache %}``,
made safe for fragments with forms in them.

Rendering the site's layout (the header's links and about forty translated strings)
was most of a signed-in page's time. A fragment is rendered once for everyone who
shares its ``vary`` values and the interface language, with the CSRF token left as a
marker, and every request puts its own token back: a token is never shared. The key
holds every input named in ``vary``, so nothing needs dropping; entries expire after
``FRAGMENT_CACHE_SECONDS`` to bound the cache.
"""

from collections.abc import Callable

from django import template
from django.conf import settings
from django.core.cache.utils import make_template_fragment_key
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from conversations import content_cache
from conversations.holes import CSRF as CSRF_MARK
from notifications.services import unread_count

register = template.Library()


def _token(context) -> str:
    """This request's token: the context processor's, masked once per request (each
    masking draws random characters), or the request's own."""
    token = context.get("csrf_token")
    if token is None or token == CSRF_MARK:
        return get_token(context["request"])
    return str(token)


def cached_fragment(name: str, vary: list, render: Callable[[], str]) -> str:
    """The fragment ``name`` for ``vary`` and the interface language, rendered by
    ``render`` (with the CSRF token as ``holes.CSRF``) if not cached."""
    key = make_template_fragment_key(name, [get_language(), *vary])
    html = content_cache.get(key)
    if html is None:
        html = render()
        content_cache.set(key, html, settings.FRAGMENT_CACHE_SECONDS)
    return html


class SharedCacheNode(template.Node):
    def __init__(self, nodelist, name: str, vary_on: list) -> None:
        self.nodelist, self.name, self.vary_on = nodelist, name, vary_on

    def render(self, context) -> str:
        def render_nodes() -> str:
            with context.push(csrf_token=CSRF_MARK):
                return self.nodelist.render(context)

        vary = [value.resolve(context) for value in self.vary_on]
        html = cached_fragment(self.name, vary, render_nodes)
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
    return _header_key(
        context.get("request"),
        context.get("user"),
        context.get("unread_notifications") or 0,
    )


def _header_key(request, user, unread: int) -> str:
    from conversations.templatetags.reveal_tags import can_reveal

    if user is None or not user.is_authenticated:
        return "signed-out"
    links = (
        user.has_perm("accounts.manage_campaigns"),
        user.has_perm("accounts.moderate"),
        can_reveal({"request": request}),
    )
    return (
        f"{user.pk}|{user.public_name}|{unread}|{''.join(str(int(b)) for b in links)}"
    )


def header_html(request) -> str:
    """The site header for ``request`` (with ``holes.CSRF`` for its token), from the
    same cache as base.html's: for a page that is itself cached."""
    user = request.user
    unread = unread_count(user) if user.is_authenticated else 0
    return cached_fragment(
        "header",
        [_header_key(request, user, unread)],
        lambda: render_to_string(
            "includes/header.html", {"csrf_token": CSRF_MARK}, request=request
        ),
    )
