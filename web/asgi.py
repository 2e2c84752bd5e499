"""The ASGI entry point: Django's HTTP application, and the live inbox over WebSockets.

WebSockets must come from an allowed origin (ALLOWED_HOSTS) and carry a session cookie.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "web.settings")
# This process serves requests on many threads: share a connection pool (see web/settings.py).
os.environ.setdefault("SVAR_DB_POOL", "1")

# Django is set up first: the consumers import models.
django_application = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from web.routing import websocket_urlpatterns  # noqa: E402
from web.ws_stats import count_connections  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_application,
        # Counted for /metrics (web/ws_stats.py): open connections of this process.
        "websocket": count_connections(
            AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns)))
        ),
    }
)
