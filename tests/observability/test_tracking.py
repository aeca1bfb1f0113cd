"""Sentry and OpenTelemetry: off unless configured, and nothing personal sent."""

import json
import subprocess
import sys

import pytest
import sentry_sdk
from sentry_sdk.transport import Transport

from observability import tracking

EMAIL = "priya.quietvoice@nhs.net"


class KeepEnvelopes(Transport):
    """Sentry's documented Transport interface: what would have been sent is kept."""

    def __init__(self, options=None):
        super().__init__(options)
        self.envelopes = []

    def capture_envelope(self, envelope):
        self.envelopes.append(envelope)


@pytest.fixture
def sentry():
    transport = KeepEnvelopes()
    # Without the integrations: Django's would patch the handler for the rest of the
    # test run (integrations cannot be undone); what is checked is the scrubbing.
    quiet = {"default_integrations": False, "auto_enabling_integrations": False}
    tracking.start_sentry(
        "https://public@sentry.example.invalid/1", transport=transport, **quiet
    )
    yield transport
    sentry_sdk.get_client().close()
    sentry_sdk.init(**quiet)  # back to no client: nothing is sent from later tests


def test_an_error_event_is_sent_with_no_person_in_it(sentry):
    sentry_sdk.set_user({"id": 7, "email": EMAIL, "username": "priya"})
    sentry_sdk.add_breadcrumb(message=f"looked up {EMAIL}")
    try:
        raise ValueError(f"no such person: {EMAIL} token=abc /confirm-email/MTIz/")
    except ValueError as error:
        sentry_sdk.capture_exception(error)
    sentry_sdk.flush()

    (envelope,) = sentry.envelopes
    event = envelope.get_event()
    # The frames' source lines are this file's code (which names the person being
    # tested for); what must not be sent is data, so they are left out of the search.
    for value in event["exception"]["values"]:
        for frame in value["stacktrace"]["frames"]:
            for key in ("pre_context", "context_line", "post_context"):
                frame.pop(key, None)
    sent = json.dumps(event)
    assert event["exception"]["values"][0]["type"] == "ValueError"
    assert "no such person: [email]" in event["exception"]["values"][0]["value"]
    assert EMAIL not in sent
    assert "priya" not in sent
    assert "MTIz" not in sent
    assert "user" not in event


def test_a_request_is_sent_without_its_body_cookies_or_who_sent_it():
    event = tracking.scrub_event(
        {
            "user": {"email": EMAIL, "ip_address": "198.51.100.7"},
            "request": {
                "url": "https://voice.example/accounts/password/reset/key/1-abc/",
                "data": {"body": "It needs to be said."},
                "cookies": {"sessionid": "s3cr3t"},
                "headers": {"Cookie": "sessionid=s3cr3t", "User-Agent": "Firefox"},
                "env": {"REMOTE_ADDR": "198.51.100.7"},
            },
            "message": f"sign-in for {EMAIL}",
        }
    )

    assert "user" not in event
    assert event["request"] == {
        "url": "https://voice.example/accounts/password/reset/key/[redacted]/",
        "headers": {"User-Agent": "Firefox"},
    }
    assert event["message"] == "sign-in for [email]"


def test_nothing_is_switched_on_or_imported_without_its_variable():
    """A fresh process with neither variable set: no client, no tracer provider."""
    code = (
        "import django, sys; django.setup();"
        "import sentry_sdk;"
        "assert not sentry_sdk.get_client().is_active();"
        "assert 'opentelemetry.instrumentation.django' not in sys.modules;"
        "print('off')"
    )
    env = {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "PATH": "/usr/bin:/bin",
    }
    done = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.stdout.strip() == "off", done.stderr


def test_tracing_records_requests_without_tokens_or_people(client, db):
    from opentelemetry.instrumentation.django import DjangoInstrumentor
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import (
        InMemorySpanExporter,
    )

    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    instrumentor = DjangoInstrumentor()
    instrumentor.instrument(
        tracer_provider=provider, request_hook=tracking._redact_span
    )
    try:
        from django.test import Client

        Client().get("/accounts/password/reset/key/1-s3cr3ttoken/")
    finally:
        instrumentor.uninstrument()

    (span,) = exporter.get_finished_spans()
    attributes = dict(span.attributes)
    assert "s3cr3ttoken" not in repr(attributes)
    assert not any(key.startswith("enduser") for key in attributes)
    assert not any("body" in key for key in attributes)
