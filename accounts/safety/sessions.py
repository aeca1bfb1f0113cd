"""Shared ward computers: sessions end after a spell without activity, sooner for
people who can see more, and at once when the browser closes on a computer the
person said is shared.

Django's session expiry does the work. Writing the session on every request would
cost a write per page (SESSION_SAVE_EVERY_REQUEST), so the last activity is noted at
most once a minute, and with it the session's expiry is pushed on (``set_expiry``):
a session ends between ``limit - 1`` and ``limit`` minutes after the last page. A
session marked shared expires when the browser closes (``set_expiry(0)``), and the
noted activity still ends it after the shorter shared limit.
"""

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

SEEN = "idle_seen"  # when activity was last noted (seconds since the epoch)
LIMIT = "idle_limit"  # this session's limit in seconds, worked out when noted
SHARED = "shared_computer"  # the person said the computer is shared
NOTE_EVERY = 60


def is_privileged(user) -> bool:
    """People who can see more than their own (moderators, engagement managers,
    administrators, reveal holders): a shorter idle limit, and a second step at
    sign-in (``accounts.safety.mfa``). Read from the cached permission set."""
    return bool(
        user.is_staff
        or user.is_superuser
        or user.is_moderator
        or user.is_engagement_manager
        or user.has_perm("accounts.reveal_identity")
    )


def limit_for(request: HttpRequest, user=None) -> int:
    """This session's idle limit in seconds."""
    if request.session.get(SHARED):
        minutes = settings.IDLE_TIMEOUT_SHARED_MINUTES
    elif is_privileged(user or request.user):
        minutes = settings.IDLE_TIMEOUT_PRIVILEGED_MINUTES
    else:
        minutes = settings.IDLE_TIMEOUT_MINUTES
    return int(minutes) * 60


def note_activity(request: HttpRequest, now: float | None = None, user=None) -> None:
    now = now if now is not None else time.time()
    limit = limit_for(request, user)
    request.session[SEEN] = int(now)
    request.session[LIMIT] = limit
    if not request.session.get(SHARED):
        request.session.set_expiry(limit)


def mark_shared(request: HttpRequest) -> None:
    """The person ticked "This is a shared computer" as they signed in."""
    request.session[SHARED] = True
    request.session.set_expiry(0)
    note_activity(request)


class IdleTimeoutMiddleware:
    """After AuthenticationMiddleware: signs out a session idle for longer than its
    limit, and notes activity (at most once a minute) for every other."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        if session is not None and SESSION_KEY in session:
            now = time.time()
            seen, limit = session.get(SEEN), session.get(LIMIT)
            if seen is not None and limit is not None and now - seen > limit:
                logout(request)
                messages.info(
                    request,
                    _(
                        "You were signed out because nothing happened for %(minutes)d "
                        "minutes. Sign in again to carry on."
                    )
                    % {"minutes": limit // 60},
                )
            elif seen is None or now - seen >= NOTE_EVERY:
                note_activity(request, now)
        return self.get_response(request)


def on_signed_in(sender, request, user, **kwargs) -> None:
    """Every sign-in starts the clock (connected in ``accounts.apps``)."""
    if request is not None and hasattr(request, "session"):
        note_activity(request, user=user)
