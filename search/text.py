"""Turning what a person typed into search terms, and marked-up matches into safe
HTML. Shared by both databases' backends (``search.sqlite``, ``search.postgres``).

Terms are runs of letters and digits only, so nothing a person types can reach a
database's query syntax. Matches come back from the database wrapped in two control
characters (:data:`START`, :data:`STOP`); :func:`marked` strips the post's markup,
escapes every character of its text, and only then turns matched pairs into
``<mark>``: no text of a post ever reaches the page unescaped.
"""

import html
import re

from django.utils.html import escape, strip_tags
from django.utils.safestring import SafeString, mark_safe

START, STOP = "\x01", "\x02"
MAX_TERMS = 12
_WORD = re.compile(r"[^\W_]+")
_PAIR = re.compile(f"{START}([^{START}{STOP}]*){STOP}")
_SPACES = re.compile(r"\s+")

# Words too common to say anything about an idea; left out of "similar ideas" (a
# search for them, all together, still finds what has them all).
STOP_WORDS = frozenset(
    """a about all also an and any are as at be been but by can could do does for
    from get had has have how i if in into is it its more most my no not of on or
    our out should so some than that the their them there these they this to up us
    was we were what when where which who why will with would you your ar yn y yr
    a i o ac am ei eu fy mae ni nid ond os sy wedi""".split()
)


def terms(text: str) -> list[str]:
    """The distinct words of ``text``, in order, lower-cased, at most ``MAX_TERMS``."""
    seen: dict[str, None] = {}
    for word in _WORD.findall(text.lower()):
        seen.setdefault(word, None)
    return list(seen)[:MAX_TERMS]


def content_terms(text: str) -> list[str]:
    """:func:`terms` without the common words."""
    return [t for t in terms(text) if t not in STOP_WORDS and len(t) > 1]


def plain(markup: str) -> str:
    """A post's sanitised HTML as the text a reader sees, one line."""
    return _SPACES.sub(" ", html.unescape(strip_tags(markup))).strip()


def marked(text: str, *, around: int | None = None) -> SafeString:
    """``text`` (a post's HTML, perhaps with matches between START and STOP) as safe
    HTML with ``<mark>`` round the matches; with ``around``, cut to about that many
    characters either side of the first match."""
    text = plain(text)
    if around is not None:
        text = _cut(text, around)
    safe = _PAIR.sub(r"<mark>\1</mark>", escape(text))
    return mark_safe(safe.replace(START, "").replace(STOP, ""))


def _cut(text: str, around: int) -> str:
    first = text.find(START)
    if first < 0:
        first = 0
    begin = max(0, first - around)
    end = min(len(text), first + around * 2)
    if begin > 0:
        space = text.find(" ", begin)
        begin = space + 1 if 0 <= space < first else begin
    if end < len(text):
        space = text.rfind(" ", first, end)
        end = space if space > first else end
    # Never cut between a START and its STOP.
    piece = text[begin:end]
    if piece.count(START) > piece.count(STOP):
        piece += STOP
    return ("… " if begin else "") + piece + (" …" if end < len(text) else "")
