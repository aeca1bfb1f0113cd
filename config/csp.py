"""django-csp's middleware, with each response's policy built once, not per response.

django-csp builds the header from the settings for every response: a fifth of a bare
signed-in page's time here. What it builds depends only on the settings and on what
the view asked for (a nonce; a per-view config, update, replace or exemption). A
response that asked for none of these (nearly all of them) gets the headers the first
such response got; any other goes through django-csp unchanged.
"""

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject
from csp.middleware import CSPMiddleware as DjangoCSPMiddleware
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

_PER_VIEW = (
    "_csp_config",
    "_csp_update",
    "_csp_replace",
    "_csp_exempt",
    "_csp_config_ro",
    "_csp_update_ro",
    "_csp_replace_ro",
    "_csp_exempt_ro",
)
_built: dict[str, str] | None = (
    None  # header -> value, for a response with nothing its own
)


@receiver(setting_changed)
def _forget(setting: str, **kwargs) -> None:
    global _built
    if setting.startswith("CONTENT_SECURITY_POLICY") or setting == "DEBUG":
        _built = None


def _excludes_any_path() -> bool:
    return any(
        (getattr(settings, name, None) or {}).get("EXCLUDE_URL_PREFIXES")
        for name in ("CONTENT_SECURITY_POLICY", "CONTENT_SECURITY_POLICY_REPORT_ONLY")
    )


class CSPMiddleware(DjangoCSPMiddleware):
    def process_response(self, request, response):
        global _built
        if (
            settings.DEBUG
            or getattr(request, "_csp_nonce", None) is not None
            or any(hasattr(response, name) for name in _PER_VIEW)
            or HEADER in response
            or HEADER_REPORT_ONLY in response
            or _excludes_any_path()
        ):
            return super().process_response(request, response)
        if _built is None:
            response = super().process_response(request, response)
            _built = {
                header: response[header]
                for header in (HEADER, HEADER_REPORT_ONLY)
                if header in response
            }
            return response
        for header, value in _built.items():
            response[header] = value
        # As django-csp does: a nonce asked for after the header is written is an error.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response
