"""The deploy-harness contract for YOUR app: the routes the scenarios ask for, under a prefix.

Add it to your own app and the scenarios run against your app, your settings and your server
config (docs: examples/own-django/README.md). Only the Python standard library is needed
(and your framework, for its own adapter); the harness copies this package into your image's
build context (`harness-support/`).

- any WSGI app:  `application = harness_contract.wsgi.ContractMiddleware(application)`
- any ASGI app:  `application = harness_contract.asgi.ContractMiddleware(application)`
                 (HTTP, and WS /ws/echo from the site's own origin)
- Django:        `harness_contract.django.ServerViewMiddleware` first in MIDDLEWARE and
                 `path("_harness/", include("harness_contract.django"))` in urls.py, so
                 /echo reports what Django itself makes of the request (your settings) and
                 /form goes through Django's CSRF check (your CSRF settings).
- Channels:      `harness_contract.channels.websocket_urlpatterns` in your URLRouter: WS
                 /ws/echo and /ws/room/<name> through your origin check and channel layer.
- Flask:         `app.register_blueprint(harness_contract.flask.contract_blueprint())`, so
                 /echo reports what Flask makes of the request (your ProxyFix, your config).

Routes, below PREFIX, each answer naming the replica in `X-Instance`:
/health, /echo[/<path>], /upload, /sleep, /redirect, /headers, /bytes, /cookie,
/seen (this process's requests), /stream and /sse (streamed, piece by piece), the caching
routes /cacheable, /private, /no-store, /with-cookie, /vary, and /archive (gzipped already),
/form (a CSRF-protected POST), WS /ws/echo and, with Channels, WS /ws/room/<name>. Every
number a route takes is capped. Our Redis counter, /urls and static files are not here:
scenarios that need them skip on a stack with `overrides.contract_prefix`, saying why.
"""

from harness_contract.core import PREFIX

__all__ = ["PREFIX"]
