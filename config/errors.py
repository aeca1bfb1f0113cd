"""Answers for requests the service cannot serve, through Django's documented error
handlers (``handler400`` and ``handler500`` in config/urls.py).

- The database restarting (a connection ended under a request, no connection to be
  had: Django's ``OperationalError`` / ``InterfaceError``) is not a fault in the
  service: the person gets 503 "Please try again" with ``Retry-After``, never a
  traceback. Django has logged the error already.
- A body over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (``RequestDataTooBig``) gets 413 saying
  what the limit is, not a bare 400.

Both pages are rendered with no request, so no context processor asks the database
that has just failed (templates/errors/).
"""

import sys

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.defaultfilters import filesizeformat
from django.template.loader import render_to_string
from django.views import defaults

DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 5


def _plain_page(template: str, status: int, **context) -> HttpResponse:
    context["ORGANISATION_NAME"] = settings.ORGANISATION_NAME
    return HttpResponse(render_to_string(template, context), status=status)


def database_unavailable(request: HttpRequest) -> HttpResponse:
    again = request.get_full_path() if request.method in ("GET", "HEAD") else ""
    response = _plain_page("errors/unavailable.html", 503, again=again)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def too_large(request: HttpRequest) -> HttpResponse:
    limit = filesizeformat(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
    return _plain_page("errors/too_large.html", 413, limit=limit)


def server_error(request: HttpRequest, template_name: str = "500.html"):
    """``handler500``: Django calls it while handling the exception, so the exception
    is the one being handled (``sys.exc_info``)."""
    if isinstance(sys.exc_info()[1], DATABASE_UNAVAILABLE):
        return database_unavailable(request)
    return defaults.server_error(request, template_name)


def bad_request(request: HttpRequest, exception, template_name: str = "400.html"):
    """``handler400``: Django passes the exception (a ``SuspiciousOperation``)."""
    if isinstance(exception, RequestDataTooBig):
        return too_large(request)
    return defaults.bad_request(request, exception, template_name)
