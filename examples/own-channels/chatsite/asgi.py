import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chatsite.settings")
# Django first: the routing below imports consumers, which need the apps loaded.
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from chatsite.routing import websocket_urlpatterns  # noqa: E402
from harness_contract.channels import websocket_urlpatterns as harness_websockets  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        # Only pages of our own hosts (ALLOWED_HOSTS) may open a socket: no cross-site use.
        "websocket": AllowedHostsOriginValidator(
            URLRouter([*harness_websockets, *websocket_urlpatterns])
        ),
    }
)
