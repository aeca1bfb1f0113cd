"""Marks left in cached HTML where each request puts its own text, and filling them.

Cached cards and pages are rendered once for nobody in particular; a request puts in
what is its own (its CSRF token and address, the viewer's votes, the header naming
them). A mark is an HTML comment, which no user text can carry: titles are escaped and
bodies sanitised, which drops comments. Cached HTML is kept split at its marks, so a
request fills it with one join instead of a search through the whole text per mark.
"""

import re

from django.utils.safestring import SafeString, mark_safe

_MARK = re.compile(r"<!--sv:([a-z0-9_]+)-->")


def mark(name: str) -> SafeString:
    return mark_safe(f"<!--sv:{name}-->")


CSRF = mark("csrf")  # the request's CSRF token
NEXT = mark("next")  # the request's own address, escaped


def split(html: str) -> tuple[str, ...]:
    """Text and mark names, alternately: text first and last."""
    return tuple(_MARK.split(html))


def fill_into(out: list[str], parts: tuple[str, ...], values: dict[str, str]) -> None:
    """Append ``parts`` to ``out`` with each mark replaced by its value."""
    out.append(parts[0])
    for index in range(1, len(parts), 2):
        out.append(values[parts[index]])
        out.append(parts[index + 1])


def fill(parts: tuple[str, ...], values: dict[str, str]) -> str:
    """The text, filled: plain, not marked safe (which would copy it), for a
    response's body."""
    out: list[str] = []
    fill_into(out, parts, values)
    return "".join(out)
