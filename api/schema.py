"""OpenAPI description of the bearer token (drf-spectacular's documented extension)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.BearerTokenAuthentication"
    name = "bearerToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A service-account token an administrator created.",
        }


ERROR = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
ERRORS = {
    "401": "No token, or an unknown or revoked one.",
    "404": "No such item (or not one a service account may see), or no such page.",
    "405": "Only GET, HEAD and OPTIONS are allowed.",
    "429": "Over the token's rate limit (`API_RATE_LIMIT`); see `Retry-After`.",
}


def document_errors(result, generator, request, public):
    """A postprocessing hook (drf-spectacular's documented extension): every
    operation can answer these, with DRF's ``{"detail": ...}`` body."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            for status, description in ERRORS.items():
                operation["responses"].setdefault(
                    status,
                    {
                        "description": description,
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/Error"}
                            }
                        },
                    },
                )
    return result
