"""The ASGI entry point: Django's HTTP application, and the live inbox over WebSockets.

WebSockets must come from an allowed origin (scheme, host and port: web/ws/origin.py) and carry
a session cookie.
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "web.settings")
# This process serves requests on many threads: share a connection pool (see web/settings.py).
os.environ.setdefault("SVAR_DB_POOL", "1")

import django  # noqa: E402
from asgiref.sync import sync_to_async  # noqa: E402
from django.core.handlers.asgi import ASGIHandler  # noqa: E402


class SyncChainASGIHandler(ASGIHandler):
    """Django's ASGI handler, running the middleware chain and the view in one thread hop.

    Every view here and all but two middleware are synchronous. Django's own handler builds an
    async chain: each sync/async boundary in it, each async-mode ``MiddlewareMixin`` and the
    view itself switched between the event loop and a worker thread, six times per request.
    In process, a list request took 15.3 ms of CPU that way and 11.6 ms with one switch
    (bench/README.md). Requests still run in a thread of their own, as before.
    """

    def load_middleware(self, is_async: bool = False) -> None:
        super().load_middleware(is_async=False)

    async def get_response_async(self, request):  # noqa: ANN001, ANN201 -- as in Django
        return await sync_to_async(self.get_response, thread_sensitive=True)(request)


# Django is set up first: the consumers import models.
django.setup(set_prefix=False)
django_application = SyncChainASGIHandler()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from web.ws.origin import SameOriginValidator  # noqa: E402
from web.ws.routing import websocket_urlpatterns  # noqa: E402
from web.ws.stats import count_connections  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_application,
        # Counted for /metrics (web/ws/stats.py): open connections of this process.
        "websocket": count_connections(
            SameOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns)))
        ),
    }
)
