"""Marks left in cached HTML where each request puts its own text, and filling them.

Cached cards and pages are rendered once for nobody in particular; a request puts in
what is its own (its CSRF token and address, the viewer's votes, the header naming
them). A mark is an HTML comment, which no user text can carry: titles are escaped and
bodies sanitised, which drops comments. Cached HTML is kept split at its marks, so a
request fills it with one formatting instead of a search through the whole text per
mark (and what many requests share, such as a card's tallies, is filled once for all
of them), and as UTF-8 bytes, so a response is never encoded again (encoding a page
of text with a few non-ASCII characters in it costs more than a database query).
"""

import re

from django.utils.safestring import SafeString, mark_safe

_MARK = re.compile(r"<!--sv:([a-z0-9_]+)-->")


def mark(name: str) -> SafeString:
    return mark_safe(f"<!--sv:{name}-->")


CSRF = mark("csrf")  # the request's CSRF token
NEXT = mark("next")  # the request's own address, escaped


def split(html: str) -> tuple:
    """The text as pieces: UTF-8 text and marks' names, alternating, text first and
    last."""
    pieces = _MARK.split(html)
    pieces[::2] = [text.encode() for text in pieces[::2]]
    return tuple(pieces)


def template(pieces: tuple, known: dict[str, bytes] | None = None) -> bytes:
    """The pieces as one ``%(name)s`` format of bytes, with the marks in ``known``
    filled in already."""
    known = known or {}
    out = []
    for index, piece in enumerate(pieces):
        if index % 2 == 0:
            out.append(piece.replace(b"%", b"%%"))
        elif piece in known:
            out.append(known[piece].replace(b"%", b"%%"))
        else:
            out.append(b"%%(%s)s" % piece.encode())
    return b"".join(out)


def fill(text: bytes, values: dict[bytes, bytes]) -> bytes:
    """A :func:`template` with each of its marks replaced by its (encoded) value,
    keyed by the mark's encoded name: one formatting."""
    return text % values
