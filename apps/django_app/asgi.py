"""ASGI entry point: ``django_app.asgi:application``.

HTTP goes to Django; WebSockets to Channels, behind an Origin check against ``ALLOWED_HOSTS``
(a handshake without an allowed ``Origin`` header is refused with 403).
"""

from __future__ import annotations

import os
from typing import Any

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "django_app.settings")

# Sets Django up; the consumers and routes read settings, so they are imported after it.
django_http = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from django_app.routing import websocket_urlpatterns  # noqa: E402


async def lifespan(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Acknowledge startup and shutdown at once: the app has nothing to open or close.

    Answering, rather than raising on an unknown scope type, keeps every server that speaks
    lifespan (uvicorn, hypercorn, granian) from logging the app as lifespan-incapable.
    """
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


application: Any = ProtocolTypeRouter(
    {
        "http": django_http,
        "websocket": AllowedHostsOriginValidator(URLRouter(websocket_urlpatterns)),
        "lifespan": lifespan,
    }
)

# hypercorn applies forwarded headers only through its own ASGI middleware: with the server
# trust layer that middleware wraps the app, as hypercorn's deployment docs show.
if os.environ.get("HARNESS_TRUST") == "server" and os.environ.get("HARNESS_SERVER") == "hypercorn":
    from hypercorn.middleware import ProxyFixMiddleware

    application = ProxyFixMiddleware(application, mode="legacy", trusted_hops=1)
