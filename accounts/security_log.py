"""Security events: who signed in or failed to, what was refused, what was revealed.

Each event is a structured record: the message reads ``event key=value ...`` for
people, and the record carries the same as fields (``security``: event, outcome,
request id, ids) for a JSON log store (config/logging_config.py, LOG_FORMAT=json).
Every line goes to the ``security`` logger, timestamped in UTC whatever TIME_ZONE
says, so lines from several servers and the proxy can be put side by side. What is
written is deliberately thin: user ids (never names or emails), a short hash of a
failed sign-in's login (which may be a password typed into the wrong box), the
client address, and the URL *pattern* rather than the path, so tokens and post ids
never reach a log line next to a person's id.
"""

import hashlib
import logging
import re
import time
from typing import Any

from django.http import HttpRequest

logger = logging.getLogger("security")


class UTCFormatter(logging.Formatter):
    """ISO 8601 timestamps in UTC with a ``Z``: 2025-03-01T09:15:02.123Z."""

    converter = time.gmtime
    default_time_format = "%Y-%m-%dT%H:%M:%S"
    default_msec_format = "%s.%03dZ"


# Tokens that travel in URLs (email confirmation, password reset) and form fields
# that must never be written down, whichever logger is writing.
_SECRETS = [
    (re.compile(r"(/password/reset/key/)[^\s/]+"), r"\1[redacted]"),
    (re.compile(r"(/confirm-email/)[^\s/]+"), r"\1[redacted]"),
    (
        re.compile(
            r"((?:password\d?|oldpassword|csrfmiddlewaretoken|csrftoken|sessionid)"
            r"['\"]?\s*[=:]\s*['\"]?)[^\s&'\",;]+",
            re.IGNORECASE,
        ),
        r"\1[redacted]",
    ),
    # An email address is a person's name by another route: never in a log line.
    (re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"), "[email]"),
]


def redact(text: str) -> str:
    for pattern, replacement in _SECRETS:
        text = pattern.sub(replacement, text)
    return text


class RedactSecrets(logging.Filter):
    """A handler filter: rewrites each record's message with secrets blanked out.

    Django logs every 4xx response with its full path ("Too Many Requests:
    /accounts/password/reset/key/<token>/"), so this sits on the handler, not on
    individual loggers.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        fields = getattr(record, "security", None)
        if isinstance(fields, dict):
            record.security = {
                key: redact(value) if isinstance(value, str) else value
                for key, value in fields.items()
            }
        return True


def client_ip(request: HttpRequest | None) -> str:
    if request is None:
        return "-"
    try:
        from allauth.core.internal.httpkit import get_client_ip

        return get_client_ip(request) or "-"
    except Exception:  # noqa: BLE001 - a log line must never fail a request
        return request.META.get("REMOTE_ADDR", "-")


def login_fingerprint(login: str) -> str:
    """A short, stable hash of what was typed as the login: enough to see one
    account being tried many times, without writing what was typed."""
    return hashlib.sha256(login.strip().lower().encode()).hexdigest()[:12]


def route_of(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    if match is not None and match.route:
        return "/" + match.route
    return "(unrouted)"


# What an event's name says happened, from its last part; anything else was done.
_OUTCOMES = {
    "succeeded": "success",
    "failed": "failure",
    "refused": "refused",
    "hit": "refused",
    "reached": "refused",
}


def outcome_of(event: str) -> str:
    return _OUTCOMES.get(event.rsplit(".", 1)[-1], "success")


def log_event(
    event: str,
    request: HttpRequest | None = None,
    *,
    level: int = logging.INFO,
    outcome: str | None = None,
    **fields: Any,
) -> None:
    """Write one security event as ``event key=value ...``, with the same as a
    structured record (``record.security``: event, outcome, fields; the request's id
    is put on every record by observability.request_id).

    Callers pass ids and codes only: never names, emails, free text a person typed,
    or anything that links a person to an anonymous post.
    """
    parts = [event]
    if request is not None:
        user = getattr(request, "user", None)
        if "user" not in fields and user is not None and user.is_authenticated:
            fields["user"] = user.pk
        fields.setdefault("ip", client_ip(request))
    parts.extend(f"{key}={value}" for key, value in fields.items())
    structured = {
        "event": event,
        "outcome": outcome or outcome_of(event),
        **fields,
    }
    logger.log(level, " ".join(parts), extra={"security": structured})


# Django's auth signals are the one place every sign-in passes (allauth, the admin,
# social accounts), so these receivers are connected in AccountsConfig.ready().


def on_logged_in(sender, request, user, **kwargs) -> None:
    log_event("sign_in.succeeded", request, user=user.pk)


def on_login_failed(sender, credentials, request=None, **kwargs) -> None:
    login = credentials.get("email") or credentials.get("username") or ""
    log_event(
        "sign_in.failed",
        request,
        level=logging.WARNING,
        login=login_fingerprint(str(login)),
    )


def on_logged_out(sender, request, user, **kwargs) -> None:
    if user is not None:
        log_event("sign_out", request, user=user.pk)
