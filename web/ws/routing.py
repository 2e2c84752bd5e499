"""WebSocket routes. The live inbox is the only one."""

from django.urls import path

from web.ws.consumer import InboxConsumer

websocket_urlpatterns = [
    path("ws/inbox", InboxConsumer.as_asgi()),
]
