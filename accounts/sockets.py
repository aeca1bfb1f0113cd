"""Who is at the other end of a websocket, found in the consumer's one database hop.

Channels' ``AuthMiddlewareStack`` costs every socket three hops on Channels' single
database thread (building the session store, loading the user, closing old
connections before ``connect``) and keeps a session, a user and three copies of the
scope for as long as the socket is open. A worker restart reconnects thousands of
sockets at once, and they queue on that thread (bench/LIVE.md). Here the middleware
only reads the session key from the cookie; the consumer finds the person in the
same hop as its own checks, as ``auth.get_user`` would (session engine, authentication
backend, session-hash check; the user's row by a prepared query), and keeps none of it.
"""

from importlib import import_module
from types import SimpleNamespace

from channels.consumer import get_handler_name
from channels.exceptions import StopConsumer
from django.conf import settings
from django.contrib import auth
from django.contrib.auth.backends import ModelBackend
from django.http import parse_cookie
from django.utils.crypto import constant_time_compare

from accounts import permission_cache
from accounts.models import StaffMember
from accounts.prepared import Prepared


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
    """The signed-in, active person of this session, or None, decided as Django's
    ``auth.get_user`` decides for a page: the session through the session engine
    (so in production, with the cached_db engine, from the cache), the backend it
    names, the session-hash check. Synchronous: call it in a hop."""
    if not session_key:
        return None
    session = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
    backend = _backend_of(session)
    if backend is None:
        return None
    if type(backend).get_user is not ModelBackend.get_user:
        user = auth.get_user(SimpleNamespace(session=session))
        return user if user.is_authenticated else None
    return _model_backend_user(session, backend)


def _backend_of(session):
    path = session.get(auth.BACKEND_SESSION_KEY)
    if path not in settings.AUTHENTICATION_BACKENDS:
        return None
    return auth.load_backend(path)


_user_row = Prepared(lambda user_id: StaffMember.objects.filter(pk=user_id))
_USER_FIELDS = [field.attname for field in StaffMember._meta.concrete_fields]


def _model_backend_user(session, backend):
    """``auth.get_user`` for a session signed in through ModelBackend (or a backend
    that keeps its ``get_user``), with the user's row read by a prepared query instead
    of a queryset built per connect. Keep in step with Django's; the tests compare
    the two over every outcome (tests/accounts/test_sockets.py)."""
    try:
        user_id = StaffMember._meta.pk.to_python(session[auth.SESSION_KEY])
    except KeyError:
        return None
    rows = _user_row.rows(user_id)
    if not rows:
        return None
    user = StaffMember.from_db("default", _USER_FIELDS, rows[0])
    if not backend.user_can_authenticate(user):
        return None
    session_hash = session.get(auth.HASH_SESSION_KEY)
    session_auth_hash = user.get_session_auth_hash()
    if session_hash and constant_time_compare(session_hash, session_auth_hash):
        return user
    if session_hash and any(
        constant_time_compare(session_hash, fallback)
        for fallback in user.get_session_auth_fallback_hash()
    ):
        session.cycle_key()
        session[auth.HASH_SESSION_KEY] = session_auth_hash
        return user
    session.flush()
    return None


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
