"""Settings of a Django deployment behind a reverse proxy, driven by the contract's environment.

No database: the app keeps its only state (counters, the request log, the channel layer) in
Redis, so the sole contrib app is ``staticfiles``, for ``collectstatic`` at image build.
"""

from __future__ import annotations

import os
from pathlib import Path

from django_app.config import (
    applies_forwarded_headers,
    channel_layers,
    csrf_trusted_origins,
    proxy_settings,
    read_environment,
)

APP_DIR = Path(__file__).resolve().parent
# The folder shared by every reference app (``/srv/app/static`` in the image).
SHARED_STATIC_DIR = APP_DIR.parent / "static"

HARNESS = read_environment(os.environ)
HARNESS_INSTANCE = HARNESS.instance
HARNESS_SERVER = HARNESS.server
HARNESS_PROXY_HOPS = HARNESS.proxy_hops
HARNESS_TRUST = HARNESS.trust
REDIS_URL = HARNESS.redis_url

DEBUG = False
# The fallback only ever signs the harness's own throwaway cookies; a deployment sets its own.
SECRET_KEY = os.environ.get(
    "DJANGO_SECRET_KEY", "deploy-harness-insecure-fixed-key-for-reference-app-only"
)
ALLOWED_HOSTS = list(HARNESS.allowed_hosts)
CSRF_TRUSTED_ORIGINS = csrf_trusted_origins(HARNESS.allowed_hosts)

HARNESS_APPLIES_FORWARDED = applies_forwarded_headers(HARNESS)
_forwarded = proxy_settings(HARNESS_APPLIES_FORWARDED)
SECURE_PROXY_SSL_HEADER = _forwarded["SECURE_PROXY_SSL_HEADER"]
USE_X_FORWARDED_HOST = _forwarded["USE_X_FORWARDED_HOST"]
USE_X_FORWARDED_PORT = _forwarded["USE_X_FORWARDED_PORT"]

INSTALLED_APPS = ["django.contrib.staticfiles", "channels"]

MIDDLEWARE = [
    # Outermost, so that every answer below it carries the header, 400s and /health included.
    "django_app.middleware.InstanceHeaderMiddleware",
    # Outside CommonMiddleware, whose Content-Length it must read before emptying the body.
    "django_app.middleware.HeadRequestMiddleware",
    # Before anything that validates the Host header: health checks come with any Host.
    "django_app.middleware.HealthCheckMiddleware",
    "django_app.middleware.TrustedProxyMiddleware",
    "django_app.middleware.SeenRecorderMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Calls request.get_host() on every request, so a disallowed Host gets 400 on every route.
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
]

# The app's URL prefix when the proxy strips it and no server tells Django (Django's docs:
# FORCE_SCRIPT_NAME for a server that does not supply SCRIPT_NAME); None: the server's.
FORCE_SCRIPT_NAME = HARNESS.force_script_name

ROOT_URLCONF = "django_app.urls"
WSGI_APPLICATION = "django_app.wsgi.application"
ASGI_APPLICATION = "django_app.asgi.application"
# The contract's routes have no trailing slash; never redirect to one.
APPEND_SLASH = False

DATABASES: dict[str, dict[str, str]] = {}
TEMPLATES: list[dict[str, object]] = []

CHANNEL_LAYERS = channel_layers(HARNESS.channel_layer, HARNESS.redis_url)

# Relative, so Django puts the script prefix in front of it (an app under a URL prefix).
STATIC_URL = "static/"
STATIC_ROOT = HARNESS.static_root
STATICFILES_DIRS = [SHARED_STATIC_DIR]

USE_TZ = True
TIME_ZONE = "UTC"
USE_I18N = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
    },
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "plain",
        },
    },
    "root": {"handlers": ["stdout"], "level": "INFO"},
}
