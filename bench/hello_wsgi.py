"""A hello-world Django: the baseline that bench/campaign_page.py measures against.

The same framework and the same servers as the real site, none of the application:
settings made in code, one view, no database, no middleware. Serve it with
``gunicorn --chdir bench hello_wsgi:application`` (WSGI) or
``uvicorn --app-dir bench hello_wsgi:asgi_application`` (ASGI).
"""

import django
from django.conf import settings

settings.configure(
    DEBUG=False,
    SECRET_KEY="hello-world-benchmark-only",
    ALLOWED_HOSTS=["127.0.0.1", "localhost"],
    ROOT_URLCONF=__name__,
    MIDDLEWARE=[],
    INSTALLED_APPS=[],
    USE_I18N=False,
)
django.setup()

from django.core.asgi import get_asgi_application  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.http import HttpRequest, HttpResponse  # noqa: E402
from django.urls import path  # noqa: E402


def hello(request: HttpRequest) -> HttpResponse:
    return HttpResponse("Hello, world\n", content_type="text/plain")


urlpatterns = [path("", hello)]

application = get_wsgi_application()
asgi_application = get_asgi_application()
