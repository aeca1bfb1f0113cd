"""The one place user text is cleaned, at write time, before it is stored.

Everything a person types (titles, bodies, comments, campaign introductions) goes
through :func:`sanitise`. Bodies keep a small allow-list of inline markup and get
their links made safe; titles keep no markup at all.
"""

import html
from functools import lru_cache

import bleach
from bleach.linkifier import DEFAULT_CALLBACKS

ALLOWED_TAGS = frozenset({"a", "b", "strong", "i", "em", "ul", "ol", "li", "p", "br", "blockquote"})
ALLOWED_ATTRIBUTES = {"a": ["href", "title", "rel"]}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})


def _safe_rel(attrs: dict, new: bool = False) -> dict:
    attrs[(None, "rel")] = "nofollow noopener"
    return attrs


@lru_cache(maxsize=2)
def _cleaner(allow_markup: bool) -> bleach.Cleaner:
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
    every link gets ``rel="nofollow noopener"``. Without it the result is plain
    text with all tags removed, which templates escape as usual.
    """
    text = (text or "").replace("\r\n", "\n").strip()
    cleaned = _cleaner(allow_markup).clean(text)
    if not allow_markup:
        # Plain text is escaped by the template on output; unescape here so it is not
        # escaped twice ("Fish &amp; chips").
        return html.unescape(cleaned).strip()
    return cleaned
