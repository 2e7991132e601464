"""ASGI entry point: `flask_app.asgi:app`, the WSGI app behind asgiref's `WsgiToAsgi`."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from asgiref.wsgi import WsgiToAsgi

from .app import create_app
from .settings import Settings

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

__all__ = ["app", "wrap_wsgi"]


def wrap_wsgi(wsgi_app: WSGIApplication) -> WsgiToAsgi:
    """Serve `wsgi_app` over ASGI.

    WsgiToAsgi reads the whole body before calling the app but does not say so: without a
    Content-Length (a chunked upload) werkzeug would then read an empty body. Marking the
    input as terminated lets the app read the buffered body to its end.
    """

    def terminated_input(
        environ: WSGIEnvironment, start_response: StartResponse
    ) -> Iterable[bytes]:
        environ["wsgi.input_terminated"] = True
        return wsgi_app(environ, start_response)

    return WsgiToAsgi(terminated_input)  # type: ignore[no-untyped-call]


app = wrap_wsgi(create_app(Settings.from_env(default_interface="asgi")))
