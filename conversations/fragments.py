"""HTML (and data) shared between people: rendered for nobody, keyed by versions.

The one way anything cached is shared between people. :func:`shared` makes an entry
from ``values`` alone, and that is the whole of the rule a change must follow:

- **Rendered for nobody.** A shared template is rendered from a plain context holding
  only ``values``: no request, so no context processor runs and there is no ``user``,
  ``perms``, ``request``, ``messages`` or ``csrf_token`` to reach, and a value that is a
  request or a person is refused (:func:`_check_impersonal`). A template placed in a
  shared fragment cannot print a viewer's data, because it never has any.
- **Keyed by versions.** The key is the fragment's name, the interface language and
  the version of every value (:func:`version_of`: a model row by its
  ``cache_version``, plain values as themselves). Entries are never dropped: a write
  moves a version (``conversations.versions``), and an entry made from older rows
  stays under the older key, where no later request looks.
- **Personal parts are slots.** Where shared HTML needs something of the viewer's (a
  CSRF token, a pressed vote button, the page's address), its template leaves a named
  slot (``{% slot "csrf_token" %}``), and each request fills the slots with escaped
  values of its own (:meth:`Fragment.fill`), outside the shared entry.

Entries are immutable under their keys, so each process keeps the ones it has used in
a small memory of its own in front of the shared cache: it can never be stale.
"""

import dataclasses
import hashlib
import html
import re
import threading
from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any

from cachetools import LRUCache
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.http import HttpRequest
from django.template.loader import get_template
from django.utils.functional import Promise
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

_SLOT = re.compile(r"<!--slot:([a-z0-9_]+)-->")
# Names that hold a viewer in Django's and this project's contexts.
_PERSONAL_NAMES = frozenset(
    {"user", "request", "perms", "csrf_token", "messages", "viewer"}
)
_FORMAT = "f1"  # moved when what an entry holds changes shape

_local_lock = threading.Lock()
_local: LRUCache = LRUCache(maxsize=4000)


class PersonalValue(TypeError):
    """A shared fragment was handed a value that belongs to one viewer."""


def slot_mark(name: str) -> SafeString:
    """What a template leaves where a request puts its own text."""
    if not re.fullmatch(r"[a-z0-9_]+", name):
        raise ValueError(f"A slot's name is lower case letters, digits and _: {name!r}")
    return mark_safe(f"<!--slot:{name}-->")  # noqa: S308 - a fixed comment


def _escaped(value: Any) -> str:
    """``conditional_escape``'s answer (safe HTML as it is, anything else escaped as
    Django's ``escape`` does, with ``html.escape``), without its lazy wrappers: a
    campaign page fills some 400 slots."""
    if isinstance(value, Promise):
        value = str(value)
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


class Fragment:
    """Shared HTML split at its slots: text and slot names, alternating."""

    __slots__ = ("pieces",)

    def __init__(self, html: str) -> None:
        self.pieces = tuple(_SLOT.split(html))

    @property
    def slots(self) -> frozenset[str]:
        return frozenset(self.pieces[1::2])

    def fill(self, **values: Any) -> SafeString:
        """The HTML with each slot replaced by its value, escaped unless it is safe
        HTML; a slot with no value is an error, not an empty string."""
        pieces = self.pieces
        out = list(pieces)
        for index in range(1, len(pieces), 2):
            out[index] = _escaped(values[pieces[index]])
        return mark_safe("".join(out))  # noqa: S308 - rendered text and escaped values

    def __reduce__(self):
        return (_from_pieces, (self.pieces,))


def _from_pieces(pieces: tuple) -> Fragment:
    fragment = Fragment.__new__(Fragment)
    fragment.pieces = pieces
    return fragment


def version_of(value: Any) -> str:
    """What a value contributes to a key: it must change whenever what the fragment
    shows of it may change."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return repr(value)
    version = getattr(value, "cache_version", None)
    if version is not None:
        return f"{type(value).__name__}:{version}"
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return f"{type(value).__name__}{version_of(dataclasses.asdict(value))}"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(version_of(item) for item in value) + "]"
    if isinstance(value, dict):
        return (
            "{"
            + ",".join(f"{k}={version_of(v)}" for k, v in sorted(value.items()))
            + "}"
        )
    raise TypeError(
        f"A {type(value).__name__} cannot key a shared fragment: give it a "
        "cache_version, or pass what the fragment shows of it."
    )


def _check_impersonal(values: dict) -> None:
    for name, value in values.items():
        if name in _PERSONAL_NAMES or isinstance(
            value, (HttpRequest, AbstractBaseUser, AnonymousUser)
        ):
            raise PersonalValue(
                f"{name!r} belongs to one viewer and may not be in a shared fragment"
            )


def key_of(name: str, values: dict) -> str:
    inputs = "|".join(
        [
            _FORMAT,
            name,
            get_language() or "",
            *(f"{k}={version_of(v)}" for k, v in sorted(values.items())),
        ]
    )
    return f"shared:{name}:{hashlib.sha256(inputs.encode()).hexdigest()[:32]}"


def _get(key: str):
    with _local_lock:
        found = _local.get(key)
    if found is None:
        found = cache.get(key)
        if found is not None:
            with _local_lock:
                _local[key] = found
    return found


def _put(key: str, value) -> None:
    with _local_lock:
        _local[key] = value
    cache.set(key, value, settings.FRAGMENT_CACHE_SECONDS)


def shared(name: str, values: dict, make: Callable[[dict], Any]) -> Any:
    """The entry ``name`` for ``values``: cached, or ``make(values)`` (then cached).
    ``make`` sees only ``values``; what it returns must not be changed by callers."""
    _check_impersonal(values)
    key = key_of(name, values)
    found = _get(key)
    if found is None:
        found = make(values)
        _put(key, found)
    return found


def shared_many(
    name: str, many: Iterable[dict], make: Callable[[list[dict]], list]
) -> list:
    """:func:`shared` for several entries at once, in one round trip to the cache:
    ``make`` gets the values of the missing ones and returns their entries in order."""
    many = list(many)
    for values in many:
        _check_impersonal(values)
    keys = [key_of(name, values) for values in many]
    found: dict[str, Any] = {}
    with _local_lock:
        for key in keys:
            value = _local.get(key)
            if value is not None:
                found[key] = value
    wanted = [key for key in keys if key not in found]
    if wanted:
        from_cache = cache.get_many(wanted)
        with _local_lock:
            for key, value in from_cache.items():
                _local[key] = value
        found.update(from_cache)
    missing = [i for i, key in enumerate(keys) if key not in found]
    if missing:
        made = make([many[i] for i in missing])
        entries = {keys[i]: entry for i, entry in zip(missing, made, strict=True)}
        with _local_lock:
            _local.update(entries)
        cache.set_many(entries, settings.FRAGMENT_CACHE_SECONDS)
        found.update(entries)
    return [found[key] for key in keys]


def render_for_nobody(template_name: str, values: dict) -> Fragment:
    """``template_name`` rendered from ``values`` alone (no request: no context
    processors, no viewer), split at its slots."""
    _check_impersonal(values)
    return Fragment(get_template(template_name).render(values))


def shared_template(template_name: str, values: dict) -> Fragment:
    """A template's shared fragment for ``values``."""
    return shared(template_name, values, lambda v: render_for_nobody(template_name, v))


def forget_local() -> None:
    """Forget this process's copies (tests, between cases; never needed for
    freshness)."""
    with _local_lock:
        _local.clear()
