"""Who is at the other end of a websocket, found in the consumer's one database hop.

Channels' ``AuthMiddlewareStack`` costs every socket three hops on Channels' single
database thread (building the session store, loading the user, closing old
connections before ``connect``) and keeps a session, a user and three copies of the
scope for as long as the socket is open. A worker restart reconnects thousands of
sockets at once, and they queue on that thread (bench/LIVE.md). Here the middleware
only reads the session key from the cookie; the consumer finds the person in the
same hop as its own checks, as a page does (``accounts.session_user``), and keeps none
of it.
"""

from importlib import import_module

from channels.consumer import get_handler_name
from channels.exceptions import StopConsumer
from django.conf import settings
from django.http import parse_cookie

from accounts import permission_cache
from accounts.session_user import user_of


class SessionKeyMiddleware:
    """Put the session cookie's value in the scope as ``session_key``; nothing else."""

    def __init__(self, inner):
        self.inner = inner

    async def __call__(self, scope, receive, send):
        key = cookies_of(scope).get(settings.SESSION_COOKIE_NAME)
        return await self.inner(dict(scope, session_key=key), receive, send)


def cookies_of(scope: dict) -> dict[str, str]:
    if "cookies" in scope:  # already parsed by Channels' CookieMiddleware
        return scope["cookies"]
    for name, value in scope.get("headers") or ():
        if name == b"cookie":
            return parse_cookie(value.decode("latin-1"))
    return {}


def person(session_key: str | None):
    """The signed-in, active person of this session, or None, decided as a page
    decides (:func:`accounts.session_user.user_of`), through the session engine (so in
    production, with the cached_db engine, from the cache). Synchronous: call it in a
    hop."""
    if not session_key:
        return None
    return user_of(import_module(settings.SESSION_ENGINE).SessionStore(session_key))


def load_permissions(user) -> None:
    """Put the person's permission set on ``user`` from the cache
    (``accounts.permission_cache``), so ``has_perm`` asks the database nothing."""
    if not user.is_active or user.is_superuser:
        return  # has_perm answers these without the set
    user._perm_cache = permission_cache.granted(user)


class LeanSocketMixin:
    """For an ``AsyncWebsocketConsumer`` with no layer channel of its own (a process
    hub does its fan-out): dispatch straight from ``receive``.

    Channels' loop runs each ``receive`` in a task of its own (``await_many_dispatch``),
    and before every message, and again after a disconnect, closes old database
    connections in a hop to its database thread: one more hop per connect, on that
    one thread, for a consumer whose every database call already goes through
    ``database_sync_to_async`` (which closes them itself).
    """

    groups = ()  # no per-socket list for layer groups this consumer never joins
    channel_layer = None

    async def __call__(self, scope, receive, send):
        self.scope = scope
        self.base_send = send
        try:
            while True:
                await self.dispatch(await receive())
        except StopConsumer:
            pass

    async def dispatch(self, message):
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def websocket_disconnect(self, message):
        await self.disconnect(message["code"])
        raise StopConsumer()
