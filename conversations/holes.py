"""Marks left in cached HTML where each request puts its own text, and filling them.

Cached cards and pages are rendered once for nobody in particular; a request puts in
what is its own (its CSRF token and address, the viewer's votes, the header naming
them). A mark is an HTML comment, which no user text can carry: titles are escaped and
bodies sanitised, which drops comments. Cached HTML is kept split at its marks, so a
request fills it with one join instead of a search through the whole text per mark,
and as UTF-8 bytes, so a response is never encoded again (encoding a page of text
with a few non-ASCII characters in it costs more than a database query).
"""

import re

from django.utils.safestring import SafeString, mark_safe

_MARK = re.compile(r"<!--sv:([a-z0-9_]+)-->")


def mark(name: str) -> SafeString:
    return mark_safe(f"<!--sv:{name}-->")


CSRF = mark("csrf")  # the request's CSRF token
NEXT = mark("next")  # the request's own address, escaped


def split(html: str) -> tuple:
    """Encoded text and mark names, alternately: text first and last."""
    parts = _MARK.split(html)
    parts[::2] = [text.encode() for text in parts[::2]]
    return tuple(parts)


def fill_into(out: list[bytes], parts: tuple, values: dict[str, bytes]) -> None:
    """Append ``parts`` to ``out`` with each mark replaced by its (encoded) value."""
    out.append(parts[0])
    for index in range(1, len(parts), 2):
        out.append(values[parts[index]])
        out.append(parts[index + 1])


def fill(parts: tuple, values: dict[str, bytes]) -> bytes:
    out: list[bytes] = []
    fill_into(out, parts, values)
    return b"".join(out)
