"""Refusals are security events: every 403 and 429 the site answers is logged once."""

import logging
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from accounts.security_log import log_event, route_of

_EVENTS = {403: "permission.refused", 429: "rate_limit.hit"}


class SecurityEventsMiddleware:
    """Log refusals here, after the response is built, rather than in each view: a
    PermissionDenied raised anywhere (fetch helpers, services, allauth) and a 429
    from any rate limit all arrive as a response, so nothing is missed."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        event = _EVENTS.get(response.status_code)
        if event is not None:
            log_event(
                event,
                request,
                level=logging.WARNING,
                method=request.method,
                route=route_of(request),
            )
        return response
