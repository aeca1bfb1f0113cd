"""Per-person limits on writes (posting, voting, flagging), in the shared cache.

The lowest app owns this so every app can use it. A limit is a number of actions in
a fixed window per person, read from settings each time (so tests and deployments can
change it): ``<NAME>_RATE_LIMIT`` actions per ``<NAME>_RATE_WINDOW`` seconds.

Sign-in and sign-up limits are allauth's (``ACCOUNT_RATE_LIMITS``), in the same cache.
"""

import logging

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

from accounts.security_log import log_event

# scope -> (settings prefix, what the person is told when they reach it)
SCOPES = {
    "post": (
        "POSTING",
        _(
            "You have posted a lot in a short time. Please wait a few minutes and "
            "try again. What you wrote is still in the box below."
        ),
    ),
    "vote": (
        "VOTE",
        _("You have voted a lot in a short time. Please wait a minute and try again."),
    ),
    "flag": (
        "FLAG",
        _(
            "You have reported a lot of posts in a short time. Please wait a few "
            "minutes and try again."
        ),
    ),
}


def limit_for(scope: str) -> tuple[int, int]:
    prefix, _message = SCOPES[scope]
    return (
        getattr(settings, f"{prefix}_RATE_LIMIT"),
        getattr(settings, f"{prefix}_RATE_WINDOW"),
    )


def message_for(scope: str) -> str:
    return str(SCOPES[scope][1])


def allow(scope: str, user) -> bool:
    """Count one action by ``user`` in ``scope``; False once over the limit.

    A fixed window per person: ``add`` starts it, ``incr`` is atomic in Redis and
    in the local-memory cache, so concurrent requests never share a count.
    """
    limit, window = limit_for(scope)
    key = f"rate:{scope}:{user.pk}"
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:  # the window expired between add and incr
        cache.set(key, 1, timeout=window)
        count = 1
    return count <= limit


def enforce(scope: str, user, refusal: type[Exception]) -> None:
    """Raise ``refusal(message)`` when ``user`` is over the limit for ``scope``.

    The caller passes its own exception class (conversations' ``RateLimited``, a
    ``Refused`` with status 429) so its views answer as they do for any refusal:
    429, the message, and the form with what was typed. Logged here, since a
    service may be called from a command as well as from a view.
    """
    if not allow(scope, user):
        log_event(
            "rate_limit.reached", level=logging.WARNING, scope=scope, user=user.pk
        )
        raise refusal(message_for(scope))
