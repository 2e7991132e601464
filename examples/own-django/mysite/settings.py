"""mysite's settings, as its team runs it behind nginx in production."""

import os

SECRET_KEY = os.environ.get("MYSITE_SECRET_KEY", "example-only-not-secret")
DEBUG = False
ALLOWED_HOSTS = ["localhost", "127.0.0.1", "www.mysite.example"]

INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.staticfiles",
]
MIDDLEWARE = [
    # deploy-harness's contract: what the server gave, before our own middleware changes it.
    "harness_contract.django.ServerViewMiddleware",
    "mysite.middleware.ClientAddressFromProxy",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
]
ROOT_URLCONF = "mysite.urls"
WSGI_APPLICATION = "mysite.wsgi.application"
DATABASES = {}
USE_TZ = True

# `manage.py collectstatic` gathers them here at build time; nginx serves /static/ from it.
STATIC_URL = "/static/"
STATIC_ROOT = "/srv/static"
STATICFILES_DIRS = [os.path.join(os.path.dirname(__file__), "static")]

# nginx terminates TLS and says so in X-Forwarded-Proto; it passes the Host header as the
# client sent it, port included, so absolute URLs need no X-Forwarded-Host.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
USE_X_FORWARDED_HOST = False

LOGGING = {
    "version": 1,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
