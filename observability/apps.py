from django.apps import AppConfig


class ObservabilityConfig(AppConfig):
    name = "observability"
    verbose_name = "Observability"

    def ready(self) -> None:
        # Here rather than in settings: Sentry and OpenTelemetry's Django instrumentation
        # need settings loaded, and must start before the first request's middleware.
        from django.core.signals import request_finished

        from observability import request_id, tracking

        request_finished.connect(request_id.forget, dispatch_uid="request-id-forget")
        tracking.start_from_environment()
