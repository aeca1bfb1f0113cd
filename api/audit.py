"""Every API request is recorded: token, method, path, status, time. Never a body."""

import time

from rest_framework.exceptions import APIException

from api.models import ApiRequest, ApiToken


class AuditedMixin:
    """For API views: record the request once its response is final (refusals,
    throttling and errors included: DRF builds all of them through
    ``finalize_response``)."""

    def initial(self, request, *args, **kwargs):
        self._audit_started = time.monotonic()
        return super().initial(request, *args, **kwargs)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        started = getattr(self, "_audit_started", None)
        try:
            token = request.auth
        except APIException:  # authentication failed: recorded with no token
            token = None
        ApiRequest.objects.create(
            token=token if isinstance(token, ApiToken) else None,
            method=request.method[:8],
            path=request.path[:300],
            status=response.status_code,
            duration_ms=(round((time.monotonic() - started) * 1000) if started else 0),
        )
        return response
