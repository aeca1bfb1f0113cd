"""The one place user text is cleaned, at write time, before it is stored.

Everything a person types (titles, bodies, comments, campaign introductions) goes
through :func:`sanitise`. Bodies keep a small allow-list of inline markup and get
their links made safe; titles keep no markup at all.
"""

import html
import threading

import bleach
from bleach.linkifier import DEFAULT_CALLBACKS

ALLOWED_TAGS = frozenset(
    {"a", "b", "strong", "i", "em", "ul", "ol", "li", "p", "br", "blockquote"}
)
ALLOWED_ATTRIBUTES = {"a": ["href", "title", "rel"]}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})


def _safe_rel(attrs: dict, new: bool = False) -> dict:
    attrs[(None, "rel")] = "nofollow noopener noreferrer"
    return attrs


# bleach's Cleaner is not thread-safe and views run in threads: one per thread.
_local = threading.local()


def _cleaner(allow_markup: bool) -> bleach.Cleaner:
    cleaners = getattr(_local, "cleaners", None)
    if cleaners is None:
        cleaners = _local.cleaners = {}
    if allow_markup not in cleaners:
        cleaners[allow_markup] = _build_cleaner(allow_markup)
    return cleaners[allow_markup]


def _build_cleaner(allow_markup: bool) -> bleach.Cleaner:
    if not allow_markup:
        return bleach.Cleaner(tags=set(), attributes={}, strip=True)
    return bleach.Cleaner(
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        protocols=ALLOWED_PROTOCOLS,
        strip=True,
        filters=[
            lambda source: bleach.linkifier.LinkifyFilter(
                source, callbacks=[*DEFAULT_CALLBACKS, _safe_rel], skip_tags={"pre"}
            )
        ],
    )


def sanitise(text: str, *, allow_markup: bool = True) -> str:
    """Clean user text.

    With ``allow_markup`` the result is safe HTML (to render with ``|safe``): tags
    outside the allow-list are stripped, ``javascript:`` links lose their href, and
    every link gets ``rel="nofollow noopener noreferrer"``. Without it the result is plain
    text with all tags removed, which templates escape as usual.
    """
    text = (text or "").replace("\r\n", "\n").strip()
    if allow_markup:
        return _cleaner(True).clean(text)
    # Plain text is escaped wherever it is output; unescape so it is not escaped twice
    # ("Fish &amp; chips"). Unescaping can reveal a tag typed as entities, so repeat
    # until nothing changes: the result never holds a tag, even where it is not escaped.
    while True:
        cleaned = html.unescape(_cleaner(False).clean(text)).strip()
        if cleaned == text:
            return cleaned
        text = cleaned
