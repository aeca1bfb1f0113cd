from django.conf import settings
from django.http import HttpRequest


def organisation(request: HttpRequest) -> dict:
    """Organisation branding, which the layout uses on every page."""
    return {
        "ORGANISATION_NAME": settings.ORGANISATION_NAME,
        "ORGANISATION_LOGO_URL": settings.ORGANISATION_LOGO_URL,
        "ORGANISATION_COLOUR": settings.ORGANISATION_COLOUR,
    }
