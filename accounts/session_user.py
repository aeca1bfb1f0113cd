"""Whose session this is: Django's ``auth.get_user``, with the person's row from
``accounts.person_cache`` (the cache, or a prepared query).

Every signed-in page and every websocket connect asks it. Django builds and compiles a
queryset for the user's row each time, which costs several times what the database
takes to answer (a third of a millisecond of a page that should take two). Here the
decision is Django's, step by step (the backend the session names, ``get_user``'s
``user_can_authenticate``, the session-hash check with its fallbacks), and the row
comes from :func:`accounts.person_cache.person`. ``tests/accounts/test_sockets.py``
compares the two over every outcome.
"""

from django.conf import settings
from django.contrib import auth
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.auth.models import AnonymousUser
from django.utils.crypto import constant_time_compare

from accounts import person_cache
from accounts.models import StaffMember


def user_of(session, page: str | None = None, read_ahead=None):
    """The signed-in, active person of ``session``, or None; ``page``: the path they
    asked for (``person_cache.also_fetch_for_path``); ``read_ahead``: (a person's id,
    their cache entries read with the session), used if that is whom it names."""
    path = session.get(auth.BACKEND_SESSION_KEY)
    if path not in settings.AUTHENTICATION_BACKENDS:
        return None
    backend = auth.load_backend(path)
    if type(backend).get_user is not ModelBackend.get_user:
        # A backend with its own way of finding people: ask Django.
        user = auth.get_user(_SessionOnly(session))
        return user if user.is_authenticated else None
    return _model_backend_user(session, backend, page, read_ahead)


class _SessionOnly:
    def __init__(self, session) -> None:
        self.session = session


def _model_backend_user(session, backend, page=None, read_ahead=None):
    """``auth.get_user`` for a session signed in through ModelBackend (or a backend
    that keeps its ``get_user``). Keep in step with Django's."""
    try:
        user_id = StaffMember._meta.pk.to_python(session[auth.SESSION_KEY])
    except KeyError:
        return None
    found = read_ahead[1] if read_ahead and read_ahead[0] == user_id else None
    user = person_cache.person(user_id, page, found)
    if user is None:
        return None
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


def _request_user(request):
    if not hasattr(request, "_cached_user"):
        request._cached_user = (
            user_of(request.session, request.path_info, _read_ahead(request))
            or AnonymousUser()
        )
    return request._cached_user


# Which person a browser was last signed in as: a hint, never trusted (the session
# decides), that lets the session and that person's cache entries be read together.
PERSON_HINT_COOKIE = "sv_person"


def _read_ahead(request) -> tuple[int, dict] | None:
    """With a session engine that can (``session_store.cached_db``), read the session
    and the hinted person's entries in one round trip: (their id, what was found)."""
    read_with = getattr(request.session, "read_with", None)
    hint = request.COOKIES.get(PERSON_HINT_COOKIE, "")
    if read_with is None or not hint.isdigit():
        return None
    person_id = int(hint)
    return person_id, read_with(person_cache.keys(person_id, request.path_info))


class SessionUserMiddleware(AuthenticationMiddleware):
    """Django's ``AuthenticationMiddleware`` (``request.auser`` and its checks are
    its own), with ``request.user`` found by :func:`user_of`, at once rather than
    lazily: every page names its viewer, and each of the few dozen reads of a page
    through Django's lazy wrapper cost several attribute lookups. Where the session
    engine can read ahead, the browser is told whom it is signed in as
    (``PERSON_HINT_COOKIE``)."""

    def process_request(self, request) -> None:
        super().process_request(request)
        request.user = _request_user(request)

    def process_response(self, request, response):
        if not hasattr(getattr(request, "session", None), "read_with"):
            return response
        user = getattr(request, "user", None)  # as the view left it: signed in or out
        person_id = str(user.pk) if user is not None and user.is_authenticated else ""
        hint = request.COOKIES.get(PERSON_HINT_COOKIE)
        if person_id and hint != person_id:
            response.set_cookie(
                PERSON_HINT_COOKIE,
                person_id,
                max_age=settings.SESSION_COOKIE_AGE,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite=settings.SESSION_COOKIE_SAMESITE,
            )
        elif not person_id and hint is not None:
            response.delete_cookie(
                PERSON_HINT_COOKIE, samesite=settings.SESSION_COOKIE_SAMESITE
            )
        return response
