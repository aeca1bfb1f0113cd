"""One id for each request, on every log line written while it is served.

The proxy's ``X-Request-ID`` is kept when it is well formed (nginx's ``$request_id``
is 32 hex digits; a UUID also fits), so a line in nginx's log and one of ours can be
matched; otherwise a new id is made. The id is returned in the response's
``X-Request-ID`` header, so a person reporting a problem can quote it.
"""

import logging
import re
import uuid
from collections.abc import Callable
from contextvars import ContextVar

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.http import HttpRequest, HttpResponse

HEADER = "X-Request-ID"
# Letters, digits, dot, dash, underscore; 8 to 64 long. Anything else (a header too
# long to log, or made to forge log lines) is replaced, not trusted.
_WELL_FORMED = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{7,63}")
_NONE = "-"

_current: ContextVar[str] = ContextVar("request_id", default=_NONE)


def current() -> str:
    """The id of the request being served here, or ``-`` outside any request."""
    return _current.get()


def from_header(value: str | None) -> str:
    """The proxy's id if it is well formed, else a new one."""
    if value and _WELL_FORMED.fullmatch(value):
        return value
    return uuid.uuid4().hex


class RequestIdFilter(logging.Filter):
    """Puts ``request_id`` on every record a handler writes (``-`` outside requests)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = _current.get()
        return True


class RequestIdMiddleware:
    """First in MIDDLEWARE, so every other middleware's log lines carry the id."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable) -> None:
        self.get_response = get_response
        if iscoroutinefunction(get_response):
            markcoroutinefunction(self)

    # The id is not reset on the way out: Django logs a 4xx or 5xx ("Not Found: ...")
    # after the middleware has returned. It is cleared when the response is finished
    # (request_finished, connected in ObservabilityConfig.ready).

    def __call__(self, request: HttpRequest):
        if iscoroutinefunction(self):
            return self.__acall__(request)
        request.request_id = from_header(request.headers.get(HEADER))
        _current.set(request.request_id)
        response = self.get_response(request)
        response[HEADER] = request.request_id
        return response

    async def __acall__(self, request: HttpRequest) -> HttpResponse:
        request.request_id = from_header(request.headers.get(HEADER))
        _current.set(request.request_id)
        response = await self.get_response(request)
        response[HEADER] = request.request_id
        return response


def forget(**kwargs) -> None:
    """request_finished's receiver: lines written after this carry no id."""
    _current.set(_NONE)
