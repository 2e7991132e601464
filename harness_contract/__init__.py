"""The deploy-harness contract for YOUR app: the routes the scenarios ask for, under a prefix.

Add it to your own app and the scenarios run against your app, your settings and your server
config (docs: examples/own-django/README.md). Only the Python standard library is needed
(and your framework, for its own adapter); the harness copies this package into your image's
build context (`harness-support/`).

- any WSGI app:  `application = harness_contract.wsgi.ContractMiddleware(application)`
- any ASGI app:  `application = harness_contract.asgi.ContractMiddleware(application)`
- Django:        `harness_contract.django.ServerViewMiddleware` first in MIDDLEWARE and
                 `path("_harness/", include("harness_contract.django"))` in urls.py, so
                 /echo reports what Django itself makes of the request (your settings).
- Flask:         `app.register_blueprint(harness_contract.flask.contract_blueprint())`, so
                 /echo reports what Flask makes of the request (your ProxyFix, your config).

Routes, below PREFIX: /health, /echo[/<path>], /upload, /sleep, /redirect, /headers, /bytes,
/seen (this process's requests). Our Redis counter, WebSocket rooms and static files are not
here: scenarios that need them skip on a stack with `overrides.contract_prefix`, saying why.
"""

from harness_contract.core import PREFIX

__all__ = ["PREFIX"]
