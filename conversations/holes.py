"""Marks left in cached HTML where each request puts its own text, and filling them.

Cached cards and pages are rendered once for nobody in particular; a request puts in
what is its own (its CSRF token and address, the viewer's votes, the header naming
them). A mark is an HTML comment, which no user text can carry: titles are escaped and
bodies sanitised, which drops comments. Cached HTML is kept split at its marks, so a
request fills it with one formatting instead of a search through the whole text per
mark, and as UTF-8 bytes, so a response is never encoded again (encoding a page of text
with a few non-ASCII characters in it costs more than a database query).
"""

import re

from django.utils.safestring import SafeString, mark_safe

_MARK = re.compile(r"<!--sv:([a-z0-9_]+)-->")


def mark(name: str) -> SafeString:
    return mark_safe(f"<!--sv:{name}-->")


CSRF = mark("csrf")  # the request's CSRF token
NEXT = mark("next")  # the request's own address, escaped


def split(html: str) -> tuple[bytes, tuple[str, ...]]:
    """The text as a ``%s`` format of UTF-8 bytes, and its marks' names in order."""
    parts = _MARK.split(html)
    texts = [text.encode().replace(b"%", b"%%") for text in parts[::2]]
    return b"%s".join(texts), tuple(parts[1::2])


def fill(template: tuple[bytes, tuple[str, ...]], values: dict[str, bytes]) -> bytes:
    """The text with each mark replaced by its (encoded) value: one formatting."""
    text, names = template
    return text % tuple([values[name] for name in names])
