"""Sentry error tracking and OpenTelemetry tracing, each on only when configured.

- ``SENTRY_DSN`` switches Sentry on (``SENTRY_ENVIRONMENT``, ``SENTRY_RELEASE``,
  ``SENTRY_TRACES_SAMPLE_RATE``, default 0: errors only).
- ``OTEL_EXPORTER_OTLP_ENDPOINT`` switches tracing on: Django's requests as spans,
  sent by OTLP over HTTP (``OTEL_SERVICE_NAME``, default staff-voice; the exporter
  reads the other standard ``OTEL_*`` variables itself).

With neither set, neither library is imported. Both are told to send nothing
personal: no user, no cookies, no request bodies, no local variables, and every
string an event carries has email addresses and URL tokens blanked
(accounts.security_log.redact). The packages are the ``observability`` extra.
"""

import os
from typing import Any

from accounts.security_log import redact

# Request headers worth sending: none of them names a person or carries a secret.
_SAFE_HEADERS = {
    "accept",
    "accept-language",
    "content-type",
    "user-agent",
    "x-request-id",
}


def _scrub(value: Any) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {key: _scrub(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_scrub(item) for item in value]
    return value


def scrub_event(event: dict, hint: dict | None = None) -> dict:
    """Sentry's ``before_send``: drop the user, the request's body, cookies and
    headers other than a few harmless ones, then blank emails and tokens anywhere."""
    event.pop("user", None)
    request = event.get("request")
    if isinstance(request, dict):
        for key in ("data", "cookies", "env"):
            request.pop(key, None)
        headers = request.get("headers")
        if isinstance(headers, dict):
            request["headers"] = {
                k: v for k, v in headers.items() if k.lower() in _SAFE_HEADERS
            }
    return _scrub(event)


def start_sentry(dsn: str, **options: Any) -> None:
    import sentry_sdk

    sentry_sdk.init(
        dsn=dsn,
        max_request_body_size="never",
        include_local_variables=False,
        before_send=scrub_event,
        before_send_transaction=scrub_event,
        environment=os.environ.get("SENTRY_ENVIRONMENT") or None,
        release=os.environ.get("SENTRY_RELEASE") or None,
        traces_sample_rate=float(os.environ.get("SENTRY_TRACES_SAMPLE_RATE") or 0),
        **options,
    )


def _redact_span(span, request) -> None:
    """The Django instrumentation's request hook: the URL without tokens."""
    if span is None or not span.is_recording():
        return
    for key in ("http.url", "http.target", "url.full", "url.path", "url.query"):
        value = getattr(span, "attributes", {}).get(key)
        if isinstance(value, str):
            span.set_attribute(key, redact(value))


def start_tracing(endpoint: str) -> None:
    from opentelemetry import trace
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.instrumentation.django import DjangoInstrumentor
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    provider = TracerProvider(
        resource=Resource.create(
            {"service.name": os.environ.get("OTEL_SERVICE_NAME") or "staff-voice"}
        )
    )
    # The exporter reads OTEL_EXPORTER_OTLP_ENDPOINT (and headers) itself.
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    trace.set_tracer_provider(provider)
    # No request bodies and no headers are recorded unless the OTEL_INSTRUMENTATION_
    # HTTP_CAPTURE_HEADERS_* variables ask (leave them unset); no user is recorded.
    DjangoInstrumentor().instrument(request_hook=_redact_span)


def start_from_environment() -> None:
    dsn = os.environ.get("SENTRY_DSN", "").strip()
    if dsn:
        start_sentry(dsn)
    endpoint = os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT", "").strip()
    if endpoint:
        start_tracing(endpoint)
