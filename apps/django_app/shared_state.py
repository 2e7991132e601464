"""``/counter`` and ``/seen``: state shared by every replica through Redis.

Both answer 503 ``{"error": ...}`` when Redis is unreachable, so a scenario can tell a missing
Redis from a wrong answer.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import redis
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from django_app import store
from django_app.params import MAX_SEEN_LIMIT, int_param, rejects_bad_parameters, text_param

View = Callable[[HttpRequest], HttpResponse]


def answers_503_without_redis(view: View) -> View:
    """Wrap ``view`` so that a Redis error becomes 503 ``{"error": ...}``."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest) -> HttpResponse:
        try:
            return view(request)
        except redis.RedisError as error:
            return JsonResponse(
                {"error": f"redis unavailable: {error.__class__.__name__}: {error}"}, status=503
            )

    return wrapper


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
@rejects_bad_parameters
@answers_503_without_redis
def counter(request: HttpRequest) -> HttpResponse:
    """POST increments counter ``key`` atomically; GET reads it (0 when unset).

    ``key`` is required: without it the answer is 400.
    """
    key = text_param(request, "key")
    value = store.increment_counter(key) if request.method == "POST" else store.read_counter(key)
    return JsonResponse({"key": key, "value": value})


@require_safe
@rejects_bad_parameters
@answers_503_without_redis
def seen(request: HttpRequest) -> HttpResponse:
    """The newest ``limit`` requests any replica logged (default 200), newest first."""
    limit = int_param(request, "limit", default=200, maximum=MAX_SEEN_LIMIT)
    return JsonResponse({"requests": store.newest_seen(limit)})
