"""ASGI entry point: HTTP through Django, websockets through Channels' router, as
Channels' tutorial builds it."""

import gc
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# Build the Django app first so settings and apps are ready before routing imports models.
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from conversations.live.admission import HandshakeLimit  # noqa: E402
from conversations.live.routing import (  # noqa: E402
    unknown_websocket_paths,
    websocket_urlpatterns,
)
from notifications.routing import (  # noqa: E402
    websocket_urlpatterns as notification_websocket_urlpatterns,
)

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        # Past a number of handshakes in progress, a page is told to come back later
        # before any work is done for it (conversations/live/admission.py).
        "websocket": HandshakeLimit(
            AllowedHostsOriginValidator(
                AuthMiddlewareStack(
                    URLRouter(
                        websocket_urlpatterns
                        + notification_websocket_urlpatterns
                        + unknown_websocket_paths  # refused cleanly, not a router error
                    )
                )
            )
        ),
    }
)

# Everything loaded so far (Django, the apps, their modules and classes) lives as long
# as the process: move it out of the garbage collector's sight, so the full
# collections a crowd of sockets sets off scan only what came after, not all of it.
gc.freeze()
