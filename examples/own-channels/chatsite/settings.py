"""chatsite's settings, as its team runs it: daphne behind nginx, Channels over Redis."""

import os

SECRET_KEY = os.environ.get("CHATSITE_SECRET_KEY", "example-only-not-secret")
DEBUG = False
ALLOWED_HOSTS = ["localhost", "127.0.0.1", "chat.example"]

INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.staticfiles",
    "channels",
]
MIDDLEWARE = [
    # deploy-harness's contract: what the server gave, before our own middleware changes it.
    "harness_contract.django.ServerViewMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
]
ROOT_URLCONF = "chatsite.urls"
ASGI_APPLICATION = "chatsite.asgi.application"
DATABASES = {}
USE_TZ = True

# `manage.py collectstatic` gathers them here at build time; nginx serves /static/ from it.
STATIC_URL = "/static/"
STATIC_ROOT = "/srv/static"
STATICFILES_DIRS = [os.path.join(os.path.dirname(__file__), "static")]

# daphne applies nginx's X-Forwarded-For and X-Forwarded-Proto (--proxy-headers); nginx passes
# the Host header as the client sent it, port included. So Django trusts no forwarded header.
USE_X_FORWARDED_HOST = False

# Every replica's consumers meet in one Redis: a chat message reaches the room's members on
# every replica. The deployment names it in REDIS_URL.
CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {
            "hosts": [
                {
                    "address": os.environ.get("REDIS_URL", "redis://redis:6379/0"),
                    # channels-redis waits 5 s for a message (BZPOPMIN), as long as redis-py
                    # waits for a socket read by default: an idle socket's consumer then
                    # crashed now and then, and daphne closed it with 1011.
                    "socket_timeout": 15,
                }
            ]
        },
    }
}

LOGGING = {
    "version": 1,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
